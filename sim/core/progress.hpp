#pragma once
// Progress: how a long run reports where it is. The replay calls update() often (it is throttled
// by the implementation) and finish() once; implementations (TTY line, log lines, silent) live
// in sim/cli/progress.*, following ninja's status printer.

#include <cstdint>
#include <string>

namespace gigasim {

struct ProgressInfo {
  double sim_time_s = 0;
  double wall_s = 0;
  uint64_t flows_started = 0;
  uint64_t flows_done = 0;
  uint64_t flows_total = 0;  ///< expected flows for the whole run (0 if unknown)
  uint32_t steps_done = 0;
  uint32_t steps_total = 0;
};

class Progress {
 public:
  virtual ~Progress() = default;
  virtual void update(const ProgressInfo& info) = 0;
  /// A one-line message that must not be overwritten (phase changes, the final summary).
  virtual void message(const std::string& line) = 0;
};

/// Says nothing.
class NullProgress final : public Progress {
 public:
  void update(const ProgressInfo&) override {}
  void message(const std::string&) override {}
};

}  // namespace gigasim
