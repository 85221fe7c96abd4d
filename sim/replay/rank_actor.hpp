#pragma once
// RankActor: one SimGrid actor running one rank's copy of the RankProgram. It drives two
// streams like a GPU does — compute ops back to back, collectives back to back — and lets them
// overlap: while a collective's flows are in flight it waits on them with a timeout set to the
// end of the current compute op. A collective phase posts every receive, then every send
// (mailbox per sender/receiver/family, so matching is FIFO and exact), then waits for all.
// State per rank is a few counters and the comms of the phase in flight.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/replay/rank_program.hpp"
#include "sim/replay/replay_result.hpp"

namespace gigasim {

/// Everything the rank actors share (one per run).
class TimelineRecorder;

struct ReplayShared {
  const RankProgram* prog = nullptr;
  ReplayResult* result = nullptr;
  TimelineRecorder* timeline = nullptr;  ///< sampled per-rank op times, or nullptr
  std::vector<uint64_t> step_ops_done;  ///< op completions per step, summed over ranks
  uint32_t steps_done = 0;
  uint32_t ranks_finished = 0;
  uint64_t flows_started = 0;
  uint64_t flows_done = 0;
  bool failed = false;
};

class RankActor {
 public:
  RankActor(ReplayShared* shared, uint32_t rank) : shared_(shared), rank_(rank) {}
  void operator()() const;

 private:
  ReplayShared* shared_;
  uint32_t rank_;
};

}  // namespace gigasim
