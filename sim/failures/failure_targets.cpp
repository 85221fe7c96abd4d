#include "sim/failures/failure_targets.hpp"

#include <fnmatch.h>

#include <fmt/format.h>

namespace gigasim {
namespace {

bool is_fabric_cable(const Cable& c) { return c.kind == LinkKind::kFabric; }
bool is_nic_cable(const Cable& c) { return c.kind == LinkKind::kNic; }

bool glob(const std::string& pattern, const std::string& name) { return fnmatch(pattern.c_str(), name.c_str(), 0) == 0; }

// "gpu17" -> 17 when the pattern is exactly a prefix and a number.
std::optional<uint32_t> numbered(const std::string& pattern, const char* prefix) {
  const std::string p(prefix);
  if (pattern.rfind(p, 0) != 0 || pattern.size() == p.size()) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = p.size(); i < pattern.size(); ++i) {
    if (pattern[i] < '0' || pattern[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(pattern[i] - '0');
    if (v > UINT32_MAX) return std::nullopt;
  }
  return static_cast<uint32_t>(v);
}

}  // namespace

uint32_t target_count(const Topology& topo, TargetKind cls) {
  switch (cls) {
    case TargetKind::kGpu:
    case TargetKind::kNic: return topo.gpus;
    case TargetKind::kServer: return topo.servers;
    case TargetKind::kSwitch: {
      uint32_t n = 0;
      for (const Node& x : topo.nodes) n += x.kind == NodeKind::kSwitch;
      return n;
    }
    case TargetKind::kLink: {
      uint32_t n = 0;
      for (const Cable& c : topo.cables) n += is_fabric_cable(c);
      return n;
    }
  }
  return 0;
}

FailureTarget target_at(const Topology& topo, TargetKind cls, uint32_t i) {
  switch (cls) {
    case TargetKind::kGpu:
    case TargetKind::kServer: return {cls, i};
    case TargetKind::kNic: {
      // A GPU's first NIC cable (dual-plane GPUs have two; the first stands for the NIC).
      for (uint32_t c = 0; c < topo.cables.size(); ++c) {
        if (is_nic_cable(topo.cables[c]) && topo.cables[c].a == i && topo.cables[c].parallel == 0) return {cls, c};
      }
      break;
    }
    case TargetKind::kSwitch: {
      uint32_t k = 0;
      for (uint32_t n = 0; n < topo.nodes.size(); ++n) {
        if (topo.nodes[n].kind == NodeKind::kSwitch && k++ == i) return {cls, n};
      }
      break;
    }
    case TargetKind::kLink: {
      uint32_t k = 0;
      for (uint32_t c = 0; c < topo.cables.size(); ++c) {
        if (is_fabric_cable(topo.cables[c]) && k++ == i) return {cls, c};
      }
      break;
    }
  }
  return {cls, 0};
}

std::vector<FailureTarget> match_targets(const Topology& topo, const std::string& pattern,
                                         std::optional<TargetKind> cls) {
  std::vector<FailureTarget> out;
  auto want = [&](TargetKind k) { return !cls || *cls == k; };
  // Direct names first (no scan): gpuN, serverN.
  if (want(TargetKind::kGpu)) {
    if (auto g = numbered(pattern, "gpu"); g && *g < topo.gpus) return {{TargetKind::kGpu, *g}};
  }
  if (want(TargetKind::kServer)) {
    if (auto s = numbered(pattern, "server"); s && *s < topo.servers) return {{TargetKind::kServer, *s}};
  }
  const bool wild = pattern.find_first_of("*?[") != std::string::npos;
  if (wild && want(TargetKind::kGpu)) {
    for (uint32_t g = 0; g < topo.gpus; ++g) {
      if (glob(pattern, fmt::format("gpu{}", g))) out.push_back({TargetKind::kGpu, g});
    }
  }
  if (wild && want(TargetKind::kServer)) {
    for (uint32_t s = 0; s < topo.servers; ++s) {
      if (glob(pattern, fmt::format("server{}", s))) out.push_back({TargetKind::kServer, s});
    }
  }
  if (want(TargetKind::kSwitch)) {
    for (uint32_t n = 0; n < topo.nodes.size(); ++n) {
      if (topo.nodes[n].kind == NodeKind::kSwitch && glob(pattern, topo.node_name(n))) {
        out.push_back({TargetKind::kSwitch, n});
      }
    }
  }
  if (want(TargetKind::kNic) || want(TargetKind::kLink)) {
    for (uint32_t c = 0; c < topo.cables.size(); ++c) {
      const Cable& cab = topo.cables[c];
      const TargetKind k = is_nic_cable(cab) ? TargetKind::kNic : TargetKind::kLink;
      if ((is_nic_cable(cab) || is_fabric_cable(cab)) && want(k) && glob(pattern, topo.cable_name(c))) {
        out.push_back({k, c});
      }
    }
  }
  return out;
}

std::string target_name(const Topology& topo, const FailureTarget& t) {
  switch (t.kind) {
    case TargetKind::kGpu: return fmt::format("gpu{}", t.id);
    case TargetKind::kServer: return fmt::format("server{}", t.id);
    case TargetKind::kSwitch: return topo.node_name(t.id);
    case TargetKind::kLink:
    case TargetKind::kNic: return topo.cable_name(t.id);
  }
  return "?";
}

std::vector<LinkId> target_links(const Topology& topo, const FailureTarget& t) {
  std::vector<LinkId> out;
  auto both = [&](uint32_t c) {
    out.push_back(up_link(c));
    out.push_back(down_link(c));
  };
  switch (t.kind) {
    case TargetKind::kLink:
    case TargetKind::kNic: both(t.id); break;
    case TargetKind::kSwitch:
      for (uint32_t c = 0; c < topo.cables.size(); ++c) {
        if (topo.cables[c].a == t.id || topo.cables[c].b == t.id) both(c);
      }
      break;
    default: break;
  }
  return out;
}

std::vector<uint32_t> target_gpus(const Topology& topo, const FailureTarget& t) {
  if (t.kind == TargetKind::kGpu) return {t.id};
  if (t.kind != TargetKind::kServer) return {};
  std::vector<uint32_t> out;
  for (uint32_t g = t.id * topo.gpus_per_server; g < (t.id + 1) * topo.gpus_per_server && g < topo.gpus; ++g) {
    out.push_back(g);
  }
  return out;
}

}  // namespace gigasim
