#pragma once
// CommStream: one collective of a rank's collective stream in flight, run phase by phase from
// the plan every member shares — the calibrated delay before a phase, then the phase's transfers
// (every receive posted, then every send, each split into its flows), the next phase once all
// of them are done, the analytic tail after the last phase, and again for each repetition. An
// analytic collective is only a timer. Internal to sim/replay.

#include <cstdint>
#include <vector>

#include "sim/replay/comm.hpp"
#include "sim/replay/rank_actor.hpp"

namespace gigasim::detail {

class CommStream {
 public:
  bool active() const { return state_ != State::kIdle; }
  /// When the running delay or tail ends (-1: none running).
  double timer_end() const { return state_ == State::kDelay || state_ == State::kTail ? timer_end_ : -1; }

  /// Starts `cc` for `rank`, its transfers posted through `poster`. False if the rank has nothing
  /// to do in it.
  bool start(ReplayShared* sh, uint32_t rank, uint16_t stream, const Op& op, const CompiledCollective& cc,
             CommPoster* poster);
  /// One of its comms finished (`comm`: its kernel object, for the link statistics).
  void complete(const Tag& t, const void* comm);
  /// The delay before a phase, or the tail, elapsed.
  void timer_done();

 private:
  enum class State { kIdle, kDelay, kFlows, kTail };

  void next_repetition();
  // Enters phase_ (or the tail after the last phase).
  void begin_phase();
  // Posts every receive, then every send, of phase_; phases without transfers pass at once.
  void post_phase();

  ReplayShared* sh_ = nullptr;
  uint32_t rank_ = 0;
  uint16_t stream_ = 0;
  CommPoster* poster_ = nullptr;
  State state_ = State::kIdle;
  const CompiledCollective* cc_ = nullptr;
  const CollectivePlan* plan_ = nullptr;
  const GroupFamily* fam_ = nullptr;
  uint32_t family_ = 0;
  uint32_t pos_ = 0;
  uint32_t phase_ = 0;
  uint32_t rep_ = 0, repeat_ = 1;
  uint32_t in_flight_ = 0;
  double timer_end_ = -1;
  std::vector<Transfer> transfers_;
};

}  // namespace gigasim::detail
