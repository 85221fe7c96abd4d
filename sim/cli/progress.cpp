#include "sim/cli/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sim/core/error.hpp"
#include "sim/core/units.hpp"

namespace gigasim {
namespace {

std::string count(uint64_t n) {
  if (n >= 10'000'000) return fmt::format("{:.1f}M", n / 1e6);
  if (n >= 10'000) return fmt::format("{:.1f}k", n / 1e3);
  return std::to_string(n);
}

std::string status_line(const ProgressInfo& p) {
  std::string line = fmt::format("[step {}/{}] sim {} | wall {:.1f} s | flows {}", p.steps_done, p.steps_total,
                                 format_duration(p.sim_time_s), p.wall_s, count(p.flows_done));
  if (p.flows_total > 0) {
    line += "/" + count(p.flows_total);
    if (p.flows_done > 0 && p.flows_done < p.flows_total && p.wall_s > 1) {
      const double eta = p.wall_s * static_cast<double>(p.flows_total - p.flows_done) / static_cast<double>(p.flows_done);
      line += fmt::format(" | ETA {:.0f} s", eta);
    }
  }
  return line;
}

class TtyProgress final : public Progress {
 public:
  void update(const ProgressInfo& p) override {
    std::fprintf(stderr, "\r%s\x1b[K", status_line(p).c_str());
    std::fflush(stderr);
    dirty_ = true;
  }
  void message(const std::string& line) override {
    std::fprintf(stderr, "%s%s\n", dirty_ ? "\r\x1b[K" : "", line.c_str());
    dirty_ = false;
  }
  ~TtyProgress() override {
    if (dirty_) std::fprintf(stderr, "\n");
  }

 private:
  bool dirty_ = false;
};

class LogProgress final : public Progress {
 public:
  explicit LogProgress(double interval) : interval_(interval) {}
  void update(const ProgressInfo& p) override {
    const bool step_changed = p.steps_done != last_steps_;
    if (!step_changed && p.wall_s - last_wall_ < interval_) return;
    last_wall_ = p.wall_s;
    last_steps_ = p.steps_done;
    std::fprintf(stderr, "%s gigasim: %s\n", stamp().c_str(), status_line(p).c_str());
  }
  void message(const std::string& line) override { std::fprintf(stderr, "%s gigasim: %s\n", stamp().c_str(), line.c_str()); }

 private:
  static std::string stamp() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
    return buf;
  }
  double interval_;
  double last_wall_ = 0;
  uint32_t last_steps_ = 0;
};

}  // namespace

std::unique_ptr<Progress> make_progress(const std::string& mode, double log_interval_s) {
  std::string m = mode;
  if (m == "auto") {
    const char* term = std::getenv("TERM");
    const bool smart = isatty(STDERR_FILENO) && term != nullptr && std::strcmp(term, "dumb") != 0;
    m = smart ? "tty" : "log";
  }
  if (m == "tty") return std::make_unique<TtyProgress>();
  if (m == "log") return std::make_unique<LogProgress>(log_interval_s);
  if (m == "none") return std::make_unique<NullProgress>();
  throw ConfigError(fmt::format("--progress must be auto, tty, log or none, got '{}'", mode));
}

}  // namespace gigasim
