#pragma once
// RunSetup: everything `gigasim run` builds from a run file before the engine starts — the
// topology, the workload sized to it, the network model, the collective calibration and the
// failure events — and what the run will cost (RunEstimate). `gigasim run`, `gigasim validate`
// and the run-file fuzz target share it, so validating a file checks exactly what a run checks
// before simulating. Engine-free (no SimGrid, no HDF5).

#include <optional>
#include <string>
#include <vector>

#include "sim/spec/run_spec.hpp"
#include "sim/collectives/calibration.hpp"
#include "sim/core/topology.hpp"
#include "sim/core/workload.hpp"
#include "sim/failures/failure_event.hpp"
#include "sim/failures/failure_spec.hpp"
#include "sim/plan/network_model.hpp"
#include "sim/plan/cost_estimate.hpp"

namespace gigasim {

class RunSetup {
 public:
  /// `calibration`: "" for the run file's; `seed` < 0 for the run file's.
  /// Throws: ConfigError (exit 2), IoError (exit 3) for unreadable files.
  RunSetup(const RunSpec& spec, const std::string& calibration, int64_t seed);
  RunSetup(const RunSetup&) = delete;
  RunSetup& operator=(const RunSetup&) = delete;

  /// Compiles the program (which checks every collective against its group) and estimates the
  /// run; `replays`: 1 plus the failure-impact comparison replays. Throws: ConfigError.
  RunEstimate estimate(uint32_t replays = 1) const;
  /// Throws: ConfigError naming the run file when the estimate exceeds memory_limit().
  static void check_memory(const RunSpec& spec, const RunEstimate& e);

  Topology topo;
  double topology_build_s = 0;
  Workload work;
  NetworkModelSpec net;
  Calibration cal;                     ///< as loaded (the engine picks the GPU profile)
  std::optional<FailureSpec> failures;
  std::vector<FailureEvent> events;    ///< scheduled on topo, sorted by time
};

/// Replays `gigasim run --failure-impact MODE` adds for `events` events: MODE auto, each, total
/// or none. Throws: ConfigError for another mode.
uint32_t failure_impact_replays(const std::string& mode, size_t events, bool* each = nullptr);

}  // namespace gigasim
