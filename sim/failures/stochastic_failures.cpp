// `kind: stochastic`: per-class failure processes. Each process is a renewal process over its
// class — rate n / mtbf for n components, or servers x rate / 1,000 days — with exponential or
// Weibull inter-arrival times (same mean), drawing events in [0, horizon); each failure hits one
// component of the class drawn uniformly. One random stream per process, from (seed, process
// index): adding a process leaves the others' events alone.
//   horizon: 1h
//   processes:
//     - {class: link, mtbf: 5000h, kind: down, repair: 10min, distribution: weibull, shape: 0.8}
//     - {class: gpu, rate: 2.4}     # per 1,000 node-days
#include <fmt/format.h>

#include <cmath>
#include <random>

#include "sim/core/hash.hpp"
#include "sim/failures/failure_spec.hpp"
#include "sim/failures/failure_targets.hpp"
#include "sim/failures/models.hpp"
#include "sim/failures/random.hpp"

namespace gigasim {
namespace {

struct ProcessSpec {
  TargetKind cls = TargetKind::kLink;
  // Failures per component and second: from `mtbf` (per component) or `rate` (per 1,000
  // node-days for the whole class: the class's components share it).
  double per_component_per_s = 0;
  double rate_per_1000_node_days = -1;  // >= 0 when given as a rate
  double shape = 1;                     // Weibull shape (1: exponential)
  FailureKind kind = FailureKind::kDown;
  double duration_s = 0;                // repair time
  double factor = 1;
  SourceLocation where;
};

class StochasticSource final : public FailureSource {
 public:
  StochasticSource(std::vector<ProcessSpec> processes, double horizon_s)
      : processes_(std::move(processes)), horizon_s_(horizon_s) {}
  void schedule(const Topology& topo, uint64_t seed, std::vector<FailureEvent>& out) const override {
    for (size_t i = 0; i < processes_.size(); ++i) {
      const ProcessSpec& p = processes_[i];
      const uint32_t n = target_count(topo, p.cls);
      if (n == 0) continue;
      const double rate_per_s = p.rate_per_1000_node_days >= 0
                                    ? topo.servers * p.rate_per_1000_node_days / 1000 / 86400
                                    : n * p.per_component_per_s;
      if (!(rate_per_s > 0)) continue;
      std::mt19937_64 rng(mix64(mix64(seed) ^ (0x5851f42d4c957f2dULL * (i + 1))));
      const std::string origin = fmt::format("process {} ({})", to_string(p.cls), p.where.str());
      for (double t = renewal_interval(rng, 1 / rate_per_s, p.shape); t < horizon_s_;
           t += renewal_interval(rng, 1 / rate_per_s, p.shape)) {
        const auto k = static_cast<uint32_t>(uniform01(rng) * n);
        const FailureTarget target = target_at(topo, p.cls, std::min(k, n - 1));
        out.push_back(detail::make_failure_event({target}, target_name(topo, target), t, p.kind, p.duration_s, p.factor,
                                                 origin));
        if (out.size() > 1000000) throw ConfigError(p.where, "this process draws more than 1,000,000 failures: shorten the horizon");
      }
    }
  }

 private:
  std::vector<ProcessSpec> processes_;
  double horizon_s_;
};

class StochasticFailures final : public FailureModel {
 public:
  std::string_view kind() const override { return "stochastic"; }
  std::string_view description() const override {
    return "per-class failure processes (MTBF or rate per 1,000 node-days; exponential or Weibull)";
  }
  std::vector<std::string_view> keys() const override { return {"processes", "horizon"}; }
  std::unique_ptr<FailureSource> parse(const ConfigNode& entry) const override {
    const double horizon_s = entry.get_duration("horizon", 3600.0);
    if (!(horizon_s > 0)) entry.at("horizon").fail("horizon must be positive");
    std::vector<ProcessSpec> processes;
    if (auto pr = entry.find("processes")) {
      pr->require_sequence("a list of processes {class, mtbf or rate, kind, repair, distribution, shape}");
      for (size_t i = 0; i < pr->size(); ++i) processes.push_back(parse_process(pr->element(i)));
    }
    return std::make_unique<StochasticSource>(std::move(processes), horizon_s);
  }

 private:
  static ProcessSpec parse_process(const ConfigNode& p) {
    p.require_map("a process {class, mtbf or rate, kind, repair, distribution, shape, factor}");
    p.check_keys({"class", "mtbf", "rate", "kind", "repair", "distribution", "shape", "factor"});
    ProcessSpec x;
    x.where = p.where();
    x.cls = detail::parse_target_class(p.at("class"));
    if (p.has("mtbf") == p.has("rate")) p.fail("give a process exactly one of mtbf (per component) or rate (per 1,000 node-days)");
    if (p.has("mtbf")) {
      const double m = p.get_duration("mtbf");
      if (!(m > 0)) p.at("mtbf").fail("mtbf must be positive");
      x.per_component_per_s = 1 / m;
    } else {
      x.rate_per_1000_node_days = p.at("rate").as_double();
      if (!(x.rate_per_1000_node_days >= 0 && std::isfinite(x.rate_per_1000_node_days))) {
        p.at("rate").fail("rate must be a non-negative number of failures per 1,000 node-days");
      }
    }
    const std::string dist = p.get_string("distribution", "exponential");
    if (dist == "weibull") {
      x.shape = p.get_double("shape", 1.0);
      if (!(x.shape > 0 && x.shape <= 20)) p.at("shape").fail("shape must be in (0, 20]");
    } else if (dist == "exponential") {
      if (p.has("shape")) p.at("shape").fail("shape applies to distribution: weibull");
    } else {
      p.at("distribution").fail(fmt::format("distribution must be exponential or weibull, got '{}'", dist));
    }
    x.kind = p.has("kind") ? detail::parse_failure_kind(p.at("kind")) : FailureKind::kDown;
    x.duration_s = detail::parse_duration_or_forever(p, "repair");
    if (!(x.duration_s > 0)) p.at("repair").fail("repair must be positive (or forever)");
    x.factor = detail::parse_failure_factor(p, x.kind, x.cls, true);
    return x;
  }
};

}  // namespace

const FailureModel& stochastic_failure_model() {
  static const StochasticFailures m;
  return m;
}

}  // namespace gigasim
