#include "sim/records/timeline_recorder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "sim/core/error.hpp"

namespace gigasim {

TimelineRecorder::TimelineRecorder(std::vector<uint32_t> ranks, uint32_t first_step, uint32_t last_step)
    : ranks_(std::move(ranks)), first_step_(first_step), last_step_(last_step) {
  std::sort(ranks_.begin(), ranks_.end());
  ranks_.erase(std::unique(ranks_.begin(), ranks_.end()), ranks_.end());
}

bool TimelineRecorder::wants(uint32_t rank, uint32_t step) const {
  return step >= first_step_ && step <= last_step_ && std::binary_search(ranks_.begin(), ranks_.end(), rank);
}

void TimelineRecorder::record(uint32_t rank, uint32_t op, uint32_t stream, double start_s, double end_s) {
  events_.push_back(Event{rank, op, stream, start_s, end_s});
}

std::vector<uint32_t> parse_rank_list(const std::string& spec, uint32_t limit) {
  std::vector<uint32_t> out;
  size_t pos = 0;
  while (pos <= spec.size()) {
    const size_t comma = spec.find(',', pos);
    const std::string part = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (!part.empty()) {
      const size_t dash = part.find('-');
      try {
        const unsigned long a = std::stoul(part.substr(0, dash));
        const unsigned long b = dash == std::string::npos ? a : std::stoul(part.substr(dash + 1));
        if (b < a) throw std::invalid_argument("range");
        for (unsigned long r = a; r <= b && r < limit; ++r) out.push_back(static_cast<uint32_t>(r));
      } catch (const std::exception&) {
        throw ConfigError(fmt::format("--timeline-ranks '{}': expected ranks like 0-63,128", spec));
      }
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  if (out.empty()) throw ConfigError(fmt::format("--timeline-ranks '{}' selects no rank below {}", spec, limit));
  return out;
}

std::vector<uint32_t> default_timeline_ranks(uint32_t ranks, uint32_t gpus_per_server) {
  std::vector<uint32_t> out;
  for (uint32_t r = 0; r < std::min(ranks, gpus_per_server); ++r) out.push_back(r);
  if (ranks > gpus_per_server) {
    const uint32_t step = std::max(1U, ranks / 16);
    for (uint32_t r = step; r < ranks; r += step) out.push_back(r);
  }
  return out;
}

}  // namespace gigasim
