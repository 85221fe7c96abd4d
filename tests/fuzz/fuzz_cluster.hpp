#pragma once
// A small fixed cluster for the workload and failure targets: 4 servers of 8 GPUs, 2 tiers.
#include "sim/core/topology.hpp"
#include "sim/core/yaml.hpp"
#include "topologies/topology_builder.hpp"
#include "workloads/workload_source.hpp"

namespace gigasim_fuzz {
inline const gigasim::Topology& cluster() {
  static const gigasim::Topology topo = gigasim::build_topology(gigasim::load_yaml_string(
      "{kind: fat_tree, servers: 4, gpus_per_server: 8, tiers: 2, switch_radix: 16}", "fuzz-cluster.yaml"));
  return topo;
}
inline gigasim::ClusterInfo cluster_info() {
  const gigasim::Topology& t = cluster();
  return gigasim::ClusterInfo{t.gpus, t.gpus_per_server, t.gpu_flops, t.gpu_model};
}
}  // namespace gigasim_fuzz
