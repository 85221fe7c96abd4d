#pragma once
// Clos: the machinery shared by the switched families (fat_tree, rail_optimized, rail_only and
// their dual-plane variants). A family decides how GPUs attach — which NIC port goes to which
// leaf "slot" of which copy of the switch fabric — and the Clos core sizes the tiers, lays out
// nodes and cables in an order the router can compute, and routes by index arithmetic.
//   copy     one independent switch fabric: the only one, one of two planes (dual_plane), or
//            one rail's network (rail_only)
//   leaf     tier 1; `nics_per_leaf` slots down, `leaf_up` cables up
//   spine    tier 2; with 2 tiers every leaf reaches every spine, with 3 tiers a pod of leaves
//            reaches every spine of its pod
//   core     tier 3; spine j of every pod reaches the cores of plane j
// Sizing and layout live in clos.cpp (and clos_layout.hpp, the index arithmetic both sides
// share), routing in clos_router.cpp; the policies are listed in routing.hpp.

#include <cstdint>
#include <string>

#include "sim/core/topology.hpp"
#include "sim/core/yaml.hpp"
#include "topologies/routing.hpp"

namespace gigasim {

enum class ClosLayout : uint8_t {
  kContiguous,  ///< fat_tree: consecutive GPUs (whole servers) share a leaf
  kRail,        ///< rail_optimized: leaf (SU, rail) holds NIC `rail` of every server of the SU
  kRailOnly,    ///< rail_only: one fabric copy per rail, no switch joins two rails
};

struct ClosParams {
  std::string kind;
  ClosLayout layout = ClosLayout::kContiguous;
  uint32_t servers = 1;
  uint32_t gpus_per_server = 8;
  uint32_t servers_per_su = 0;   ///< kRail: servers of one scalable unit
  uint32_t rails = 0;            ///< kRail, kRailOnly: rails (0: one per GPU of a server); GPU i of a
                                 ///< server is on rail i % rails
  uint32_t tiers = 2;            ///< 0: the fewest that hold the GPUs (2 or 3)
  uint32_t radix[3] = {64, 64, 64};
  double oversubscription[2] = {1, 1};  ///< leaf, spine (down:up)
  uint32_t nics_per_leaf = 0;    ///< 0: as many as the leaf's down ports hold
  uint32_t leaves_per_pod = 0;   ///< 0: as many as a spine's down ports hold
  uint32_t planes = 1;           ///< NIC ports per GPU, each to its own copy of the fabric
  bool pxn = false;              ///< cross-rail traffic hops over NVLink to the destination's rail
  LinkClass nvlink{450e9, 0.5e-6};
  LinkClass nic{50e9, 1e-6};
  LinkClass leaf_spine{50e9, 1e-6};
  LinkClass spine_core{50e9, 1e-6};
  double gpu_flops = 989.4e12;
  bool nvls = false;             ///< NVSwitches with in-network reduction (H100 and later)
  bool sharp = false;            ///< switches with in-network reduction (InfiniBand SHARP)
  std::string gpu_model = "h100";
  RoutingSpec routing;
};

/// The sizes of one copy of the switch fabric.
struct ClosShape {
  uint32_t copies = 1;
  uint32_t tiers = 2;
  uint32_t slots = 0;           ///< leaf ports for GPUs in one copy (leaves x nics_per_leaf)
  uint32_t nics_per_leaf = 0;
  uint32_t leaf_up = 0;         ///< u1
  uint32_t leaves = 0;
  uint32_t leaves_per_pod = 0;
  uint32_t pods = 1;
  uint32_t spines_per_pod = 0;  ///< A
  uint32_t leaf_parallel = 1;   ///< p1: cables from a leaf to each spine it reaches
  uint32_t spine_up = 0;        ///< u2
  uint32_t cores_per_plane = 0; ///< C
  uint32_t spine_parallel = 1;  ///< p2
  uint32_t spines() const { return spines_per_pod * pods; }
  uint32_t cores() const { return tiers == 3 ? cores_per_plane * spines_per_pod : 0; }
};

/// Sizes the fabric. Throws: ConfigError at `where` when the radix cannot hold it.
ClosShape size_clos(const ClosParams& p, const ConfigNode& where);

/// Nodes, cables (physical, plus trunks under spray) and the router. Throws: ConfigError.
Topology make_clos(const ClosParams& p, const ConfigNode& where);

/// Reads the keys every Clos family shares into `p`: tiers, switch_radix, oversubscription,
/// nics_per_leaf, leaves_per_pod, links, gpu_flops, routing, dual_plane.
void parse_clos_common(const ConfigNode& spec, ClosParams& p);

/// The keys parse_clos_common reads (families add theirs to check_keys).
#define GIGASIM_CLOS_COMMON_KEYS                                                                \
  "kind", "name", "description", "tiers", "switch_radix", "oversubscription", "nics_per_leaf", \
      "leaves_per_pod", "links", "gpu_flops", "routing", "dual_plane", "cost", "nvls", "sharp", "gpu_model"

}  // namespace gigasim
