#pragma once
// ClosLayoutMath: where things are in a Clos fabric, by index arithmetic — which leaf slot a GPU's
// NIC port takes, which cable id each NIC, leaf uplink, spine uplink and (spray) trunk has. The
// builder (clos.cpp) lays nodes and cables out in this order and the router (clos_router.cpp)
// computes paths from it, so neither needs a table. Internal to the Clos families.

#include <cstdint>
#include <memory>

#include "sim/core/router.hpp"
#include "topologies/clos.hpp"

namespace gigasim {

struct ClosLayoutMath {
  ClosLayout layout;
  uint32_t G, gps, servers, spsu, ports;  // ports: NIC cables per GPU
  uint32_t rails, per_rail;               // GPUs of a server on one rail: per_rail
  ClosShape s;
  uint64_t fabric_base, copy_size, trunk_base, trunk_copy_size, nic_trunk_base;
  bool spray;

  uint32_t rail(uint32_t g) const { return (g % gps) % rails; }
  uint32_t sub(uint32_t g) const { return (g % gps) / rails; }
  uint32_t server(uint32_t g) const { return g / gps; }
  // The GPU of g's server on `rail` (same position among that rail's GPUs).
  uint32_t on_rail(uint32_t g, uint32_t r) const { return server(g) * gps + sub(g) * rails + r; }
  // The leaf slot of GPU g in its copy.
  uint32_t slot(uint32_t g) const {
    switch (layout) {
      case ClosLayout::kContiguous: return g;
      case ClosLayout::kRail: {
        const uint32_t v = server(g);
        return (((v / spsu) * rails + rail(g)) * spsu + v % spsu) * per_rail + sub(g);
      }
      case ClosLayout::kRailOnly: return server(g) * per_rail + sub(g);
    }
    return 0;
  }
  uint32_t nic_cable(uint32_t g, uint32_t port) const { return G + g * ports + port; }
  uint32_t leaf_up_cable(uint32_t copy, uint32_t leaf, uint32_t j) const {
    return static_cast<uint32_t>(fabric_base + copy * copy_size + uint64_t{leaf} * s.leaf_up + j);
  }
  uint32_t spine_up_cable(uint32_t copy, uint32_t spine, uint32_t m) const {
    return static_cast<uint32_t>(fabric_base + copy * copy_size + uint64_t{s.leaves} * s.leaf_up +
                                 uint64_t{spine} * s.spine_up + m);
  }
  uint32_t leaf_trunk(uint32_t tcopy, uint32_t leaf) const {
    return static_cast<uint32_t>(trunk_base + tcopy * trunk_copy_size + leaf);
  }
  uint32_t pod_trunk(uint32_t tcopy, uint32_t pod) const {
    return static_cast<uint32_t>(trunk_base + tcopy * trunk_copy_size + s.leaves + pod);
  }
  uint32_t nic_trunk(uint32_t g) const { return static_cast<uint32_t>(nic_trunk_base + g); }
};

/// The layout of the fabric `p` sized as `s`.
ClosLayoutMath layout_math(const ClosParams& p, const ClosShape& s);

/// The Clos router for policy `spec` (clos_router.cpp); `pxn`: cross-rail traffic hops over
/// NVLink to the destination's rail first.
std::unique_ptr<Router> make_clos_router(const ClosLayoutMath& m, RoutingSpec spec, bool pxn);

}  // namespace gigasim
