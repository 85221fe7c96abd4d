#pragma once
// Failure impact: what each failure event costs the run's steps. SimGrid allows one engine per
// process, so the comparison replays — the same run with no failure event, and with each event
// alone — run in forked child processes (before the parent starts its own engine; the topology
// and workload are already built and shared copy-on-write). An event's impact is the sum over
// steps of (step time with the event alone - step time with none); for an event that aborts the
// run (a GPU or server down), the part of its step done before it hit.

#include <string>
#include <vector>

#include "sim/core/topology.hpp"
#include "sim/core/workload.hpp"
#include "sim/plan/network_model.hpp"
#include "sim/replay/replay_engine.hpp"

namespace gigasim {

struct ChildReplay {
  bool ok = false;
  std::string error;
  std::vector<double> step_s;  ///< duration per step (NaN for steps that did not finish)
  std::vector<double> step_start_s;
};

/// Replays in a forked child and returns its step times. Throws: SimulationError if the child
/// could not be run (fork or pipe failed, or it died).
ChildReplay replay_in_child(const Topology& topo, const Workload& work, const NetworkModelSpec& net,
                            const ReplayOptions& opt);

struct FailureImpact {
  ChildReplay baseline;
  std::vector<double> lost_s;  ///< per event (NaN when not measured)
};

/// `each`: the baseline and one replay per event; `total`: the baseline only.
FailureImpact measure_failure_impact(const Topology& topo, const Workload& work, const NetworkModelSpec& net,
                                     const ReplayOptions& opt, bool each);

}  // namespace gigasim
