// The explicit list of routing policies.
#include "topologies/routing.hpp"

#include <fmt/format.h>

#include <string>

namespace gigasim {

const std::vector<RoutingPolicyInfo>& routing_policies() {
  static const std::vector<RoutingPolicyInfo> all{
      {RoutingPolicy::kDmodk, "dmodk",
       "d-mod-k: the uplink at each tier chosen by the destination's position (InfiniBand's static routing)",
       false, true},
      {RoutingPolicy::kEcmp, "ecmp",
       "hashed ECMP: the uplink from a hash of source, destination and queue pair (qps_per_pair)", false, false},
      {RoutingPolicy::kAdaptive, "adaptive",
       "adaptive: the least-loaded live uplink at each hop, read when the flow starts", true, false},
      {RoutingPolicy::kSpray, "spray",
       "ideal packet spraying: one trunk per stage with the stage's summed bandwidth", false, true},
  };
  return all;
}

const RoutingPolicyInfo& routing_policy_info(RoutingPolicy p) {
  for (const RoutingPolicyInfo& i : routing_policies()) {
    if (i.policy == p) return i;
  }
  return routing_policies().front();
}

const char* to_string(RoutingPolicy p) { return routing_policy_info(p).name; }

RoutingSpec parse_routing(const ConfigNode& node) {
  RoutingSpec r;
  ConfigNode policy = node;
  if (node.is_map()) {
    node.check_keys({"policy", "qps_per_pair"});
    policy = node.at("policy");
    r.qps_per_pair = static_cast<uint32_t>(node.get_int("qps_per_pair", 1, 1, 1024));
  }
  const std::string name = policy.as_string();
  std::string known;
  for (const RoutingPolicyInfo& i : routing_policies()) {
    if (name == i.name) {
      r.policy = i.policy;
      return r;
    }
    known += (known.empty() ? "" : ", ") + std::string(i.name);
  }
  policy.fail(fmt::format("unknown routing policy '{}' (known: {})", name, known));
}

}  // namespace gigasim
