#include "sim/core/progress.hpp"

#include <fmt/format.h>

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

}  // namespace

void Progress::update(const ProgressInfo& info) {
  const bool step_done = info.steps_done != last_steps_;
  last_steps_ = info.steps_done;
  status(status_line(info), step_done);
}

}  // namespace gigasim
