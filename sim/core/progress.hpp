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
  /// A run's state (formatted as one status line).
  void update(const ProgressInfo& info);
  /// A status line: redrawn in place on a terminal, printed now and then in logs (`milestone`:
  /// print it in logs whatever the interval, e.g. a finished step).
  virtual void status(const std::string& line, bool milestone) = 0;
  /// A one-line message that must not be overwritten (phase changes, the final summary).
  virtual void message(const std::string& line) = 0;

 private:
  uint32_t last_steps_ = 0;
};

/// Says nothing.
class NullProgress final : public Progress {
 public:
  void status(const std::string&, bool) override {}
  void message(const std::string&) override {}
};

}  // namespace gigasim
