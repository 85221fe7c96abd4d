#pragma once
// FailureSpec: the `failures:` section of a run file (or the file it names) — the failure models
// that produce events (each chosen by `kind:` and parsing its own keys), how the network
// recovers, and the seed. Targets are still names or glob patterns here; scheduling resolves
// them on a topology.
//
//   failures:
//     models:
//       - kind: scheduled
//         events:
//           - {at: 2ms, target: leaf3-spine5, kind: down, duration: 50ms}
//           - {at: 0, target: "gpu1?", kind: slow, factor: 1.3}      # stragglers
//       - kind: stochastic
//         horizon: 1h        # processes draw events in [0, horizon)
//         processes:
//           - {class: link, mtbf: 5000h, kind: down, repair: 10min, distribution: weibull, shape: 0.8}
//           - {class: gpu, rate: 2.4}                                # per 1,000 node-days
//     recovery: {reissue_delay: 1ms}
//     seed: 7            # default: the run's seed
//
// Short form: a model's own keys at the top of `failures:` (`events:`; `processes:` and
// `horizon:`) configure that model, as one entry of `models` would.

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/yaml.hpp"
#include "sim/failures/failure_event.hpp"
#include "sim/failures/failure_model.hpp"

namespace gigasim {

struct FailureSpec {
  struct Entry {
    const FailureModel* model = nullptr;
    std::shared_ptr<const FailureSource> source;
  };
  std::vector<Entry> sources;     ///< in file order: short forms first, then `models`
  double reissue_delay_s = 1e-3;  ///< a flow cut by a failure restarts on a new path after this
  uint64_t seed = 1;
  bool empty() const { return sources.empty(); }
};

/// Throws: ConfigError at the offending key.
FailureSpec parse_failures(const ConfigNode& node, uint64_t default_seed);
/// Every source's events, sorted by time (stable: equal times keep the spec's order). The k-th
/// source of a model draws from (seed, k), so adding a model leaves the others' events alone.
std::vector<FailureEvent> schedule_failures(const FailureSpec& spec, const Topology& topo);

bool parse_target_kind(const std::string& s, TargetKind& out);

namespace detail {
// YAML pieces the models share.
FailureKind parse_failure_kind(const ConfigNode& n);
TargetKind parse_target_class(const ConfigNode& n);
/// `key` as a duration, "forever" or absent: infinity.
double parse_duration_or_forever(const ConfigNode& map, std::string_view key);
/// `factor`: degrade keeps (0, 1) of the bandwidth; slow multiplies compute time by [1, 1000].
double parse_failure_factor(const ConfigNode& map, FailureKind kind, TargetKind cls, bool cls_known);
/// An event on `targets`, named `name`.
FailureEvent make_failure_event(std::vector<FailureTarget> targets, std::string name, double time_s, FailureKind kind,
                                double duration_s, double factor, std::string origin);
}  // namespace detail

}  // namespace gigasim
