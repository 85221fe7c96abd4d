#pragma once
// TimelineRecorder: what the replay keeps for a timeline — for a sample of ranks and steps (a
// full 100k-rank trace would be gigabytes), one event per op a sampled rank ran (compute or
// collective: its stream, start and end). The engine records into it; the timeline writer
// (sim/results/timeline_writer.hpp) turns it into a Chrome trace.

#include <cstdint>
#include <string>
#include <vector>

namespace gigasim {

class TimelineRecorder {
 public:
  /// `ranks` to sample (any order), steps [first_step, last_step].
  TimelineRecorder(std::vector<uint32_t> ranks, uint32_t first_step, uint32_t last_step);

  bool wants(uint32_t rank, uint32_t step) const;
  /// Op `op` (index into the rank's program's ops) ran on `rank`, on `stream`, from `start_s` to
  /// `end_s`.
  void record(uint32_t rank, uint32_t op, uint32_t stream, double start_s, double end_s);

  struct Event {
    uint32_t rank, op, stream;
    double start_s, end_s;
  };
  const std::vector<Event>& events() const { return events_; }
  const std::vector<uint32_t>& ranks() const { return ranks_; }

 private:
  std::vector<uint32_t> ranks_;  // sorted
  uint32_t first_step_, last_step_;
  std::vector<Event> events_;
};

/// Parses "0-63,128,1024-1031" into sorted rank numbers below `limit`. Throws: ConfigError.
std::vector<uint32_t> parse_rank_list(const std::string& spec, uint32_t limit);
/// The default sample: every GPU of the first server, and 16 ranks spread over the rest.
std::vector<uint32_t> default_timeline_ranks(uint32_t ranks, uint32_t gpus_per_server);

}  // namespace gigasim
