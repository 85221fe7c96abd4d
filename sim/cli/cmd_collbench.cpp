// `gigasim collbench TOPOLOGY.yaml -b 8 -e 8G -f 2 --op all_reduce`: nccl-tests in simulation.
// Every size is one collective of one simulation, back to back; the table has nccl-tests'
// columns (size, count, type, redop, root, time, algbw, busbw) and what gigasim chose.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "sim/cli/commands.hpp"
#include "sim/cli/progress.hpp"
#include "sim/spec/run_spec.hpp"
#include "sim/collectives/collective_algorithm.hpp"
#include "sim/core/units.hpp"
#include "sim/replay/replay_engine.hpp"
#include "sim/results/results_writer.hpp"
#include "sim/results/summary.hpp"
#include "topologies/topology_builder.hpp"

namespace gigasim {
namespace {

struct CollbenchOptions {
  std::string topology;
  std::vector<std::string> sets;
  std::string begin = "8", end = "8G";
  uint64_t factor = 2;
  std::string op = "all_reduce";
  std::string algo = "auto";
  std::string proto = "auto";
  std::string fidelity = "auto";
  std::string ranks = "all";
  std::string group;
  std::string channels = "auto";
  std::string nvlink = "flows";
  uint32_t root = 0;
  std::string calibration = "nccl";
  std::string output;
  std::string progress = "none";
  bool json = false;
};

double parse_size_arg(const std::string& flag, const std::string& v) {
  try {
    return parse_bytes(v);
  } catch (const UnitError& e) {
    throw ConfigError(fmt::format("{} {}: {}", flag, v, e.what()));
  }
}

const char* redop(CollectiveKind k) {
  switch (k) {
    case CollectiveKind::kAllReduce:
    case CollectiveKind::kReduceScatter:
    case CollectiveKind::kReduce: return "sum";
    default: return "none";
  }
}

void collbench_command(const CollbenchOptions& o) {
  const ConfigNode spec = load_topology_or_run(o.topology, o.sets);
  const Topology topo = build_topology(spec);

  Workload w = Workload::two_stream("collbench");
  GroupFamily f{"world", "custom", 0, 1, 0};
  f.span = o.ranks == "all" ? topo.gpus : static_cast<uint32_t>(std::stoul(o.ranks));
  if (f.span == 0 || f.span > topo.gpus) {
    throw ConfigError(fmt::format("--ranks {}: the topology has {} GPUs", o.ranks, topo.gpus));
  }
  f.size = f.span;
  if (!o.group.empty()) {  // SIZE or SIZE:STRIDE
    const auto colon = o.group.find(':');
    f.size = static_cast<uint32_t>(std::stoul(o.group.substr(0, colon)));
    f.stride = colon == std::string::npos ? 1 : static_cast<uint32_t>(std::stoul(o.group.substr(colon + 1)));
    if (f.size == 0 || f.stride == 0 || f.span % (f.size * f.stride) != 0) {
      throw ConfigError(fmt::format("--group {}: groups of {} at stride {} do not tile {} ranks", o.group, f.size,
                                    f.stride, f.span));
    }
  }
  w.families.push_back(f);
  w.ranks = f.span;
  Op proto;
  proto.kind = OpKind::kCollective;
  proto.stream = 1;
  if (!parse_collective_kind(o.op, proto.collective)) {
    throw ConfigError(fmt::format("--op {}: unknown (all_reduce, reduce_scatter, all_gather, alltoall, broadcast, "
                                  "reduce, sendrecv)",
                                  o.op));
  }
  if (o.algo != "auto" && find_collective_algorithm(o.algo) == nullptr) {
    throw ConfigError(fmt::format("--algo {}: unknown (auto, {})", o.algo, collective_algorithm_names()));
  }
  if (o.proto != "auto") {
    Protocol p;
    if (!parse_protocol(o.proto, p)) throw ConfigError(fmt::format("--proto {}: unknown (auto, simple, ll128, ll)", o.proto));
    proto.protocol = p;
  }
  if (o.fidelity != "auto") {
    Fidelity f;
    if (!parse_fidelity(o.fidelity, f)) {
      throw ConfigError(fmt::format("--fidelity {}: auto, stepwise, collapsed or analytic", o.fidelity));
    }
    proto.fidelity = f;
  }
  if (o.nvlink != "flows" && o.nvlink != "analytic") throw ConfigError(fmt::format("--nvlink {}: flows or analytic", o.nvlink));
  proto.nvlink_analytic = o.nvlink == "analytic";
  proto.algorithm = o.algo;
  if (o.channels == "auto") {
    proto.channels = 0;
  } else {
    char* end = nullptr;
    const long c = std::strtol(o.channels.c_str(), &end, 10);
    if (o.channels.empty() || *end != '\0' || c < 1 || c > 64) {
      throw ConfigError(fmt::format("--channels {}: auto or 1..64 (NCCL runs at least one channel)", o.channels));
    }
    proto.channels = static_cast<uint32_t>(c);
  }
  proto.root = o.root % f.size;
  proto.where = "--algo " + o.algo;
  const double b = parse_size_arg("-b", o.begin), e = parse_size_arg("-e", o.end);
  if (!(b > 0) || e < b) throw ConfigError(fmt::format("-b {} -e {}: need 0 < begin <= end", o.begin, o.end));
  if (o.factor < 2) throw ConfigError("-f must be at least 2");
  for (double s = b; s <= e * (1 + 1e-12); s *= static_cast<double>(o.factor)) {
    Op op = proto;
    op.bytes = s;
    op.step = static_cast<uint32_t>(w.ops().size());
    op.label = fmt::format("{} {}", o.op, format_bytes(s));
    w.ops().push_back(op);
  }
  w.steps = static_cast<uint32_t>(w.ops().size());

  if (!o.output.empty()) check_output_writable(o.output);  // before simulating
  const Calibration cal = Calibration::load(o.calibration);
  auto progress = make_progress(o.progress, 30);
  ReplayOptions ropt;
  ropt.calibration = &cal;
  ropt.progress = progress.get();
  ReplayEngine engine(topo, w, NetworkModelSpec{}, ropt);
  const ReplayResult res = engine.run();

  if (!o.json) {
    std::printf("# gigasim collbench: %s on %s, %u ranks in groups of %u (stride %u), calibration %s\n", o.op.c_str(),
                o.topology.c_str(), f.span, f.size, f.stride, cal.name().c_str());
    std::printf("#\n#  %12s %12s %6s %6s %5s %10s %8s %8s  %-16s %-7s %-9s %s\n", "size", "count", "type", "redop",
                "root", "time", "algbw", "busbw", "algorithm", "proto", "fidelity", "channels");
    std::printf("#  %12s %12s %6s %6s %5s %10s %8s %8s\n", "(B)", "(elements)", "", "", "", "(us)", "(GB/s)",
                "(GB/s)");
  }
  double busbw_sum = 0;
  for (const CollectiveRecord& r : res.collectives) {
    const Op& op = w.ops()[r.op];
    const double t = r.end_s - r.start_s;
    const double alg = algbw_Bps(op, r), bus = busbw_Bps(op, f, r);
    busbw_sum += bus;
    const bool rooted = op.collective == CollectiveKind::kBroadcast || op.collective == CollectiveKind::kReduce;
    if (o.json) {
      nlohmann::json j{{"op", to_string(op.collective)}, {"algorithm", r.algorithm}, {"protocol", to_string(r.protocol)},
                       {"fidelity", to_string(r.fidelity)}, {"ranks", f.span}, {"group_size", f.size},
                       {"size_bytes", op.bytes}, {"count", static_cast<uint64_t>(op.bytes / 4)},
                       {"time_s", t}, {"algbw_GBps", alg / 1e9}, {"busbw_GBps", bus / 1e9},
                       {"channels", r.channels}, {"closed_form_s", r.estimate_s}};
      std::cout << j.dump() << "\n";
    } else {
      std::printf("   %12.0f %12.0f %6s %6s %5d %10.2f %8.2f %8.2f  %-16s %-7s %-9s %u\n", op.bytes,
                  std::floor(op.bytes / 4), "float", redop(op.collective), rooted ? static_cast<int>(op.root) : -1,
                  t * 1e6, alg / 1e9, bus / 1e9, r.algorithm.c_str(), to_string(r.protocol), to_string(r.fidelity),
                  r.channels);
    }
  }
  if (!o.json && !res.collectives.empty()) {
    std::printf("# Avg bus bandwidth    : %.3f\n#\n", busbw_sum / res.collectives.size() / 1e9);
  }
  std::cout.flush();
  if (!o.output.empty()) {
    RunMeta meta;
    meta.status = res.ok ? "ok" : "failed";
    meta.error = res.error;
    meta.command_line = command_line();
    meta.simgrid_version = simgrid_version();
    meta.config = {{"topology_yaml", to_yaml_text(spec.yaml())}};
    Summary s = compute_summary(topo, w, res);
    write_results(o.output, meta, topo, w, res, s);
  }
  if (!res.ok) throw SimulationError("collbench: simulation failed: " + res.error);
}

}  // namespace

void setup_collbench(CLI::App& app) {
  auto opt = std::make_shared<CollbenchOptions>();
  CLI::App* sub = app.add_subcommand(
      "collbench",
      "nccl-tests in simulation: time one collective at sizes -b..-e (x -f) on a topology and print\n"
      "nccl-tests' columns (algbw = size/time, busbw = algbw x the nccl-tests factor). Example:\n"
      "  gigasim collbench topologies/presets/dgx-h100-node.yaml -b 1K -e 8G -f 2 --op all_reduce");
  sub->add_option("topology", opt->topology, "Topology (or run) file")->required();
  sub->add_option("-b,--minbytes", opt->begin, "Smallest size (8, 1K, 64M, 8G: binary)")->capture_default_str();
  sub->add_option("-e,--maxbytes", opt->end, "Largest size")->capture_default_str();
  sub->add_option("-f,--stepfactor", opt->factor, "Size multiplier between steps")->capture_default_str();
  sub->add_option("--op", opt->op, "all_reduce, reduce_scatter, all_gather, alltoall, broadcast, reduce, sendrecv")
      ->capture_default_str();
  sub->add_option("--algo", opt->algo, "auto (NCCL-like selection) or " + collective_algorithm_names())
      ->capture_default_str();
  sub->add_option("--proto", opt->proto, "auto, simple, ll128 or ll")->capture_default_str();
  sub->add_option("--fidelity", opt->fidelity,
                  "auto, stepwise (every algorithm step), collapsed (one flow per peer and stage) or analytic "
                  "(closed form, no flows)")
      ->capture_default_str();
  sub->add_option("--nvlink", opt->nvlink,
                  "flows, or analytic: stages inside a server are closed-form delays (nothing else uses NVLink)")
      ->capture_default_str();
  sub->add_option("--ranks", opt->ranks, "Ranks taking part: GPUs 0..N-1, or all")->capture_default_str();
  sub->add_option("--group", opt->group, "Groups of SIZE members (optionally SIZE:STRIDE) tiling the ranks");
  sub->add_option("--channels", opt->channels,
                  "NCCL channels: auto (NCCL's default: 2 per NIC on H100 servers, at most 32) or 1..64. A ring "
                  "channel enters and leaves each server on its own NIC")
      ->capture_default_str();
  sub->add_option("--root", opt->root, "Root of broadcast and reduce")->capture_default_str();
  sub->add_option("--calibration", opt->calibration, "nccl (default), ideal, or a YAML file")->capture_default_str();
  sub->add_option("--set", opt->sets, "Override a topology value: key.path=value (repeatable)");
  sub->add_option("-o,--output", opt->output, "Also write an HDF5 result file");
  sub->add_option("--progress", opt->progress, "Progress on stderr: auto, tty, log or none")->capture_default_str();
  sub->add_flag("--json", opt->json, "One JSON object per size (op, algorithm, ranks, size_bytes, time_s, algbw_GBps, busbw_GBps, channels)");
  sub->callback([opt]() { collbench_command(*opt); });
}

}  // namespace gigasim
