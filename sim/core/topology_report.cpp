#include "sim/core/topology_report.hpp"

#include <algorithm>

#include "sim/core/topology_graph.hpp"

namespace gigasim {

TopologyReport make_topology_report(const Topology& topo) {
  TopologyReport r;
  r.kind = topo.kind;
  r.routing = topo.router->policy();
  r.gpus = topo.gpus;
  r.servers = topo.servers;
  r.gpus_per_server = topo.gpus_per_server;
  r.gpu_flops = topo.gpu_flops;
  r.tiers.resize(topo.tiers);
  for (uint32_t t = 0; t < topo.tiers; ++t) {
    r.tiers[t].name = topo.tier_names[t + 1];
    r.tiers[t].radix = topo.radix[t];
  }
  std::vector<uint32_t> ports(topo.nodes.size(), 0);
  for (const Node& n : topo.nodes) {
    if (n.kind == NodeKind::kNvSwitch) ++r.nvswitches;
    if (n.kind == NodeKind::kSwitch) ++r.tiers[n.tier - 1].switches;
  }
  auto class_name = [&](const Cable& c) -> std::string {
    if (c.kind == LinkKind::kNvLink) return "nvlink";
    if (c.kind == LinkKind::kNic) return "gpu-" + topo.tier_names[c.tier];
    return topo.tier_names[c.tier - 1] + "-" + topo.tier_names[c.tier];
  };
  double nic_bw_sum = 0;
  for (const Cable& c : topo.cables) {
    if (!topo.is_physical(c)) continue;
    ++ports[c.a];
    ++ports[c.b];
    const Node& lo = topo.nodes[c.a];
    const Node& hi = topo.nodes[c.b];
    if (hi.kind == NodeKind::kSwitch) r.tiers[hi.tier - 1].down_Bps += c.bw_Bps;
    if (lo.kind == NodeKind::kSwitch) r.tiers[lo.tier - 1].up_Bps += c.bw_Bps;
    if (c.kind == LinkKind::kNic && c.a < topo.gpus / 2) nic_bw_sum += c.bw_Bps;
    const std::string name = class_name(c);
    auto it = std::find_if(r.cable_classes.begin(), r.cable_classes.end(),
                           [&](const CableClassReport& cc) { return cc.name == name; });
    if (it == r.cable_classes.end()) {
      r.cable_classes.push_back(CableClassReport{name, 0, c.bw_Bps, c.latency_s});
      it = r.cable_classes.end() - 1;
    }
    ++it->cables;
  }
  for (NodeId n = 0; n < topo.nodes.size(); ++n) {
    if (topo.nodes[n].kind == NodeKind::kSwitch) {
      TierReport& t = r.tiers[topo.nodes[n].tier - 1];
      t.max_ports_used = std::max(t.max_ports_used, ports[n]);
    }
  }
  for (const CableClassReport& c : r.cable_classes) r.cables += c.cables;
  r.links = r.cables * 2;
  r.full_bisection_Bps = nic_bw_sum;
  TopologyGraph g(topo);
  r.connected = g.is_connected();
  r.bisection_Bps = g.bisection_bandwidth();
  r.diameter_hops = g.gpu_diameter_hops();
  // Two GPUs as far apart as the fabric gets: GPU 0 and the same rail of the last server (in the
  // last pod).
  r.ecmp_src = 0;
  r.ecmp_dst = topo.servers > 1 ? topo.gpus - topo.gpus_per_server : topo.gpus - 1;
  r.ecmp_paths = g.count_shortest_paths(r.ecmp_src, r.ecmp_dst);
  if (r.ecmp_paths == 0) r.ecmp_paths = g.count_shortest_paths(r.ecmp_src, r.ecmp_dst, true);
  return r;
}

}  // namespace gigasim
