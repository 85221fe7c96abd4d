#pragma once
// FailureInjector: applies a run's failure events in SimGrid at their simulated times, from one
// daemon actor (so the run ends when the ranks do, whatever is still scheduled). A link, switch
// or NIC going down first lets the flows crossing it note the bytes they have left, then turns
// its links off: SimGrid fails those flows at once and their senders reissue them after the
// reissue delay on routes that avoid the dead links (the routing zone is asked anew for every
// flow); with no live path left the run fails and says which collective. A degraded link runs
// at a fraction of its bandwidth; a slowed GPU's compute takes longer (a straggler); a GPU or
// server going down aborts the step and ends the run. Repairs undo each event after its
// duration. What each event hit is recorded in ReplayResult::failures.

#include <vector>

#include "sim/core/topology.hpp"
#include "sim/failures/failure_event.hpp"
#include "sim/replay/rank_actor.hpp"

namespace gigasim {

class FabricZone;

/// Requires: sh.result->failures has one record per event, in the same order.
void spawn_failure_injector(ReplayShared& sh, FabricZone& zone, const Topology& topo,
                            const std::vector<FailureEvent>& events);

}  // namespace gigasim
