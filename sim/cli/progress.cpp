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

class TtyProgress final : public Progress {
 public:
  void status(const std::string& line, bool) override {
    std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
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
  explicit LogProgress(double interval) : interval_(interval), start_(std::chrono::steady_clock::now()) {}
  void status(const std::string& line, bool milestone) override {
    const double now = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (!milestone && now - last_wall_ < interval_) return;
    last_wall_ = now;
    std::fprintf(stderr, "%s gigasim: %s\n", stamp().c_str(), line.c_str());
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
  std::chrono::steady_clock::time_point start_;
  double last_wall_ = 0;
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
