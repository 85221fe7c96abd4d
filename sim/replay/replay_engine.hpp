#pragma once
// ReplayEngine: runs one Workload on one Topology in SimGrid. It owns the sg4::Engine (one per
// process — SimGrid allows no second), applies the network model and context options (12 KiB
// stacks, no guard pages: 100k actors), lowers the topology through FabricZone, expands each
// collective into FlowPlans, spawns one actor per rank and runs. Deadlocks and network failures
// end the run with ok = false and a message naming the collective and ranks.

#include <string>
#include <vector>

#include "sim/collectives/calibration.hpp"
#include "sim/core/progress.hpp"
#include "sim/core/topology.hpp"
#include "sim/core/workload.hpp"
#include "sim/failures/failure_event.hpp"
#include "sim/plan/network_model.hpp"
#include "sim/records/replay_result.hpp"

namespace gigasim {

class TimelineRecorder;

struct ReplayOptions {
  std::vector<std::string> simgrid_args;  ///< passed to sg4::Engine, e.g. "--log=..."
  Progress* progress = nullptr;
  /// Directed links that are off from the start (the Router routes around them).
  std::vector<LinkId> links_down;
  /// Collective latencies and efficiencies (nullptr: the built-in NCCL calibration).
  const Calibration* calibration = nullptr;
  /// Records sampled ranks' op times for a timeline (nullptr: none).
  TimelineRecorder* timeline = nullptr;
  /// Failure events to apply during the run (sorted by time), and the delay before a flow cut
  /// by one restarts on a new path.
  std::vector<FailureEvent> failures;
  double reissue_delay_s = 1e-3;
};

class ReplayEngine {
 public:
  ReplayEngine(const Topology& topo, const Workload& work, const NetworkModelSpec& net, ReplayOptions opt);
  /// Requires: called at most once per process.
  ReplayResult run();

 private:
  const Topology& topo_;
  const Workload& work_;
  NetworkModelSpec net_;
  ReplayOptions opt_;
};

/// The SimGrid version this binary was built against, "3.32.0".
std::string simgrid_version();


}  // namespace gigasim
