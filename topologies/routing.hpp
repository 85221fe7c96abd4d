#pragma once
// Routing policies: how a switched fabric's router picks among equal-cost paths, the seam every
// family's Router implements (topologies/clos_router.cpp, topologies/explicit_graph.cpp). The
// policies are listed once, in routing.cpp, with what a caller needs to know of each: whether it
// reads live link load (the replay must then feed the router the flows in flight), and whether a
// flow's path is a function of its endpoints and the dead links alone (no hash, no load), which
// makes rank folding exact. Callers ask the Router (needs_link_load(), deterministic()), never
// a policy's name.

#include <cstdint>
#include <vector>

#include "sim/core/yaml.hpp"

namespace gigasim {

enum class RoutingPolicy : uint8_t { kDmodk, kEcmp, kAdaptive, kSpray };

struct RoutingSpec {
  RoutingPolicy policy = RoutingPolicy::kDmodk;
  uint32_t qps_per_pair = 1;  ///< ecmp: queue pairs per GPU pair; a pair's flows use them in turn
};

struct RoutingPolicyInfo {
  RoutingPolicy policy;
  const char* name;         ///< as written in YAML (`routing: NAME`)
  const char* description;  ///< one line for `gigasim inspect --list`
  bool needs_link_load;     ///< route() reads LinkStateView::load()
  bool deterministic;       ///< the path depends only on the endpoints and the links that are down
};

/// Every policy, in the order `inspect --list` shows them.
const std::vector<RoutingPolicyInfo>& routing_policies();
const RoutingPolicyInfo& routing_policy_info(RoutingPolicy p);
const char* to_string(RoutingPolicy p);

/// `routing: dmodk` or `routing: {policy: ecmp, qps_per_pair: 4}`. Throws: ConfigError.
RoutingSpec parse_routing(const ConfigNode& node);

}  // namespace gigasim
