#pragma once
// RunEstimate: what a run will cost before it starts — SimGrid hosts, directed links and rank
// actors, the flows it will start (RankProgram's exact count) and the most in flight at once,
// the peak memory from the measured per-part costs (sim/core/memory_budget.hpp) and a wall-time
// range. Engine-free: `gigasim validate --estimate` prints it, `gigasim run` refuses a run whose
// estimate exceeds the memory limit. The peak in flight is a bound: every rank's every stream
// at its busiest phase at once (collective streams one collective at a time, p2p streams every
// send of a step). Under rank folding only the simulated ranks count (actors, flows).

#include <cstdint>
#include <string>

#include "sim/core/topology.hpp"
#include "sim/core/workload.hpp"
#include "sim/plan/rank_program.hpp"

namespace gigasim {

struct RunEstimate {
  uint64_t gpus = 0, hosts = 0, links = 0, actors = 0, ops = 0;
  uint64_t flows = 0;       ///< flows the run starts (exact, all ranks and steps)
  uint64_t peak_flows = 0;  ///< bound on the flows in flight at once
  uint32_t fold = 1;        ///< ranks per simulated rank (RankProgram::fold)
  uint32_t replays = 1;     ///< replays of the run (failure-impact comparisons add some)
  // Memory by part, bytes.
  double process_bytes = 0, topology_bytes = 0, platform_bytes = 0, actor_bytes = 0, flow_bytes = 0,
         program_bytes = 0;
  double wall_low_s = 0, wall_high_s = 0;
  /// The result file before compression: its tables (links, nodes, collectives, steps) and
  /// metadata. The written (compressed) files measured 0.57-0.68x of it.
  double result_bytes = 0;

  double memory_bytes() const {
    return process_bytes + topology_bytes + platform_bytes + actor_bytes + flow_bytes + program_bytes;
  }
  /// "98.3k actors, 786k links, 98.3k flows (98.3k in flight)": what the memory is for.
  std::string detail() const;
};

/// `extra_actors`: the failure injector; `replays`: 1 plus the failure-impact comparison replays.
/// Actor stacks are actor_stack_kib() each.
RunEstimate estimate_run(const Topology& topo, const Workload& work, const RankProgram& prog, uint32_t extra_actors = 0,
                         uint32_t replays = 1);

/// The actor stack size the engine will use: GIGASIM_STACK_KIB or 12 KiB.
uint32_t actor_stack_kib();

}  // namespace gigasim
