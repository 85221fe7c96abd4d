#include "sim/failures/failure_spec.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace gigasim {

const char* to_string(TargetKind k) {
  static constexpr const char* kNames[] = {"link", "switch", "nic", "gpu", "server"};
  return kNames[static_cast<size_t>(k)];
}

const char* to_string(FailureKind k) {
  static constexpr const char* kNames[] = {"down", "degrade", "slow"};
  return kNames[static_cast<size_t>(k)];
}

bool parse_target_kind(const std::string& s, TargetKind& out) {
  for (TargetKind k : {TargetKind::kLink, TargetKind::kSwitch, TargetKind::kNic, TargetKind::kGpu, TargetKind::kServer}) {
    if (s == to_string(k)) {
      out = k;
      return true;
    }
  }
  return false;
}

namespace {

FailureKind parse_kind(const ConfigNode& n) {
  const std::string s = n.as_string();
  for (FailureKind k : {FailureKind::kDown, FailureKind::kDegrade, FailureKind::kSlow}) {
    if (s == to_string(k)) return k;
  }
  n.fail(fmt::format("kind must be down, degrade or slow, got '{}'", s));
}

TargetKind parse_class(const ConfigNode& n) {
  TargetKind k;
  if (!parse_target_kind(n.as_string(), k)) {
    n.fail(fmt::format("class must be link, switch, nic, gpu or server, got '{}'", n.as_string()));
  }
  return k;
}

double parse_duration_or_forever(const ConfigNode& map, std::string_view key) {
  auto n = map.find(key);
  if (!n || n->as_string() == "forever") return std::numeric_limits<double>::infinity();
  return n->as_duration();
}

// factor: degrade keeps (0, 1) of the bandwidth; slow multiplies compute time by >= 1.
double parse_factor(const ConfigNode& map, FailureKind kind, TargetKind cls, bool cls_known) {
  if (kind == FailureKind::kDown) {
    if (map.has("factor")) map.at("factor").fail("factor applies to degrade and slow, not down");
    return 1;
  }
  if (!map.has("factor")) map.fail(fmt::format("a '{}' event needs a factor", to_string(kind)));
  const ConfigNode f = map.at("factor");
  const double v = f.as_double();
  if (kind == FailureKind::kDegrade) {
    if (!(v > 0 && v < 1)) f.fail(fmt::format("degrade keeps a fraction of the bandwidth: factor in (0, 1), got {}", v));
    if (cls_known && (cls == TargetKind::kGpu || cls == TargetKind::kServer)) {
      f.fail("degrade applies to links, switches and NICs; slow GPUs or servers with kind: slow");
    }
  } else {
    if (!(v >= 1 && v <= 1000)) f.fail(fmt::format("slow multiplies compute time: factor in [1, 1000], got {}", v));
    if (cls_known && cls != TargetKind::kGpu && cls != TargetKind::kServer) {
      f.fail("slow applies to GPUs and servers; degrade links with kind: degrade");
    }
  }
  return v;
}

}  // namespace

FailureSpec parse_failures(const ConfigNode& node, uint64_t default_seed) {
  node.require_map("a mapping {events, processes, recovery, horizon, seed}");
  node.check_keys({"events", "processes", "recovery", "horizon", "seed"});
  FailureSpec s;
  s.seed = static_cast<uint64_t>(node.get_int("seed", static_cast<int64_t>(default_seed), 0, INT64_MAX));
  s.horizon_s = node.get_duration("horizon", 3600.0);
  if (!(s.horizon_s > 0)) node.at("horizon").fail("horizon must be positive");
  if (auto r = node.find("recovery")) {
    r->require_map("{reissue_delay}");
    r->check_keys({"reissue_delay"});
    s.reissue_delay_s = r->get_duration("reissue_delay", s.reissue_delay_s);
  }
  if (auto ev = node.find("events")) {
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
      if (auto c = e.find("class")) x.cls = parse_class(*c);
      x.kind = e.has("kind") ? parse_kind(e.at("kind")) : FailureKind::kDown;
      x.duration_s = parse_duration_or_forever(e, "duration");
      if (!(x.duration_s > 0)) e.at("duration").fail("duration must be positive (or forever)");
      x.factor = parse_factor(e, x.kind, x.cls.value_or(TargetKind::kLink), x.cls.has_value());
      s.events.push_back(std::move(x));
    }
  }
  if (auto pr = node.find("processes")) {
    pr->require_sequence("a list of processes {class, mtbf or rate, kind, repair, distribution, shape}");
    for (size_t i = 0; i < pr->size(); ++i) {
      const ConfigNode p = pr->element(i);
      p.require_map("a process {class, mtbf or rate, kind, repair, distribution, shape, factor}");
      p.check_keys({"class", "mtbf", "rate", "kind", "repair", "distribution", "shape", "factor"});
      ProcessSpec x;
      x.where = p.where();
      x.cls = parse_class(p.at("class"));
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
      x.kind = p.has("kind") ? parse_kind(p.at("kind")) : FailureKind::kDown;
      x.duration_s = parse_duration_or_forever(p, "repair");
      if (!(x.duration_s > 0)) p.at("repair").fail("repair must be positive (or forever)");
      x.factor = parse_factor(p, x.kind, x.cls, true);
      s.processes.push_back(x);
    }
  }
  return s;
}

}  // namespace gigasim
