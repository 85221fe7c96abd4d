#include "sim/core/topology_graph.hpp"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/push_relabel_max_flow.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

namespace gigasim {

TopologyGraph::TopologyGraph(const Topology& topo, bool with_trunks) : topo_(topo), g_(topo.nodes.size()) {
  for (uint32_t c = 0; c < topo.cables.size(); ++c) {
    if (with_trunks || topo.is_physical(topo.cables[c])) boost::add_edge(topo.cables[c].a, topo.cables[c].b, c, g_);
  }
}

bool TopologyGraph::is_connected() const {
  if (boost::num_vertices(g_) == 0) return true;
  std::vector<int> comp(boost::num_vertices(g_));
  boost::connected_components(g_, comp.data());
  // Trunk nodes are not hardware: every other node must be in GPU 0's component.
  for (NodeId n = 0; n < topo_.nodes.size(); ++n) {
    if (topo_.nodes[n].kind != NodeKind::kTrunk && comp[n] != comp[0]) return false;
  }
  return true;
}

double TopologyGraph::bisection_bandwidth() const {
  using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
  using FlowGraph = boost::adjacency_list<
      boost::vecS, boost::vecS, boost::directedS, boost::no_property,
      boost::property<boost::edge_capacity_t, int64_t,
                      boost::property<boost::edge_residual_capacity_t, int64_t,
                                      boost::property<boost::edge_reverse_t, Traits::edge_descriptor>>>>;
  const uint32_t n = topo_.gpus;
  if (n < 2) return 0;
  const size_t V = topo_.nodes.size();
  FlowGraph fg(V + 2);
  const auto source = static_cast<Traits::vertex_descriptor>(V);
  const auto sink = static_cast<Traits::vertex_descriptor>(V + 1);
  auto cap = boost::get(boost::edge_capacity, fg);
  auto rev = boost::get(boost::edge_reverse, fg);
  auto arc = [&](size_t u, size_t v, int64_t c) {
    auto e1 = boost::add_edge(u, v, fg).first;
    auto e2 = boost::add_edge(v, u, fg).first;
    cap[e1] = c;
    cap[e2] = 0;
    rev[e1] = e2;
    rev[e2] = e1;
  };
  // Capacities in bytes/s, rounded: int64 keeps push-relabel exact.
  // A GPU's source (sink) arc carries what its own cables can: as good as infinite for the cut,
  // and the source's total excess stays far from int64 overflow (INT64_MAX/4 per GPU overflowed
  // inside push-relabel: found by UndefinedBehaviorSanitizer).
  std::vector<int64_t> own(V, 0);
  for (const Cable& c : topo_.cables) {
    if (!topo_.is_physical(c)) continue;
    const auto bw = static_cast<int64_t>(std::llround(c.bw_Bps));
    arc(c.a, c.b, bw);
    arc(c.b, c.a, bw);
    own[c.a] += bw;
    own[c.b] += bw;
  }
  for (uint32_t g = 0; g < n; ++g) {
    if (g < n / 2) arc(source, g, own[g] + 1);
    else arc(g, sink, own[g] + 1);
  }
  return static_cast<double>(boost::push_relabel_max_flow(fg, source, sink));
}

uint32_t TopologyGraph::gpu_diameter_hops() const {
  const uint32_t n = topo_.gpus;
  if (n < 2) return 0;
  const size_t V = boost::num_vertices(g_);
  std::vector<uint32_t> dist(V);
  uint32_t best = 0;
  for (uint32_t start : {0U, n / 2, n - 1}) {
    std::fill(dist.begin(), dist.end(), std::numeric_limits<uint32_t>::max());
    std::deque<uint32_t> q{start};
    dist[start] = 0;
    while (!q.empty()) {
      uint32_t u = q.front();
      q.pop_front();
      for (auto [it, end] = boost::adjacent_vertices(u, g_); it != end; ++it) {
        auto v = static_cast<uint32_t>(*it);
        if (dist[v] == std::numeric_limits<uint32_t>::max()) {
          dist[v] = dist[u] + 1;
          q.push_back(v);
        }
      }
    }
    for (uint32_t g = 0; g < n; ++g) {
      if (dist[g] != std::numeric_limits<uint32_t>::max()) best = std::max(best, dist[g]);
    }
  }
  return best;
}

double TopologyGraph::count_shortest_paths(NodeId src, NodeId dst, bool gpu_transit) const {
  const size_t V = boost::num_vertices(g_);
  std::vector<uint32_t> dist(V, std::numeric_limits<uint32_t>::max());
  std::vector<double> count(V, 0.0);
  std::deque<NodeId> q{src};
  dist[src] = 0;
  count[src] = 1;
  while (!q.empty()) {
    const NodeId u = q.front();
    q.pop_front();
    if (u == dst) continue;
    if (u != src && topo_.nodes[u].kind == NodeKind::kGpu && !gpu_transit) continue;
    for (auto [it, end] = boost::out_edges(u, g_); it != end; ++it) {
      const auto v = static_cast<NodeId>(boost::target(*it, g_));
      if (dist[v] == std::numeric_limits<uint32_t>::max()) {
        dist[v] = dist[u] + 1;
        q.push_back(v);
      }
      if (dist[v] == dist[u] + 1) count[v] += count[u];
    }
  }
  return count[dst];
}

std::string TopologyGraph::check_path(uint32_t src, uint32_t dst, const Path& p) const {
  if (src == dst) return p.size == 0 ? "" : "a route to itself must be empty";
  if (p.size == 0) return "empty route";
  std::vector<NodeId> seen{src};
  NodeId at = src;
  LinkId prev = 0;
  for (LinkId l : p) {
    if (cable_of(l) >= topo_.cables.size()) return fmt::format("link id {} out of range", l);
    const NodeId from = topo_.link_source(l);
    const NodeId to = topo_.link_target(l);
    if (from != at) {
      return fmt::format("hop {} leaves {} but the walk is at {}", topo_.link_name(l),
                         topo_.node_name(from), topo_.node_name(at));
    }
    if (!boost::edge(from, to, g_).second) {
      return fmt::format("no graph edge {} -> {}", topo_.node_name(from), topo_.node_name(to));
    }
    if (std::find(seen.begin(), seen.end(), to) != seen.end()) {
      return fmt::format("loop: {} visited twice", topo_.node_name(to));
    }
    // A GPU other than the endpoints is a transit point only from NVLink to its own NIC.
    if (at != src && topo_.nodes[at].kind == NodeKind::kGpu) {
      const LinkKind in = topo_.cables[cable_of(prev)].kind;
      const LinkKind out = topo_.cables[cable_of(l)].kind;
      if (in != LinkKind::kNvLink || (out != LinkKind::kNic && out != LinkKind::kTrunk)) {
        return fmt::format("route passes through GPU {}", topo_.node_name(at));
      }
    }
    seen.push_back(to);
    at = to;
    prev = l;
  }
  if (at != dst) return fmt::format("route ends at {} instead of {}", topo_.node_name(at), topo_.node_name(dst));
  return "";
}

}  // namespace gigasim
