#include "sim/replay/step_account.hpp"

#include <algorithm>

namespace gigasim::detail {

StepLocal& StepAccount::local(uint32_t step) {
  while (window_.empty() || window_.back().step < step) {
    const uint32_t st = window_.empty() ? first_open_ : window_.back().step + 1;
    window_.push_back(StepLocal{st, step_op_count_[st], {}});
  }
  while (window_.front().ops_left == 0 && window_.front().step < step) {
    first_open_ = window_.front().step + 1;
    window_.erase(window_.begin());
  }
  return window_[step - window_.front().step];
}

void StepAccount::drop_finished() {
  while (!window_.empty() && window_.front().ops_left == 0) {
    first_open_ = window_.front().step + 1;
    window_.erase(window_.begin());
  }
}

void StepAccount::attribute(double t) {
  const double dt = t - t_last_;
  t_last_ = t;
  if (dt <= 0 || cls_ == TimeClass::kCount) return;
  if (episode_) {
    episode_len_ += dt;
  } else if (cls_step_ < steps_) {
    local(cls_step_).time[static_cast<size_t>(cls_)] += dt;
  }
}

void StepAccount::close_episode(double transfer_start_s) {
  const double bubble = std::clamp(transfer_start_s - episode_start_, 0.0, episode_len_);
  if (episode_step_ < steps_ && !window_.empty() && episode_step_ >= window_.front().step) {
    Breakdown& b = local(episode_step_).time;
    b[static_cast<size_t>(TimeClass::kBubble)] += bubble;
    b[static_cast<size_t>(TimeClass::kPP)] += episode_len_ - bubble;
  }
  episode_ = false;
  episode_len_ = 0;
}

void StepAccount::set_waiting(double now, TimeClass cls, uint32_t step, size_t wait_stream,
                              double episode_transfer_start_s) {
  const bool pp_wait = cls == TimeClass::kBubble;
  if (episode_ && (!pp_wait || wait_stream != episode_stream_ || step != episode_step_)) {
    close_episode(episode_transfer_start_s);
  }
  if (pp_wait && !episode_) {
    episode_ = true;
    episode_stream_ = wait_stream;
    episode_step_ = step;
    episode_start_ = now;
    episode_len_ = 0;
  }
  cls_ = cls;
  cls_step_ = step;
}

}  // namespace gigasim::detail
