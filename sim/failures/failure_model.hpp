#pragma once
// FailureModel: the seam for where failure events come from. A model is chosen by `kind:` in a
// run's `failures.models` list (or by its own keys at the top of `failures:`, the short form),
// parses its own YAML into a FailureSource, and the source turns into concrete events on a
// topology: deterministic for a seed, each event's targets resolved to the components its name
// or pattern matches. The models are listed explicitly in sim/failures/builtin.cpp:
//   scheduled   the events the file names, at given times (scheduled_failures.cpp);
//   stochastic  per-class failure processes, exponential or Weibull inter-arrival times, each
//               failure on a component drawn uniformly from its class (stochastic_failures.cpp).

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "sim/core/topology.hpp"
#include "sim/core/yaml.hpp"
#include "sim/failures/failure_event.hpp"

namespace gigasim {

/// One configured model: what one `failures.models` entry (or the short form) asked for.
class FailureSource {
 public:
  virtual ~FailureSource() = default;
  /// Appends the events on `topo`, deterministic for `seed`. Throws: ConfigError (a target that
  /// matches nothing, a kind that does not apply to what it matched...).
  virtual void schedule(const Topology& topo, uint64_t seed, std::vector<FailureEvent>& out) const = 0;
};

class FailureModel {
 public:
  virtual ~FailureModel() = default;
  /// The `kind:` this model handles.
  virtual std::string_view kind() const = 0;
  /// One line for `gigasim inspect --list`.
  virtual std::string_view description() const = 0;
  /// The keys of its own YAML (besides `kind`), which may also stand at the top of `failures:`.
  virtual std::vector<std::string_view> keys() const = 0;
  /// Reads this model's keys of `entry` (other keys are the caller's). Throws: ConfigError.
  virtual std::unique_ptr<FailureSource> parse(const ConfigNode& entry) const = 0;
};

/// Every model, in the order `inspect --list` shows them.
const std::vector<const FailureModel*>& failure_models();
/// nullptr if unknown.
const FailureModel* find_failure_model(std::string_view kind);

}  // namespace gigasim
