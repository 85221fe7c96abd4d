// `gigasim trace export RUN.yaml -o trace.yaml`: the run's workload, built for its topology, as a
// trace file that `workload: {kind: trace, file: trace.yaml}` replays.
#include <fmt/format.h>

#include <cstdio>

#include "sim/cli/commands.hpp"
#include "sim/spec/run_spec.hpp"
#include "topologies/topology_builder.hpp"
#include "workloads/trace_format.hpp"
#include "workloads/workload_source.hpp"

namespace gigasim {
namespace {

struct ExportOptions {
  std::string file;
  std::string output;
  std::vector<std::string> sets;
};

void export_command(const ExportOptions& o) {
  const RunSpec spec = load_run_spec(o.file, o.sets);
  const Topology topo = build_topology(spec.topology);
  const Workload w = build_workload(spec.workload, ClusterInfo{topo.gpus, topo.gpus_per_server, topo.gpu_flops});
  write_trace_file(w, o.output);
  size_t ops = 0;
  for (const Program& p : w.programs) ops += p.ops.size();
  std::printf("gigasim trace export %s -> %s: %s workload, %u ranks, %u steps, %zu groups, %zu streams, %zu "
              "programs, %zu ops\n",
              o.file.c_str(), o.output.c_str(), w.kind.c_str(), w.ranks, w.steps, w.families.size(), w.streams.size(),
              w.programs.size(), ops);
  std::printf("Replay it with  workload: {kind: trace, file: %s}  (relative to the run file)\n", o.output.c_str());
}

}  // namespace

void setup_trace(CLI::App& app) {
  CLI::App* trace = app.add_subcommand(
      "trace",
      "Collective traces: a workload's ops per program as a YAML file (format: gigasim-trace), groups\n"
      "described by size and stride (never lists of ranks), streams and groups by name. Replay one with\n"
      "  workload: {kind: trace, file: trace.yaml}\n"
      "The format, key by key with units: workloads/presets/README.md, \"Trace files\".");
  trace->require_subcommand(1);
  auto opt = std::make_shared<ExportOptions>();
  CLI::App* ex = trace->add_subcommand(
      "export",
      "Build RUN.yaml's workload for its topology and write it as a trace (written as OUT.tmp, renamed\n"
      "when complete; exit 3 and nothing written when OUT cannot be written).\n"
      "Example: gigasim trace export examples/quickstart/run.yaml -o quickstart.trace.yaml --set workload.steps=1");
  ex->add_option("run_file", opt->file, "Run file (YAML): its topology sizes the workload")->required();
  ex->add_option("-o,--output", opt->output, "Trace file to write (YAML)")->required();
  ex->add_option("--set", opt->sets, "Override a config value: key.path=value (repeatable)");
  ex->callback([opt]() { export_command(*opt); });
}

}  // namespace gigasim
