#pragma once
// `kind: rail_optimized` — NVIDIA's DGX SuperPOD design. Servers are grouped in scalable units
// (SUs, 32 servers); each SU has one leaf per rail, and leaf (SU, r) holds NIC r of every server
// of the SU, so same-rail traffic (data parallelism across servers) stays one switch away.
// Leaves reach spines (2 tiers up to the spine radix; beyond, pods of whole SUs joined by cores).
// Cross-rail traffic goes up through the spine, or with `pxn: true` first over NVLink to the
// server's GPU on the destination's rail (NCCL's PXN). Keys: topologies/presets/README.md.

#include "topologies/topology_builder.hpp"

namespace gigasim {

class RailOptimizedBuilder final : public TopologyBuilder {
 public:
  std::string_view kind() const override { return "rail_optimized"; }
  std::string_view description() const override {
    return "rail-optimized (DGX SuperPOD): per-SU rail leaves, spines, cores; optional PXN";
  }
  Topology build(const ConfigNode& spec) const override;
};

}  // namespace gigasim
