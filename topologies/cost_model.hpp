#pragma once
// Cost model: what a fabric costs to buy and to power, from a price/power table — switches by
// radix and port speed, a transceiver at each end of every switch-facing cable, and the cable.
// NVLink, NICs and servers are not counted: this compares fabrics, not clusters. The defaults
// are rough list-price assumptions (documented in topologies/presets/README.md); give your own
// under `cost:` in a topology file or with `gigasim inspect --prices FILE`.

#include <string>
#include <vector>

#include "sim/core/topology.hpp"
#include "sim/core/yaml.hpp"

namespace gigasim {

struct SwitchPrice {
  uint32_t radix = 0;
  double port_bps = 0;  ///< port speed, bits per second
  double usd = 0;
  double watts = 0;
};

struct PriceTable {
  double switch_usd_per_port_gbps = 1.0;      ///< 64 x 400G (25.6 Tb/s): $25,600
  double switch_watts_per_port_gbps = 0.035;  ///< 25.6 Tb/s: 896 W
  std::vector<SwitchPrice> switches;          ///< exact entries win over the per-Gb/s rule
  double transceiver_usd_per_gbps = 1.5;      ///< 400G: $600 per end
  double transceiver_watts_per_gbps = 0.025;  ///< 400G: 10 W per end
  double cable_usd = 100;                     ///< fiber, per cable
};

/// Reads a `cost:` mapping over `base`. Throws: ConfigError.
PriceTable parse_price_table(const ConfigNode& node, PriceTable base = {});

struct TierCost {
  std::string tier;
  uint32_t switches = 0;
  uint32_t radix = 0;
  double port_bps = 0;
  double unit_usd = 0, unit_watts = 0;
};

struct CostReport {
  std::vector<TierCost> tiers;
  uint64_t transceivers = 0, cables = 0;
  double switches_usd = 0, optics_usd = 0, cables_usd = 0;
  double switches_watts = 0, optics_watts = 0;
  double total_usd() const { return switches_usd + optics_usd + cables_usd; }
  double total_watts() const { return switches_watts + optics_watts; }
};

CostReport estimate_cost(const Topology& topo, const PriceTable& prices);

}  // namespace gigasim
