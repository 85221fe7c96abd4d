#pragma once
// TopologyReport: what `gigasim inspect` tells an architect about a fabric — counts of GPUs,
// servers and switches per tier, cables and directed links per tier, oversubscription per
// switch tier (downward over upward bandwidth), bisection bandwidth from a max-flow on the
// Boost.Graph model, and the GPU-to-GPU diameter in hops.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/topology.hpp"

namespace gigasim {

struct TierReport {
  std::string name;            ///< "leaf", "spine", "core"
  uint32_t switches = 0;
  uint32_t radix = 0;
  uint32_t max_ports_used = 0;
  double down_Bps = 0;         ///< summed over the tier's switches
  double up_Bps = 0;
  double oversubscription() const { return up_Bps > 0 ? down_Bps / up_Bps : 0; }
};

struct CableClassReport {
  std::string name;            ///< "nvlink", "nic", "leaf_spine", "spine_core"
  uint64_t cables = 0;
  double bw_Bps = 0;           ///< per direction (of the first cable of the class)
  double latency_s = 0;
};

struct TopologyReport {
  std::string kind;
  std::string routing;
  uint32_t gpus = 0, servers = 0, gpus_per_server = 0, nvswitches = 0;
  std::vector<TierReport> tiers;
  std::vector<CableClassReport> cable_classes;
  uint64_t cables = 0;
  uint64_t links = 0;          ///< directed links (2 per cable)
  double bisection_Bps = 0;    ///< max-flow, one direction
  double full_bisection_Bps = 0;  ///< half the GPUs times their NIC bandwidth
  uint32_t diameter_hops = 0;
  NodeId ecmp_src = 0, ecmp_dst = 0;  ///< GPU 0 and the first GPU of the last server
  double ecmp_paths = 0;              ///< equal-cost shortest paths between them
  bool connected = false;
  double gpu_flops = 0;
};

/// Requires: `topo` was built by a TopologyBuilder.
TopologyReport make_topology_report(const Topology& topo);

}  // namespace gigasim
