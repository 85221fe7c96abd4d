#pragma once
// StepAccount: where one rank's step time went, seen from its compute stream — computing, or
// waiting on a collective of some parallelism dimension (exposed communication), or on a
// pipeline receive. A wait on a receive is an episode: the part of it before the transfer began
// is the pipeline bubble, the rest is pp communication. The rank keeps its share of every step
// it has not finished (ops left, time per class) in a window, oldest first; the rank that ends a
// step hands its share to the step record. Internal to sim/replay.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/records/replay_result.hpp"

namespace gigasim::detail {

// This rank's share of one step: ops left and where its time went.
struct StepLocal {
  uint32_t step = 0;
  uint32_t ops_left = 0;
  Breakdown time{};
};

class StepAccount {
 public:
  /// `step_op_count[s]`: the rank's ops in step s; `steps`: steps of the run.
  StepAccount(const std::vector<uint32_t>& step_op_count, uint32_t steps)
      : step_op_count_(step_op_count), steps_(steps) {}

  /// The rank's share of `step`, opening the steps up to it.
  StepLocal& local(uint32_t step);
  bool any_open() const { return !window_.empty(); }
  uint32_t front_step() const { return window_.front().step; }
  /// Forgets the finished steps at the front of the window.
  void drop_finished();

  void start_clock(double now) { t_last_ = now; }
  /// Books [last event, t] to what the rank was waiting on (set_waiting).
  void attribute(double t);
  /// From `now` on the rank computes (cls kCompute) or waits on `wait_stream` (class `cls`) for
  /// `step`; kCount: nothing to book. `episode_transfer_start_s`: when the transfer the running
  /// episode waits for began (the episode stream's last completed transfer start).
  void set_waiting(double now, TimeClass cls, uint32_t step, size_t wait_stream, double episode_transfer_start_s);

  bool in_episode(uint32_t step) const { return episode_ && episode_step_ == step; }
  size_t episode_stream() const { return episode_stream_; }
  /// Ends the running episode: bubble up to `transfer_start_s`, pp communication after it.
  void close_episode(double transfer_start_s);

 private:
  const std::vector<uint32_t>& step_op_count_;
  uint32_t steps_;
  std::vector<StepLocal> window_;  // steps this rank has not finished, oldest first
  uint32_t first_open_ = 0;
  double t_last_ = 0;
  TimeClass cls_ = TimeClass::kCount;
  uint32_t cls_step_ = 0;
  bool episode_ = false;
  size_t episode_stream_ = 0;
  uint32_t episode_step_ = 0;
  double episode_start_ = 0, episode_len_ = 0;
};

}  // namespace gigasim::detail
