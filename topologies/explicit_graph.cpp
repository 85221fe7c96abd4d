#include "topologies/explicit_graph.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <fmt/format.h>

#include "sim/core/hash.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "topologies/clos.hpp"
#include "topologies/routing.hpp"

namespace gigasim {
namespace {

constexpr uint32_t kMaxNodes = 20000;
constexpr uint16_t kFar = std::numeric_limits<uint16_t>::max();


// Shortest-path ECMP over the explicit graph. Distances come from one Boost.Graph BFS per
// attachment switch (the switches GPUs are cabled to), run on first use and kept: memory is
// O(attachment switches x nodes), never O(GPUs^2). The BFS graph has no edges out of GPUs, so
// GPUs other than the endpoints are never transit nodes.
class GraphRouter final : public Router {
 public:
  using BfsGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

  GraphRouter(const Topology& t, RoutingSpec spec) : spec_(spec), gpus_(t.gpus), bfs_graph_(t.nodes.size()) {
    adj_.resize(t.nodes.size());
    is_gpu_.resize(t.nodes.size());
    for (NodeId n = 0; n < t.nodes.size(); ++n) is_gpu_[n] = t.nodes[n].kind == NodeKind::kGpu;
    for (uint32_t c = 0; c < t.cables.size(); ++c) {
      const Cable& cab = t.cables[c];
      adj_[cab.a].push_back({cab.b, up_link(c)});
      adj_[cab.b].push_back({cab.a, down_link(c)});
      if (!is_gpu_[cab.a]) boost::add_edge(cab.a, cab.b, bfs_graph_);
      if (!is_gpu_[cab.b]) boost::add_edge(cab.b, cab.a, bfs_graph_);
    }
  }

  bool route(uint32_t s, uint32_t d, uint64_t salt, const LinkStateView& st, Path& out) const override {
    out.clear();
    if (s == d) return true;
    const uint64_t h = mix64((uint64_t{s} << 32) ^ d ^ mix64((salt % spec_.qps_per_pair) + 1));
    return walk(s, d, h, st, out, 0);
  }

  const char* policy() const override { return to_string(spec_.policy); }
  bool needs_link_load() const override { return routing_policy_info(spec_.policy).needs_link_load; }
  bool deterministic() const override { return routing_policy_info(spec_.policy).deterministic; }
  bool uses_flow_salt() const override { return spec_.policy == RoutingPolicy::kEcmp && spec_.qps_per_pair > 1; }
  uint32_t paths_per_pair() const override { return uses_flow_salt() ? spec_.qps_per_pair : 1; }

  /// Hops from node n to GPU d (kFar when unreachable).
  uint16_t distance(NodeId n, uint32_t d) const {
    if (n == d) return 0;
    uint16_t best = kFar;
    for (const Edge& e : adj_[d]) {  // through each switch d is cabled to
      const std::vector<uint16_t>& dist = bfs_from(e.to);
      if (dist[n] != kFar) best = std::min<uint16_t>(best, dist[n] + 1);
    }
    return best;
  }

 private:
  struct Edge {
    NodeId to;
    LinkId link;  // directed: from this node to `to`
  };

  // Depth-first along strictly decreasing distance, candidates in policy order: the walk backs
  // up when every candidate below a node is down.
  bool walk(NodeId at, uint32_t d, uint64_t h, const LinkStateView& st, Path& out, int depth) const {
    if (at == d) return true;
    const uint16_t here = distance(at, d);
    if (here == kFar || out.size >= Path::kMaxHops) return false;
    Edge cand[64];
    int n = 0;
    for (const Edge& e : adj_[at]) {
      if (e.to != d && is_gpu_[e.to]) continue;
      if (distance(e.to, d) + 1 != here || !st.is_up(e.link) || n == 64) continue;
      cand[n++] = e;
    }
    if (n == 0) return false;
    int first = 0;
    if (spec_.policy == RoutingPolicy::kAdaptive) {
      double best = std::numeric_limits<double>::infinity();
      for (int i = 0; i < n; ++i) {
        if (st.load(cand[i].link) < best) best = st.load(cand[i].link), first = i;
      }
    } else if (spec_.policy == RoutingPolicy::kEcmp) {
      first = static_cast<int>(mix64(h + depth) % n);
    } else {
      first = static_cast<int>(d % n);
    }
    for (int t = 0; t < n; ++t) {
      const Edge& e = cand[(first + t) % n];
      out.push(e.link);
      if (walk(e.to, d, h, st, out, depth + 1)) return true;
      --out.size;
    }
    return false;
  }

  const std::vector<uint16_t>& bfs_from(NodeId src) const {
    auto it = dist_.find(src);
    if (it != dist_.end()) return it->second;
    std::vector<uint16_t> dist(adj_.size(), kFar);
    dist[src] = 0;
    boost::breadth_first_search(
        bfs_graph_, src,
        boost::visitor(boost::make_bfs_visitor(boost::record_distances(dist.data(), boost::on_tree_edge()))));
    return dist_.emplace(src, std::move(dist)).first->second;
  }

  RoutingSpec spec_;
  uint32_t gpus_;
  std::vector<std::vector<Edge>> adj_;
  std::vector<uint8_t> is_gpu_;
  BfsGraph bfs_graph_;
  mutable std::unordered_map<NodeId, std::vector<uint16_t>> dist_;
};

}  // namespace

Topology ExplicitGraphBuilder::build(const ConfigNode& spec) const {
  if (auto s = spec.find("sharp")) {
    s->fail("sharp (in-switch reduction) is modelled on the switched families fat_tree, rail_optimized and "
            "rail_only, not on kind: graph");
  }
  spec.check_keys({"kind", "name", "description", "servers", "gpus_per_server", "gpu_flops", "link_classes",
                   "switches", "links", "routing", "tier_names", "cost", "nvls", "gpu_model"});
  Topology t;
  t.kind = "graph";
  t.servers = static_cast<uint32_t>(spec.get_int("servers", 1, kMaxNodes));
  t.gpus_per_server = static_cast<uint32_t>(spec.get_int("gpus_per_server", 8, 1, 1024));
  t.gpus = t.servers * t.gpus_per_server;
  t.gpu_flops = 989.4e12;
  if (auto f = spec.find("gpu_flops")) t.gpu_flops = f->as_flop_rate();
  t.nvls = spec.get_bool("nvls", false);
  t.gpu_model = spec.get_string("gpu_model", "h100");
  t.tier_names = {"", "leaf", "spine", "core"};
  if (auto tn = spec.find("tier_names")) {
    tn->require_sequence("a list of names from tier 1 up");
    t.tier_names = {""};
    for (size_t i = 0; i < tn->size(); ++i) t.tier_names.push_back(tn->element(i).as_string());
  }

  // Link classes: nvlink (GPU <-> its server's NVSwitch) and any named class for `links`.
  std::unordered_map<std::string, LinkClass> classes{{"nvlink", {450e9, 0.5e-6}}, {"default", {50e9, 1e-6}}};
  if (auto lc = spec.find("link_classes")) {
    for (const auto& [name, node] : lc->entries()) classes[name] = parse_link_class(node, classes["default"]);
  }

  // GPUs and NVSwitches are implicit: gpu<i> and nvs<server>.
  std::unordered_map<std::string, NodeId> id;
  auto add_node = [&](const std::string& name, Node n, const ConfigNode& where) {
    if (!id.emplace(name, static_cast<NodeId>(t.nodes.size())).second) where.fail(fmt::format("node '{}' is defined twice", name));
    t.nodes.push_back(n);
    t.names.push_back(name);
  };
  for (uint32_t g = 0; g < t.gpus; ++g) add_node(fmt::format("gpu{}", g), Node{NodeKind::kGpu, 0, -1, -1, g}, spec);
  for (uint32_t v = 0; v < t.servers; ++v) add_node(fmt::format("nvs{}", v), Node{NodeKind::kNvSwitch, 0, -1, -1, v}, spec);
  std::vector<std::pair<NodeId, uint32_t>> radix_of;  // switches with a radix
  const ConfigNode switches = spec.at("switches");
  switches.require_sequence("a list of {name, tier, radix}");
  uint32_t tiers = 0;
  std::vector<uint32_t> per_tier(4, 0);
  for (size_t i = 0; i < switches.size(); ++i) {
    const ConfigNode sw = switches.element(i);
    sw.require_map("a mapping {name, tier, radix}");
    sw.check_keys({"name", "tier", "radix", "pod"});
    const auto tier = static_cast<uint32_t>(sw.get_int("tier", 1, 1, 3));
    tiers = std::max(tiers, tier);
    add_node(sw.get_string("name"),
             Node{NodeKind::kSwitch, static_cast<uint8_t>(tier), -1, static_cast<int32_t>(sw.get_int("pod", -1, -1, 1 << 20)),
                  per_tier[tier]++},
             sw.at("name"));
  }
  if (t.nodes.size() > kMaxNodes) spec.fail(fmt::format("kind: graph is for small fabrics (at most {} nodes)", kMaxNodes));
  t.tiers = std::max(1U, tiers);
  t.tier_names.resize(std::max<size_t>(t.tier_names.size(), t.tiers + 1));
  t.radix.assign(t.tiers, 65536);
  for (size_t i = 0; i < switches.size(); ++i) {
    const ConfigNode sw = switches.element(i);
    if (auto r = sw.find("radix")) {
      const uint32_t tier = static_cast<uint32_t>(sw.get_int("tier", 1, 1, 3));
      const auto k = static_cast<uint32_t>(r->as_int(1, 65536));
      t.radix[tier - 1] = t.radix[tier - 1] == 65536 ? k : std::max(t.radix[tier - 1], k);
      radix_of.emplace_back(id[sw.get_string("name")], k);
    }
  }

  for (uint32_t g = 0; g < t.gpus; ++g) {
    const LinkClass& nv = classes["nvlink"];
    t.cables.push_back(Cable{g, t.gpus + g / t.gpus_per_server, LinkKind::kNvLink, 0, 0, nv.bw_Bps, nv.latency_s});
  }
  const ConfigNode links = spec.at("links");
  links.require_sequence("a list of [a, b, class] or {a, b, class, count}");
  for (size_t i = 0; i < links.size(); ++i) {
    const ConfigNode l = links.element(i);
    std::string a, b, cls = "default";
    uint32_t count = 1;
    LinkClass lc;
    if (l.is_sequence()) {
      if (l.size() < 2 || l.size() > 3) l.fail("a link is [a, b] or [a, b, class]");
      a = l.element(0).as_string();
      b = l.element(1).as_string();
      if (l.size() == 3) cls = l.element(2).as_string();
    } else {
      l.require_map("[a, b, class] or {a, b, class, count}");
      l.check_keys({"a", "b", "class", "count", "bandwidth", "latency"});
      a = l.get_string("a");
      b = l.get_string("b");
      cls = l.get_string("class", "default");
      count = static_cast<uint32_t>(l.get_int("count", 1, 1, 1024));
    }
    auto it = classes.find(cls);
    if (it == classes.end()) l.fail(fmt::format("unknown link class '{}' (define it under link_classes)", cls));
    lc = it->second;
    if (l.is_map()) {
      if (auto bw = l.find("bandwidth")) lc.bw_Bps = bw->as_bandwidth();
      if (auto lat = l.find("latency")) lc.latency_s = lat->as_duration();
    }
    for (const std::string& end : {a, b}) {
      if (!id.count(end)) l.fail(fmt::format("unknown node '{}' (GPUs are gpu0..gpu{}, switches are listed under 'switches')", end, t.gpus - 1));
    }
    NodeId na = id[a], nb = id[b];
    if (na == nb) l.fail(fmt::format("link from '{}' to itself", a));
    // Orient cables lower tier first; GPU ends make NIC cables.
    if (t.nodes[na].tier > t.nodes[nb].tier || (t.nodes[nb].kind == NodeKind::kGpu && t.nodes[na].kind != NodeKind::kGpu)) {
      std::swap(na, nb);
    }
    if (t.nodes[nb].kind == NodeKind::kGpu) l.fail("GPUs connect to switches, not to each other (NVLink is implicit)");
    const LinkKind kind = t.nodes[na].kind == NodeKind::kGpu ? LinkKind::kNic : LinkKind::kFabric;
    for (uint32_t k = 0; k < count; ++k) {
      t.cables.push_back(Cable{na, nb, kind, t.nodes[nb].tier, static_cast<uint16_t>(k), lc.bw_Bps, lc.latency_s});
    }
  }
  std::vector<uint32_t> ports(t.nodes.size(), 0);
  for (const Cable& c : t.cables) ++ports[c.a], ++ports[c.b];
  for (const auto& [n, k] : radix_of) {
    if (ports[n] > k) spec.fail(fmt::format("switch '{}' has {} cables but radix {}", t.names[n], ports[n], k));
  }
  RoutingSpec routing;
  if (auto r = spec.find("routing")) {
    routing = parse_routing(*r);
    if (routing.policy == RoutingPolicy::kSpray) r->fail("kind: graph supports dmodk, ecmp and adaptive routing");
  }
  auto router = std::make_unique<GraphRouter>(t, routing);
  // Every GPU must reach every other within the route length limit.
  for (uint32_t g : {0U, t.gpus - 1}) {
    for (uint32_t d = 0; d < t.gpus; ++d) {
      const uint16_t hops = router->distance(g, d);
      if (hops == kFar) spec.fail(fmt::format("gpu{} cannot reach gpu{}: the fabric is disconnected", g, d));
      if (hops > Path::kMaxHops) spec.fail(fmt::format("gpu{} to gpu{} takes {} hops; routes hold at most {}", g, d, hops, Path::kMaxHops));
    }
  }
  t.router = std::move(router);
  validate_topology(t, spec);
  return t;
}

}  // namespace gigasim
