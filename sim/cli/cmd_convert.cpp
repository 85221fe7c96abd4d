// `gigasim convert chakra PREFIX --template-ranks N -o trace.yaml`: a Chakra ET import written as
// a trace file, to inspect what `kind: chakra` replays. Builds without Chakra support (protobuf)
// say so when it runs.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "sim/cli/commands.hpp"
#include "workloads/trace_format.hpp"
#include "workloads/workload_source.hpp"

namespace gigasim {
namespace {

struct ConvertOptions {
  std::string prefix;
  uint32_t template_ranks = 0;
  uint32_t replicas = 1;
  std::string output;
  std::vector<std::string> sets;
};

void convert_chakra(const ConvertOptions& o) {
  // The same keys as `workload: {kind: chakra, ...}`; --set adds the others (groups, programs_by).
  YAML::Node root(YAML::NodeType::Map);
  root["kind"] = "chakra";
  root["prefix"] = o.prefix;
  root["template_ranks"] = std::to_string(o.template_ranks);
  root["replicas"] = std::to_string(o.replicas);
  for (const std::string& s : o.sets) apply_override(root, s);
  const ConfigNode spec(root, std::make_shared<const std::string>("command line"), "");
  const uint32_t ranks = o.template_ranks * o.replicas;
  const Workload w = build_workload(spec, ClusterInfo{ranks, 0, 0});
  write_trace_file(w, o.output);
  size_t ops = 0;
  for (const Program& p : w.programs) ops += p.ops.size();
  std::printf("gigasim convert chakra %s -> %s: %u template ranks x %u replicas, %zu groups, %zu streams, %zu "
              "programs, %zu ops\n",
              o.prefix.c_str(), o.output.c_str(), o.template_ranks, o.replicas, w.families.size(), w.streams.size(),
              w.programs.size(), ops);
}

}  // namespace

void setup_convert(CLI::App& app) {
  CLI::App* convert = app.add_subcommand("convert", "Convert workloads from other formats into gigasim trace files.");
  convert->require_subcommand(1);
  auto opt = std::make_shared<ConvertOptions>();
  CLI::App* chakra = convert->add_subcommand(
      "chakra",
      "Import Chakra execution traces PREFIX.<rank>.et (one per template rank; gzip or not) and write\n"
      "the workload `kind: chakra` would replay as a trace file (format: workloads/presets/README.md).\n"
      "Needs a build with Chakra support (Debian's libprotobuf-dev and protobuf-compiler).\n"
      "Example: gigasim convert chakra traces/llama --template-ranks 8 --replicas 4 \\\n"
      "           --set 'groups.tp={size: 8, dim: tp}' --set groups.dp=replicas -o llama.trace.yaml");
  chakra->add_option("prefix", opt->prefix, "Path prefix of the .et files: PREFIX.0.et, PREFIX.1.et, ...")->required();
  chakra->add_option("--template-ranks", opt->template_ranks, "Ranks of one replica (files read)")
      ->required()
      ->check(CLI::PositiveNumber);
  chakra->add_option("--replicas", opt->replicas, "Copies of the template along data parallelism")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  chakra->add_option("-o,--output", opt->output, "Trace file to write (written as OUT.tmp, renamed when complete)")
      ->required();
  chakra->add_option("--set", opt->sets,
                     "Another key of kind: chakra (groups.NAME={size: S, stride: T, dim: D} or groups.NAME=replicas, "
                     "programs_by=NAME, steps=N, fidelity=...), repeatable");
  chakra->callback([opt]() { convert_chakra(*opt); });
}

}  // namespace gigasim
