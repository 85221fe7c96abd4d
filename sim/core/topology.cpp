#include "sim/core/topology.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace gigasim {

const char* to_string(NodeKind k) {
  switch (k) {
    case NodeKind::kGpu: return "gpu";
    case NodeKind::kNvSwitch: return "nvswitch";
    case NodeKind::kSwitch: return "switch";
    case NodeKind::kTrunk: return "trunk";
  }
  return "?";
}

const char* to_string(LinkKind k) {
  switch (k) {
    case LinkKind::kNvLink: return "nvlink";
    case LinkKind::kNic: return "nic";
    case LinkKind::kFabric: return "fabric";
    case LinkKind::kTrunk: return "trunk";
  }
  return "?";
}

NodeId Topology::link_source(LinkId l) const {
  const Cable& c = cables[cable_of(l)];
  return is_down_link(l) ? c.b : c.a;
}

NodeId Topology::link_target(LinkId l) const {
  const Cable& c = cables[cable_of(l)];
  return is_down_link(l) ? c.a : c.b;
}

std::string Topology::node_name(NodeId id) const {
  if (!names.empty()) return names[id];
  const Node& n = nodes[id];
  const std::string prefix = n.copy >= 0 && copies > 1 ? fmt::format("{}{}.", copy_name, n.copy) : "";
  switch (n.kind) {
    case NodeKind::kGpu: return fmt::format("gpu{}", n.index);
    case NodeKind::kNvSwitch: return fmt::format("nvs{}", n.index);
    case NodeKind::kSwitch:
      return fmt::format("{}{}{}", prefix, n.tier < tier_names.size() ? tier_names[n.tier] : "sw", n.index);
    case NodeKind::kTrunk:
      return fmt::format("{}{}-set{}", prefix, n.tier < tier_names.size() ? tier_names[n.tier] : "sw", n.index);
  }
  return "?";
}

std::string Topology::cable_name(uint32_t c) const {
  const Cable& cab = cables[c];
  switch (cab.kind) {
    case LinkKind::kNvLink:
      if (!names.empty()) break;
      return fmt::format("nvl{}", nodes[cab.a].index);
    case LinkKind::kNic:
      if (!names.empty()) break;
      if (cab.parallel == 0) return fmt::format("nic{}", nodes[cab.a].index);
      return fmt::format("nic{}#{}", nodes[cab.a].index, cab.parallel);
    case LinkKind::kTrunk:
    case LinkKind::kFabric:
      break;
  }
  if (cab.parallel == 0) return fmt::format("{}-{}", node_name(cab.a), node_name(cab.b));
  return fmt::format("{}-{}#{}", node_name(cab.a), node_name(cab.b), cab.parallel);
}

std::string Topology::link_name(LinkId l) const {
  return cable_name(cable_of(l)) + (is_down_link(l) ? "_DOWN" : "_UP");
}

double Topology::path_latency(uint32_t src, uint32_t dst) const {
  Path p;
  if (!router->route(src, dst, 0, AllLinksUp{}, p)) return std::numeric_limits<double>::infinity();
  double lat = 0;
  for (LinkId l : p) lat += cables[cable_of(l)].latency_s;
  return lat;
}

double Topology::path_bandwidth(uint32_t src, uint32_t dst) const {
  Path p;
  double bw = std::numeric_limits<double>::infinity();
  if (!router->route(src, dst, 0, AllLinksUp{}, p)) return 0;
  for (LinkId l : p) bw = std::min(bw, cables[cable_of(l)].bw_Bps);
  return bw;
}

}  // namespace gigasim
