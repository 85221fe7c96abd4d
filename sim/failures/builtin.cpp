// The explicit list of failure models: scheduled events and stochastic processes.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "sim/core/hash.hpp"
#include "sim/failures/failure_model.hpp"
#include "sim/failures/failure_targets.hpp"
#include "sim/failures/random.hpp"

namespace gigasim {
namespace {

FailureEvent make_event(std::vector<FailureTarget> targets, std::string name, double time_s, FailureKind kind,
                        double duration_s, double factor, std::string origin) {
  FailureEvent e;
  e.time_s = time_s;
  e.duration_s = duration_s;
  e.target_kind = targets.at(0).kind;
  e.targets = std::move(targets);
  e.target = std::move(name);
  e.kind = kind;
  e.factor = factor;
  e.origin = std::move(origin);
  return e;
}

bool kind_fits(FailureKind k, TargetKind t) {
  const bool compute = t == TargetKind::kGpu || t == TargetKind::kServer;
  return k == FailureKind::kDown || (k == FailureKind::kSlow) == compute;
}

class ScheduledFailures final : public FailureModel {
 public:
  std::string_view name() const override { return "scheduled"; }
  std::string_view description() const override { return "events at given times on named components"; }
  void schedule(const FailureSpec& spec, const Topology& topo, std::vector<FailureEvent>& out) const override {
    for (const EventSpec& e : spec.events) {
      const std::vector<FailureTarget> ts = match_targets(topo, e.target, e.cls);
      if (ts.empty()) {
        throw ConfigError(e.where, fmt::format("target '{}' matches no {} of this topology (names: gpuN, nicN, serverN, "
                                               "switches such as {}, links such as {})",
                                               e.target, e.cls ? to_string(*e.cls) : "component",
                                               target_name(topo, target_at(topo, TargetKind::kSwitch, 0)),
                                               target_name(topo, target_at(topo, TargetKind::kLink, 0))));
      }
      for (const FailureTarget& t : ts) {
        if (!kind_fits(e.kind, t.kind)) {
          throw ConfigError(e.where, fmt::format("'{}' is a {}: kind {} applies to {}", target_name(topo, t),
                                                 to_string(t.kind), to_string(e.kind),
                                                 e.kind == FailureKind::kSlow ? "GPUs and servers"
                                                                              : "links, switches and NICs"));
        }
      }
      const std::string name = ts.size() == 1 ? target_name(topo, ts[0]) : e.target;
      out.push_back(make_event(ts, name, e.time_s, e.kind, e.duration_s, e.factor, e.where.str()));
    }
  }
};

class StochasticFailures final : public FailureModel {
 public:
  std::string_view name() const override { return "stochastic"; }
  std::string_view description() const override {
    return "per-class failure processes (MTBF or rate per 1,000 node-days; exponential or Weibull)";
  }
  void schedule(const FailureSpec& spec, const Topology& topo, std::vector<FailureEvent>& out) const override {
    for (size_t i = 0; i < spec.processes.size(); ++i) {
      const ProcessSpec& p = spec.processes[i];
      const uint32_t n = target_count(topo, p.cls);
      if (n == 0) continue;
      // The class's failures: a renewal process of rate n / mtbf, or servers x rate / 1,000 days.
      const double rate_per_s = p.rate_per_1000_node_days >= 0
                                    ? topo.servers * p.rate_per_1000_node_days / 1000 / 86400
                                    : n * p.per_component_per_s;
      if (!(rate_per_s > 0)) continue;
      // One stream per process, from (seed, process index): adding a process leaves the others alone.
      std::mt19937_64 rng(mix64(mix64(spec.seed) ^ (0x5851f42d4c957f2dULL * (i + 1))));
      const std::string origin = fmt::format("process {} ({})", to_string(p.cls), p.where.str());
      for (double t = renewal_interval(rng, 1 / rate_per_s, p.shape); t < spec.horizon_s;
           t += renewal_interval(rng, 1 / rate_per_s, p.shape)) {
        const auto k = static_cast<uint32_t>(uniform01(rng) * n);
        const FailureTarget target = target_at(topo, p.cls, std::min(k, n - 1));
        out.push_back(make_event({target}, target_name(topo, target), t, p.kind, p.duration_s, p.factor, origin));
        if (out.size() > 1000000) throw ConfigError(p.where, "this process draws more than 1,000,000 failures: shorten the horizon");
      }
    }
  }
};

}  // namespace

const std::vector<const FailureModel*>& failure_models() {
  static const ScheduledFailures scheduled;
  static const StochasticFailures stochastic;
  static const std::vector<const FailureModel*> all{&scheduled, &stochastic};
  return all;
}

std::vector<FailureEvent> schedule_failures(const FailureSpec& spec, const Topology& topo) {
  std::vector<FailureEvent> out;
  for (const FailureModel* m : failure_models()) m->schedule(spec, topo, out);
  std::stable_sort(out.begin(), out.end(), [](const FailureEvent& a, const FailureEvent& b) { return a.time_s < b.time_s; });
  return out;
}

}  // namespace gigasim
