#pragma once
// `kind: fat_tree` — a 2- or 3-tier folded Clos in which consecutive GPUs (whole servers) share
// a leaf: the classic top-of-rack design. Each server is its own NVLink/NVSwitch domain and every
// GPU has its own NIC. Per-tier oversubscription; pods of leaves joined by cores (3 tiers); an
// optional second plane (`dual_plane: true`). Keys: topologies/presets/README.md.

#include "topologies/topology_builder.hpp"

namespace gigasim {

class FatTreeBuilder final : public TopologyBuilder {
 public:
  std::string_view kind() const override { return "fat_tree"; }
  std::string_view description() const override {
    return "2- or 3-tier folded Clos, servers under top-of-rack leaves, per-tier oversubscription";
  }
  Topology build(const ConfigNode& spec) const override;
};

}  // namespace gigasim
