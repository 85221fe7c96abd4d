#include "sim/failures/failure_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "sim/core/hash.hpp"

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

namespace detail {


FailureKind parse_failure_kind(const ConfigNode& n) {
  const std::string s = n.as_string();
  for (FailureKind k : {FailureKind::kDown, FailureKind::kDegrade, FailureKind::kSlow}) {
    if (s == to_string(k)) return k;
  }
  n.fail(fmt::format("kind must be down, degrade or slow, got '{}'", s));
}

TargetKind parse_target_class(const ConfigNode& n) {
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

double parse_failure_factor(const ConfigNode& map, FailureKind kind, TargetKind cls, bool cls_known) {
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


FailureEvent make_failure_event(std::vector<FailureTarget> targets, std::string name, double time_s, FailureKind kind,
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

}  // namespace detail

FailureSpec parse_failures(const ConfigNode& node, uint64_t default_seed) {
  node.require_map("a mapping {models, recovery, seed} (or the short form: events, processes, horizon)");
  std::vector<std::string_view> keys{"models", "recovery", "seed"};
  for (const FailureModel* m : failure_models()) {
    for (std::string_view k : m->keys()) keys.push_back(k);
  }
  node.check_keys(keys);
  FailureSpec s;
  s.seed = static_cast<uint64_t>(node.get_int("seed", static_cast<int64_t>(default_seed), 0, INT64_MAX));
  if (auto r = node.find("recovery")) {
    r->require_map("{reissue_delay}");
    r->check_keys({"reissue_delay"});
    s.reissue_delay_s = r->get_duration("reissue_delay", s.reissue_delay_s);
  }
  // The short form: a model's own keys at the top.
  for (const FailureModel* m : failure_models()) {
    const std::vector<std::string_view> own = m->keys();
    if (std::any_of(own.begin(), own.end(), [&](std::string_view k) { return node.has(k); })) {
      s.sources.push_back(FailureSpec::Entry{m, m->parse(node)});
    }
  }
  if (auto ms = node.find("models")) {
    ms->require_sequence("a list of failure models {kind, ...}");
    for (size_t i = 0; i < ms->size(); ++i) {
      const ConfigNode e = ms->element(i);
      e.require_map("a failure model {kind, ...}");
      const ConfigNode kind = e.at("kind");
      const FailureModel* m = find_failure_model(kind.as_string());
      if (m == nullptr) {
        std::vector<std::string_view> names;
        std::string known;
        for (const FailureModel* x : failure_models()) {
          names.push_back(x->kind());
          known += (known.empty() ? "" : ", ") + std::string(x->kind());
        }
        const std::string hint = closest_match(kind.as_string(), names);
        kind.fail(fmt::format("unknown failure model '{}'{} (known: {})", kind.as_string(),
                              hint.empty() ? "" : " (did you mean '" + hint + "'?)", known));
      }
      std::vector<std::string_view> allowed{"kind"};
      for (std::string_view k : m->keys()) allowed.push_back(k);
      e.check_keys(allowed);
      s.sources.push_back(FailureSpec::Entry{m, m->parse(e)});
    }
  }
  return s;
}

std::vector<FailureEvent> schedule_failures(const FailureSpec& spec, const Topology& topo) {
  std::vector<FailureEvent> out;
  for (size_t i = 0; i < spec.sources.size(); ++i) {
    // The k-th source of its model draws from (seed, k): the first one from the seed itself.
    uint64_t k = 0;
    for (size_t j = 0; j < i; ++j) k += spec.sources[j].model == spec.sources[i].model;
    spec.sources[i].source->schedule(topo, k == 0 ? spec.seed : mix64(spec.seed ^ mix64(k)), out);
  }
  std::stable_sort(out.begin(), out.end(), [](const FailureEvent& a, const FailureEvent& b) { return a.time_s < b.time_s; });
  return out;
}

}  // namespace gigasim
