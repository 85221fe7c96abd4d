#pragma once
// TopologyGraph: the Boost.Graph view of a Topology, for validation and analysis only — is the
// fabric connected, does every switch respect its radix, what is the bisection bandwidth (a
// max-flow between the two halves of the GPUs) and the GPU-to-GPU diameter, is a route a real
// loop-free path. It is never searched per flow: routing is the Router's arithmetic.

#include <boost/graph/adjacency_list.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/topology.hpp"

namespace gigasim {

class TopologyGraph {
 public:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS,
                                      boost::no_property,
                                      boost::property<boost::edge_index_t, uint32_t>>;

  /// The physical graph (spray trunks left out) unless `with_trunks`.
  explicit TopologyGraph(const Topology& topo, bool with_trunks = false);

  const Graph& graph() const { return g_; }
  bool is_connected() const;
  /// Number of cables at each node.
  uint32_t degree(NodeId n) const { return static_cast<uint32_t>(boost::out_degree(n, g_)); }
  /// Maximum flow (bytes/s, one direction) from GPUs [0, n/2) to GPUs [n/2, n): the bisection
  /// of the natural rank order, which for the fat-tree families is the minimum bisection.
  double bisection_bandwidth() const;
  /// Longest shortest path between two GPUs, in links, by BFS from sample GPUs (the first, the
  /// middle and the last); exact for the symmetric families.
  uint32_t gpu_diameter_hops() const;
  /// Number of shortest paths (counting parallel cables) from node `src` to node `dst` through
  /// the switches; other GPUs are transit nodes only if `gpu_transit` (rail-only fabrics).
  double count_shortest_paths(NodeId src, NodeId dst, bool gpu_transit = false) const;
  /// "" when `p` is a walk src -> ... -> dst along graph edges that visits no node twice and
  /// crosses no other GPU except from NVLink to its NIC (PXN, rail-only forwarding), otherwise
  /// a description of the first problem.
  std::string check_path(uint32_t src, uint32_t dst, const Path& p) const;

 private:
  const Topology& topo_;
  Graph g_;
};

}  // namespace gigasim
