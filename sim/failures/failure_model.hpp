#pragma once
// FailureModel: the seam for where failure events come from. A model turns the FailureSpec of a
// run into concrete events on a topology — deterministic for a seed, sorted by time. The
// models are listed explicitly in sim/failures/builtin.cpp: `scheduled` (the events the run
// file names, each target name or pattern resolved to every component it matches) and
// `stochastic` (per-class failure processes: exponential or Weibull inter-arrival times, each
// failure on a component drawn uniformly from the class).

#include <string_view>
#include <vector>

#include "sim/core/topology.hpp"
#include "sim/failures/failure_event.hpp"
#include "sim/failures/failure_spec.hpp"

namespace gigasim {

class FailureModel {
 public:
  virtual ~FailureModel() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  /// Appends this model's events. Throws: ConfigError (a target that matches nothing...).
  virtual void schedule(const FailureSpec& spec, const Topology& topo, std::vector<FailureEvent>& out) const = 0;
};

const std::vector<const FailureModel*>& failure_models();
/// Every model's events, sorted by time (stable: equal times keep the spec's order).
std::vector<FailureEvent> schedule_failures(const FailureSpec& spec, const Topology& topo);

}  // namespace gigasim
