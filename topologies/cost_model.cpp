#include "topologies/cost_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace gigasim {

PriceTable parse_price_table(const ConfigNode& node, PriceTable p) {
  node.require_map("a price table");
  node.check_keys({"switch_usd_per_port_gbps", "switch_watts_per_port_gbps", "switches", "transceiver_usd_per_gbps",
                   "transceiver_watts_per_gbps", "cable_usd"});
  p.switch_usd_per_port_gbps = node.get_double("switch_usd_per_port_gbps", p.switch_usd_per_port_gbps);
  p.switch_watts_per_port_gbps = node.get_double("switch_watts_per_port_gbps", p.switch_watts_per_port_gbps);
  p.transceiver_usd_per_gbps = node.get_double("transceiver_usd_per_gbps", p.transceiver_usd_per_gbps);
  p.transceiver_watts_per_gbps = node.get_double("transceiver_watts_per_gbps", p.transceiver_watts_per_gbps);
  p.cable_usd = node.get_double("cable_usd", p.cable_usd);
  if (auto sw = node.find("switches")) {
    sw->require_sequence("a list of {radix, speed, usd, watts}");
    for (size_t i = 0; i < sw->size(); ++i) {
      const ConfigNode e = sw->element(i);
      e.require_map("{radix, speed, usd, watts}");
      e.check_keys({"radix", "speed", "usd", "watts"});
      p.switches.push_back(SwitchPrice{static_cast<uint32_t>(e.get_int("radix", 1, 65536)),
                                       e.get_bandwidth("speed") * 8, e.get_double("usd", 0), e.get_double("watts", 0)});
    }
  }
  for (double v : {p.switch_usd_per_port_gbps, p.switch_watts_per_port_gbps, p.transceiver_usd_per_gbps,
                   p.transceiver_watts_per_gbps, p.cable_usd}) {
    if (v < 0) node.fail("prices and powers must not be negative");
  }
  return p;
}

CostReport estimate_cost(const Topology& topo, const PriceTable& prices) {
  CostReport r;
  // Each switch's port speed is its fastest cable.
  std::vector<double> port_bps(topo.nodes.size(), 0);
  std::vector<uint32_t> ports(topo.nodes.size(), 0);
  for (const Cable& c : topo.cables) {
    if (!topo.is_physical(c) || c.kind == LinkKind::kNvLink) continue;
    ++ports[c.a];
    ++ports[c.b];
    port_bps[c.a] = std::max(port_bps[c.a], c.bw_Bps * 8);
    port_bps[c.b] = std::max(port_bps[c.b], c.bw_Bps * 8);
    r.cables += 1;
    r.transceivers += 2;
    const double gbps = c.bw_Bps * 8 / 1e9;
    r.optics_usd += 2 * gbps * prices.transceiver_usd_per_gbps;
    r.optics_watts += 2 * gbps * prices.transceiver_watts_per_gbps;
    r.cables_usd += prices.cable_usd;
  }
  for (NodeId n = 0; n < topo.nodes.size(); ++n) {
    const Node& node = topo.nodes[n];
    if (node.kind != NodeKind::kSwitch) continue;
    // A box has its full radix; a `kind: graph` switch without one has the ports it uses.
    const uint32_t radix = topo.radix.at(node.tier - 1) >= 65536 ? ports[n] : topo.radix.at(node.tier - 1);
    const double speed = port_bps[n];
    double usd = radix * speed / 1e9 * prices.switch_usd_per_port_gbps;
    double watts = radix * speed / 1e9 * prices.switch_watts_per_port_gbps;
    for (const SwitchPrice& sp : prices.switches) {
      if (sp.radix == radix && std::fabs(sp.port_bps - speed) < 1e6) usd = sp.usd, watts = sp.watts;
    }
    const std::string tier = topo.tier_names[node.tier];
    auto it = std::find_if(r.tiers.begin(), r.tiers.end(), [&](const TierCost& t) {
      return t.tier == tier && t.radix == radix && t.port_bps == speed;
    });
    if (it == r.tiers.end()) {
      r.tiers.push_back(TierCost{tier, 0, radix, speed, usd, watts});
      it = r.tiers.end() - 1;
    }
    ++it->switches;
    r.switches_usd += usd;
    r.switches_watts += watts;
  }
  return r;
}

}  // namespace gigasim
