// `kind: scheduled`: the events a run file names, each at a given simulated time, on every
// component its target name or glob pattern matches (one event hits them all at once).
//   events:
//     - {at: 2ms, target: leaf3-spine5, kind: down, duration: 50ms}
//     - {at: 0, target: "gpu1?", class: gpu, kind: slow, factor: 1.3}
#include <fmt/format.h>

#include <optional>
#include <string>

#include "sim/failures/failure_spec.hpp"
#include "sim/failures/failure_targets.hpp"
#include "sim/failures/models.hpp"

namespace gigasim {
namespace {

struct EventSpec {
  double time_s = 0, duration_s = 0;
  std::string target;             // a name or a glob pattern (* and ?)
  std::optional<TargetKind> cls;  // restricts the match to one class
  FailureKind kind = FailureKind::kDown;
  double factor = 1;
  SourceLocation where;
};

bool kind_fits(FailureKind k, TargetKind t) {
  const bool compute = t == TargetKind::kGpu || t == TargetKind::kServer;
  return k == FailureKind::kDown || (k == FailureKind::kSlow) == compute;
}

class ScheduledSource final : public FailureSource {
 public:
  explicit ScheduledSource(std::vector<EventSpec> events) : events_(std::move(events)) {}
  void schedule(const Topology& topo, uint64_t, std::vector<FailureEvent>& out) const override {
    for (const EventSpec& e : events_) {
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
      out.push_back(detail::make_failure_event(ts, name, e.time_s, e.kind, e.duration_s, e.factor, e.where.str()));
    }
  }

 private:
  std::vector<EventSpec> events_;
};

class ScheduledFailures final : public FailureModel {
 public:
  std::string_view kind() const override { return "scheduled"; }
  std::string_view description() const override {
    return "events at given times on named components (down, degrade, slow; glob patterns)";
  }
  std::vector<std::string_view> keys() const override { return {"events"}; }
  std::unique_ptr<FailureSource> parse(const ConfigNode& entry) const override {
    std::vector<EventSpec> events;
    if (auto ev = entry.find("events")) {
      ev->require_sequence("a list of events {at, target, kind, duration, factor}");
      for (size_t i = 0; i < ev->size(); ++i) {
        const ConfigNode e = ev->element(i);
        e.require_map("an event {at, target, kind, duration, factor}");
        e.check_keys({"at", "target", "class", "kind", "duration", "factor"});
        EventSpec x;
        x.where = e.where();
        x.time_s = e.get_duration("at");
        x.target = e.get_string("target");
        if (x.target.empty()) e.at("target").fail("target is empty");
        if (auto c = e.find("class")) x.cls = detail::parse_target_class(*c);
        x.kind = e.has("kind") ? detail::parse_failure_kind(e.at("kind")) : FailureKind::kDown;
        x.duration_s = detail::parse_duration_or_forever(e, "duration");
        if (!(x.duration_s > 0)) e.at("duration").fail("duration must be positive (or forever)");
        x.factor = detail::parse_failure_factor(e, x.kind, x.cls.value_or(TargetKind::kLink), x.cls.has_value());
        events.push_back(std::move(x));
      }
    }
    return std::make_unique<ScheduledSource>(std::move(events));
  }
};

}  // namespace

const FailureModel& scheduled_failure_model() {
  static const ScheduledFailures m;
  return m;
}

}  // namespace gigasim
