#pragma once
// Fat-tree (folded Clos) with 2 or 3 switch tiers, `kind: fat_tree`. Each server holds
// gpus_per_server GPUs on its own NVSwitch; every GPU has its own NIC cabled to a leaf, and a
// server's NICs share a leaf. Leaves connect to spines, and with 3 tiers spines (grouped in pods)
// connect to cores, each tier with its own oversubscription (down:up port ratio). Switch counts
// are the smallest that give every lower switch the same number of parallel cables to each
// upper switch it reaches, as real Clos designs do.
// Routing (`routing:`): `dmodk` (default) picks the uplink from the destination's position, which
// gives every destination its own down-path (contention-free for shifts and rings); `ecmp`
// hashes (src, dst, flow). Both skip links that are down.

#include <cstdint>
#include <string>

#include "sim/core/topology.hpp"
#include "topologies/topology_builder.hpp"

namespace gigasim {

struct FatTreeParams {
  uint32_t servers = 1;
  uint32_t gpus_per_server = 8;
  uint32_t tiers = 2;
  uint32_t radix[3] = {64, 64, 64};     ///< leaf, spine, core
  double oversubscription[2] = {1, 1};  ///< leaf, spine (down:up)
  LinkClass nvlink{450e9, 0.5e-6};
  LinkClass nic{50e9, 1e-6};
  LinkClass leaf_spine{50e9, 1e-6};
  LinkClass spine_core{50e9, 1e-6};
  double gpu_flops = 989.4e12;
  std::string routing = "dmodk";
};

/// Switch counts and port use derived from FatTreeParams.
struct FatTreeShape {
  uint32_t gpus = 0;
  uint32_t nics_per_leaf = 0;   ///< GPU NICs on one leaf (down ports in use)
  uint32_t leaf_up = 0;         ///< u1: uplinks per leaf
  uint32_t leaves = 0;
  uint32_t leaves_per_pod = 0;  ///< all leaves when tiers == 2
  uint32_t pods = 1;
  uint32_t spines_per_pod = 0;  ///< A: each leaf reaches each spine of its pod
  uint32_t leaf_parallel = 1;   ///< p1: parallel cables leaf -> spine
  uint32_t spine_up = 0;        ///< u2: uplinks per spine (3 tiers)
  uint32_t cores_per_plane = 0; ///< C: spine j of every pod reaches the C cores of plane j
  uint32_t spine_parallel = 1;  ///< p2: parallel cables spine -> core
  uint32_t spines() const { return spines_per_pod * pods; }
  uint32_t cores() const { return cores_per_plane * spines_per_pod; }
};

/// Sizes the tree. Throws: ConfigError (via `where`) when the radix cannot hold it.
FatTreeShape fat_tree_shape(const FatTreeParams& p, const ConfigNode& where);

/// Builds nodes, cables and router for given parameters (no YAML): for tests and generators.
Topology make_fat_tree(const FatTreeParams& p, const ConfigNode& where);

class FatTreeBuilder final : public TopologyBuilder {
 public:
  std::string_view kind() const override { return "fat_tree"; }
  std::string_view description() const override {
    return "2- or 3-tier folded Clos, per-tier oversubscription, one NVSwitch domain per server";
  }
  Topology build(const ConfigNode& spec) const override;
};

}  // namespace gigasim
