#pragma once
// ReplayResult: what one replay measured, before it is written anywhere — per-step and
// per-collective times (aggregated over ranks: earliest start, latest end, so sizes are O(steps
// + ops), never O(ranks)), link statistics, flow counts and wall-clock costs.

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/flow_plan.hpp"
#include "sim/failures/failure_event.hpp"
#include "sim/records/link_stats.hpp"

namespace gigasim {

/// Where one rank's step time went, seen from its compute stream: computing, or waiting for a
/// communication of a parallelism dimension (exposed communication), or for a pipeline
/// neighbour that had not yet produced its data (the bubble: the part of a wait on a receive
/// before its transfer began).
enum class TimeClass : uint8_t { kCompute = 0, kTP, kPP, kDP, kEP, kCP, kBubble, kOther, kCount };
const char* to_string(TimeClass c);
/// "tp" -> kTP... for group-family dims; anything else -> kOther.
TimeClass time_class_of_dim(const std::string& dim);
using Breakdown = std::array<double, static_cast<size_t>(TimeClass::kCount)>;

/// A step lasts from the end of the previous step (the latest rank to finish it) to its own end,
/// as training frameworks time iterations; the first step starts at its earliest rank.
struct StepRecord {
  double first_start_s = std::numeric_limits<double>::infinity();  ///< earliest rank start
  double start_s = std::numeric_limits<double>::infinity();
  double end_s = -std::numeric_limits<double>::infinity();   ///< latest rank end
  /// The critical rank: the one whose op ended the step, and where its time went.
  uint32_t critical_rank = 0;
  Breakdown breakdown{};
  double compute_s() const { return breakdown[0]; }
  double duration() const { return end_s - start_s; }
};

/// A collective runs from the moment its last member joins (it cannot complete earlier) to the
/// moment its last member is done: what nccl-tests times after its barrier.
struct CollectiveRecord {
  uint32_t program = 0;        ///< index into Workload::programs
  uint32_t op = 0;             ///< index into the program's ops
  double first_start_s = std::numeric_limits<double>::infinity();  ///< earliest member joined
  double start_s = -std::numeric_limits<double>::infinity();       ///< last member joined
  double end_s = -std::numeric_limits<double>::infinity();
  double alpha_s = 0;          ///< largest ring-neighbour route latency of the group
  uint64_t flows = 0;
  std::string algorithm;       ///< resolved: what ran (the algorithm's registry name)
  Protocol protocol = Protocol::kSimple;
  Fidelity fidelity = Fidelity::kCollapsed;
  uint32_t channels = 1;       ///< NCCL channels the plan models (auto resolved)
  double estimate_s = 0;       ///< the closed form (no contention)
};

/// One failure event and what it hit.
struct FailureRecord {
  FailureEvent event;
  bool applied = false;        ///< false: the run ended before its time
  uint32_t step = 0;           ///< the step in progress when it hit
  uint64_t flows_cut = 0;      ///< flows in flight over the links it took down (reissued)
  double lost_s = std::numeric_limits<double>::quiet_NaN();  ///< its impact on step time (set by the caller)
};

struct ReplayResult {
  bool ok = true;
  std::string error;           ///< why the run failed (which collective, which ranks)
  double sim_time_s = 0;
  uint64_t flows = 0;
  uint64_t route_calls = 0;
  double build_wall_s = 0;     ///< everything before Engine::run
  double platform_wall_s = 0;  ///< of which: SimGrid hosts and links
  double actors_wall_s = 0;    ///< of which: creating the rank actors
  double replay_wall_s = 0;    ///< Engine::run
  std::vector<StepRecord> steps;  ///< start_s set by finalize_steps()
  std::vector<CollectiveRecord> collectives;  ///< one per collective op, in program order
  std::vector<FailureRecord> failures;        ///< one per failure event, in time order
  uint64_t flows_cut = 0;                     ///< flows cut by failures and reissued
  uint32_t fold = 1;             ///< ranks each simulated rank stood for (rank folding)
  bool fold_exact = true;        ///< folding tied only copies that meet the same contention
  std::string fold_note;         ///< why the workload's folding was not used
  /// Under folding, per cable: the fold positions whose traffic can cross it (> 1: it carried
  /// every copy; 1: it carried one position's traffic); empty without folding.
  std::vector<uint8_t> link_share;
  std::unique_ptr<LinkStats> links;
};

/// Sets each step's start_s from first_start_s and the previous step's end.
void finalize_steps(std::vector<StepRecord>& steps);

}  // namespace gigasim
