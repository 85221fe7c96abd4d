#pragma once
// FailureSpec: the `failures:` section of a run file (or the file it names) — scheduled events,
// stochastic failure processes, how the network recovers, and the seed. Targets are still names
// or glob patterns here; a FailureModel resolves them on a topology.
//
//   failures:
//     events:
//       - {at: 2ms, target: leaf3-spine5, kind: down, duration: 50ms}
//       - {at: 0, target: "gpu1?", kind: slow, factor: 1.3}        # stragglers
//     processes:
//       - {class: link, mtbf: 5000h, kind: down, repair: 10min, distribution: weibull, shape: 0.8}
//       - {class: gpu, rate: 2.4}                                  # per 1,000 node-days
//     recovery: {reissue_delay: 1ms}
//     horizon: 1h        # processes draw events in [0, horizon)
//     seed: 7            # default: the run's seed

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/yaml.hpp"
#include "sim/failures/failure_event.hpp"

namespace gigasim {

struct EventSpec {
  double time_s = 0, duration_s = 0;
  std::string target;                 ///< a name or a glob pattern (* and ?)
  std::optional<TargetKind> cls;      ///< restricts the match to one class
  FailureKind kind = FailureKind::kDown;
  double factor = 1;
  SourceLocation where;
};

struct ProcessSpec {
  TargetKind cls = TargetKind::kLink;
  /// Failures per component and second: from `mtbf` (per component) or `rate` (per 1,000
  /// node-days for the whole class: the class's components share it).
  double per_component_per_s = 0;
  double rate_per_1000_node_days = -1;  ///< >= 0 when given as a rate
  double shape = 1;                     ///< Weibull shape (1: exponential)
  FailureKind kind = FailureKind::kDown;
  double duration_s = 0;                ///< repair time
  double factor = 1;
  SourceLocation where;
};

struct FailureSpec {
  std::vector<EventSpec> events;
  std::vector<ProcessSpec> processes;
  double reissue_delay_s = 1e-3;  ///< a flow cut by a failure restarts on a new path after this
  double horizon_s = 3600;
  uint64_t seed = 1;
  bool empty() const { return events.empty() && processes.empty(); }
};

/// Throws: ConfigError at the offending key.
FailureSpec parse_failures(const ConfigNode& node, uint64_t default_seed);
bool parse_target_kind(const std::string& s, TargetKind& out);

}  // namespace gigasim
