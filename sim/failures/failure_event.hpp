#pragma once
// FailureEvent: one thing that goes wrong during a simulated run, at a simulated time — a link,
// a switch (all its links) or a GPU's NIC going down, or degrading to a fraction of its
// bandwidth; a GPU or a whole server failing (which aborts the step), or slowing down (a
// straggler: its compute takes `factor` times as long). Events come from a FailureModel
// (scheduled in the run file, or drawn from stochastic processes) and are applied in SimGrid
// by the FailureInjector.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace gigasim {

enum class TargetKind : uint8_t { kLink = 0, kSwitch = 1, kNic = 2, kGpu = 3, kServer = 4 };
enum class FailureKind : uint8_t { kDown = 0, kDegrade = 1, kSlow = 2 };

const char* to_string(TargetKind k);
const char* to_string(FailureKind k);

/// One component a failure hits.
struct FailureTarget {
  TargetKind kind = TargetKind::kLink;
  uint32_t id = 0;  ///< cable index (link, nic), node id (switch), GPU or server index
};

/// One event hits every component a name or pattern matched, at once (e.g. all uplinks of a
/// leaf); its impact is measured as one.
struct FailureEvent {
  double time_s = 0;
  double duration_s = std::numeric_limits<double>::infinity();  ///< until repaired (inf: never)
  TargetKind target_kind = TargetKind::kLink;  ///< of the first target
  std::vector<FailureTarget> targets;
  std::string target;      ///< the name or pattern (a drawn event: the component's name)
  FailureKind kind = FailureKind::kDown;
  /// degrade: the fraction of bandwidth left; slow: the compute-time multiplier.
  double factor = 1;
  std::string origin;      ///< "run.yaml:12:5" for a scheduled event, "process link" for a drawn one
};

}  // namespace gigasim
