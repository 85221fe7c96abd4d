#include "sim/spec/run_setup.hpp"

#include <fmt/format.h>

#include <chrono>

#include "sim/core/memory_budget.hpp"
#include "sim/failures/failure_spec.hpp"
#include "topologies/topology_builder.hpp"
#include "workloads/workload_source.hpp"

namespace gigasim {

RunSetup::RunSetup(const RunSpec& spec, const std::string& calibration, int64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  topo = build_topology(spec.topology);
  topology_build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  work = build_workload(spec.workload, ClusterInfo{topo.gpus, topo.gpus_per_server, topo.gpu_flops, topo.gpu_model});
  net = parse_network_model(spec.network ? &*spec.network : nullptr);
  cal = Calibration::load(calibration.empty() ? spec.calibration : calibration);
  if (spec.failures) {
    failures = parse_failures(*spec.failures, static_cast<uint64_t>(seed >= 0 ? seed : spec.seed));
    events = schedule_failures(*failures, topo);
  }
}

RunEstimate RunSetup::estimate(uint32_t replays) const {
  const RankProgram prog = RankProgram::compile(work, topo, cal.for_profile(topo.gpu_model), events.empty());
  // As the engine compiles it: folded (one simulated rank per symmetric group) without failures.
  return estimate_run(topo, work, prog, events.empty() ? 0 : 1, replays);
}

void RunSetup::check_memory(const RunSpec& spec, const RunEstimate& e) {
  gigasim::check_memory(spec.path, e.memory_bytes(), "the run", e.detail());
}

uint32_t failure_impact_replays(const std::string& mode, size_t events, bool* each) {
  if (mode != "auto" && mode != "each" && mode != "total" && mode != "none") {
    throw ConfigError(fmt::format("--failure-impact {}: auto, each, total or none", mode));
  }
  const bool per_event = mode == "each" || (mode == "auto" && events <= 16);
  if (each != nullptr) *each = per_event;
  if (events == 0 || mode == "none") return 0;
  return per_event ? static_cast<uint32_t>(events) + 1 : 1;
}

}  // namespace gigasim
