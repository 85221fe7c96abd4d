// The explicit list of topology families (no self-registering statics), and the parts every
// family shares: link classes and structural validation.
#include <fmt/format.h>

#include "sim/core/topology_graph.hpp"
#include "topologies/explicit_graph.hpp"
#include "topologies/fat_tree.hpp"
#include "topologies/rail_only.hpp"
#include "topologies/rail_optimized.hpp"
#include "topologies/topology_builder.hpp"

namespace gigasim {

const std::vector<const TopologyBuilder*>& topology_builders() {
  static const FatTreeBuilder fat_tree;
  static const RailOptimizedBuilder rail_optimized;
  static const RailOnlyBuilder rail_only;
  static const ExplicitGraphBuilder graph;
  static const std::vector<const TopologyBuilder*> all{&fat_tree, &rail_optimized, &rail_only, &graph};
  return all;
}

Topology build_topology(const ConfigNode& spec) {
  spec.require_map("a mapping with a 'kind' key");
  const ConfigNode kind_node = spec.at("kind");
  const std::string kind = kind_node.as_string();
  std::vector<std::string_view> names;
  for (const TopologyBuilder* b : topology_builders()) {
    if (b->kind() == kind) return b->build(spec);
    names.push_back(b->kind());
  }
  std::string known;
  for (auto n : names) known += (known.empty() ? "" : ", ") + std::string(n);
  const std::string hint = closest_match(kind, names);
  kind_node.fail(fmt::format("unknown topology kind '{}'{} (known: {})", kind,
                             hint.empty() ? "" : " (did you mean '" + hint + "'?)", known));
}

LinkClass parse_link_class(const ConfigNode& node, const LinkClass& defaults) {
  node.require_map("a mapping {bandwidth, latency}");
  node.check_keys({"bandwidth", "latency"});
  LinkClass lc = defaults;
  if (auto b = node.find("bandwidth")) lc.bw_Bps = b->as_bandwidth();
  if (auto l = node.find("latency")) lc.latency_s = l->as_duration();
  return lc;
}

void validate_topology(const Topology& topo, const ConfigNode& spec) {
  TopologyGraph graph(topo);
  for (NodeId n = 0; n < topo.nodes.size(); ++n) {
    const Node& node = topo.nodes[n];
    if (node.kind == NodeKind::kSwitch) {
      const uint32_t radix = topo.radix.at(node.tier - 1);
      if (graph.degree(n) > radix) {
        spec.fail(fmt::format("{} has {} ports in use but radix {}", topo.node_name(n),
                              graph.degree(n), radix));
      }
    } else if (node.kind == NodeKind::kGpu && graph.degree(n) == 0) {
      spec.fail(fmt::format("{} has no link", topo.node_name(n)));
    }
  }
  if (!graph.is_connected()) spec.fail("the fabric is not connected");
}

}  // namespace gigasim
