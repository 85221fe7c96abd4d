#pragma once
// RankActor: one SimGrid actor per (simulated) rank, running that rank's copy of its
// RankProgram, and ReplayShared, what all of them share in one run (the compiled program, the
// result being filled, counters, the failure state). The rank's replay itself is in pieces of
// one concept each: rank.hpp (the event loop and the streams), comm_stream.hpp (a collective in
// flight, phase by phase), comm.hpp (posting flows and waiting on them), step_account.hpp (where
// its step time went) and rank_recovery.cpp (flows cut by failures). State per rank is a few
// counters per stream, the comms in flight and the breakdown of the steps it has not finished.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/plan/rank_program.hpp"
#include "sim/records/replay_result.hpp"

namespace gigasim {

class FabricZone;
class TimelineRecorder;
namespace detail {
class Rank;
}

/// Everything the rank actors share (one per run).
struct ReplayShared {
  const RankProgram* prog = nullptr;
  ReplayResult* result = nullptr;
  TimelineRecorder* timeline = nullptr;  ///< sampled per-rank op times, or nullptr
  std::vector<uint64_t> step_ops_done;   ///< op completions per step, summed over ranks
  std::vector<TimeClass> family_class;   ///< per group family: where waiting on it counts
  uint32_t steps_done = 0;
  uint32_t ranks_finished = 0;
  uint64_t flows_started = 0;
  uint64_t flows_done = 0;
  bool failed = false;
  // Failures (sim/replay/failure_injector.hpp).
  const FabricZone* zone = nullptr;            ///< route latencies, reachability after a link failure
  /// The ranks charge route latency before posting (the zone reports none to SimGrid); see rank.hpp.
  bool ranks_charge_latency = true;
  std::vector<detail::Rank*> ranks;            ///< the live ranks, by rank (empty: no failure events)
  std::unordered_map<uint32_t, double> slowdown;  ///< stragglers: compute-time multiplier per rank
  double reissue_delay_s = 1e-3;               ///< a cut flow restarts after this
  uint64_t flows_cut = 0;
};

/// Links are about to fail: each flow src -> dst in flight over them notes the bytes it has left,
/// so that it restarts with those (SimGrid keeps no partial progress of a failed comm).
void note_cut_flows(ReplayShared& sh, const std::vector<std::pair<uint32_t, uint32_t>>& flows);
/// Ends the run: `why` recorded, every other actor killed (each rank keeps its comms in flight).
void abort_replay(ReplayShared& sh, const std::string& why);

class RankActor {
 public:
  RankActor(ReplayShared* shared, uint32_t rank) : shared_(shared), rank_(rank) {}
  void operator()() const;

 private:
  ReplayShared* shared_;
  uint32_t rank_;
};

}  // namespace gigasim
