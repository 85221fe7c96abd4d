#include "sim/cli/failure_impact.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

#include "sim/core/error.hpp"
#include "sim/core/interrupt.hpp"

namespace gigasim {
namespace {

bool write_all(int fd, const void* p, size_t n) {
  const auto* c = static_cast<const char*>(p);
  while (n > 0) {
    const ssize_t k = ::write(fd, c, n);
    if (k <= 0) return false;
    c += k;
    n -= static_cast<size_t>(k);
  }
  return true;
}

bool read_all(int fd, void* p, size_t n) {
  auto* c = static_cast<char*>(p);
  while (n > 0) {
    const ssize_t k = ::read(fd, c, n);
    if (k <= 0) return false;
    c += k;
    n -= static_cast<size_t>(k);
  }
  return true;
}

}  // namespace

ChildReplay replay_in_child(const Topology& topo, const Workload& work, const NetworkModelSpec& net,
                            const ReplayOptions& opt) {
  int fd[2];
  if (pipe(fd) != 0) throw SimulationError(fmt::format("failure impact: pipe failed: {}", std::strerror(errno)));
  const pid_t pid = fork();
  if (pid < 0) throw SimulationError(fmt::format("failure impact: fork failed: {}", std::strerror(errno)));
  if (pid == 0) {
    interrupt::mark_forked_child();  // a signal ends it silently; the parent reports
    ::close(fd[0]);
    int code = 0;
    try {
      ReplayOptions o = opt;
      o.progress = nullptr;
      o.timeline = nullptr;
      ReplayEngine engine(topo, work, net, o);
      const ReplayResult res = engine.run();
      const uint64_t n = res.steps.size(), len = res.error.size();
      const uint8_t ok = res.ok ? 1 : 0;
      bool w = write_all(fd[1], &ok, 1) && write_all(fd[1], &n, sizeof n);
      for (const StepRecord& s : res.steps) {
        const double d = s.end_s >= s.start_s ? s.duration() : std::numeric_limits<double>::quiet_NaN();
        w = w && write_all(fd[1], &d, sizeof d) && write_all(fd[1], &s.start_s, sizeof s.start_s);
      }
      w = w && write_all(fd[1], &len, sizeof len) && write_all(fd[1], res.error.data(), len);
      code = w ? 0 : 3;
    } catch (...) {
      code = 1;
    }
    ::close(fd[1]);
    std::_Exit(code);
  }
  ::close(fd[1]);
  interrupt::add_child(pid);
  ChildReplay out;
  uint8_t ok = 0;
  uint64_t n = 0, len = 0;
  bool r = read_all(fd[0], &ok, 1) && read_all(fd[0], &n, sizeof n) && n <= (1u << 24);
  for (uint64_t i = 0; r && i < n; ++i) {
    double d = 0, s = 0;
    r = read_all(fd[0], &d, sizeof d) && read_all(fd[0], &s, sizeof s);
    out.step_s.push_back(d);
    out.step_start_s.push_back(s);
  }
  r = r && read_all(fd[0], &len, sizeof len) && len < (1u << 20);
  if (r) {
    out.error.resize(len);
    r = read_all(fd[0], out.error.data(), len);
  }
  ::close(fd[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  interrupt::remove_child(pid);
  if (!r || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw SimulationError("failure impact: a comparison replay died (run with --failure-impact none to skip it)");
  }
  out.ok = ok != 0;
  return out;
}

FailureImpact measure_failure_impact(const Topology& topo, const Workload& work, const NetworkModelSpec& net,
                                     const ReplayOptions& opt, bool each) {
  FailureImpact fi;
  ReplayOptions none = opt;
  none.failures.clear();
  fi.baseline = replay_in_child(topo, work, net, none);
  fi.lost_s.assign(opt.failures.size(), std::numeric_limits<double>::quiet_NaN());
  if (!each || !fi.baseline.ok) return fi;
  for (size_t i = 0; i < opt.failures.size(); ++i) {
    ReplayOptions one = opt;
    one.failures = {opt.failures[i]};
    const ChildReplay c = replay_in_child(topo, work, net, one);
    const FailureEvent& e = opt.failures[i];
    const bool aborts = e.kind == FailureKind::kDown && (e.target_kind == TargetKind::kGpu ||
                                                          e.target_kind == TargetKind::kServer);
    double lost = 0;
    for (size_t s = 0; s < c.step_s.size() && s < fi.baseline.step_s.size(); ++s) {
      if (std::isfinite(c.step_s[s])) {
        lost += c.step_s[s] - fi.baseline.step_s[s];
      } else if (aborts) {  // the work of the aborted step up to the failure
        lost += std::max(0.0, e.time_s - fi.baseline.step_start_s[s]);
        break;
      } else {
        lost = std::numeric_limits<double>::quiet_NaN();  // the run failed (no path left)
        break;
      }
    }
    fi.lost_s[i] = lost;
  }
  return fi;
}

}  // namespace gigasim
