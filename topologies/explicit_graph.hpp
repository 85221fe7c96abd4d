#pragma once
// `kind: graph` — an explicit fabric for small custom designs (up to 20,000 nodes): servers of
// GPUs on implicit NVSwitches (gpu<i>, nvs<server>), switches listed by name and tier, and links
// between named nodes with a link class (bandwidth, latency) and a count of parallel cables.
// Routes follow shortest paths with ECMP among equal-cost next hops (dmodk, ecmp, adaptive),
// from Boost-style BFS distance tables built once per switch GPUs attach to.

#include "topologies/topology_builder.hpp"

namespace gigasim {

class ExplicitGraphBuilder final : public TopologyBuilder {
 public:
  std::string_view kind() const override { return "graph"; }
  std::string_view description() const override {
    return "explicit switches and links for small custom fabrics; shortest-path ECMP";
  }
  Topology build(const ConfigNode& spec) const override;
};

}  // namespace gigasim
