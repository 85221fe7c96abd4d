#pragma once
// Test harness: builds a topology and a workload from YAML text and replays them in SimGrid,
// in this process (so: one replay per test process — each ctest entry runs one test case).

#include <fmt/format.h>

#include <string>

#include "sim/core/topology.hpp"
#include "sim/core/workload.hpp"
#include "sim/platform/network_model.hpp"
#include "sim/replay/replay_engine.hpp"
#include "topologies/topology_builder.hpp"
#include "workloads/workload_source.hpp"

namespace gigasim::test {

struct Replayed {
  Topology topo;
  Workload work;
  ReplayResult res;
};

inline Replayed replay(const std::string& topology_yaml, const std::string& workload_yaml,
                       const std::string& network_yaml = "") {
  Replayed r;
  r.topo = build_topology(load_yaml_string(topology_yaml, "topology.yaml"));
  r.work = build_workload(load_yaml_string(workload_yaml, "workload.yaml"),
                          ClusterInfo{r.topo.gpus, r.topo.gpus_per_server, r.topo.gpu_flops});
  NetworkModelSpec net;
  if (!network_yaml.empty()) {
    ConfigNode n = load_yaml_string(network_yaml, "network.yaml");
    net = parse_network_model(&n);
  }
  ReplayEngine engine(r.topo, r.work, net, ReplayOptions{});
  r.res = engine.run();
  return r;
}

/// A 2- or 3-tier fat-tree with 50 GB/s NICs and switch links, 450 GB/s NVLink.
inline std::string fat_tree(uint32_t servers, uint32_t gps, uint32_t tiers, uint32_t radix,
                            const std::string& over) {
  return fmt::format(
      "kind: fat_tree\nservers: {}\ngpus_per_server: {}\ntiers: {}\nswitch_radix: {}\noversubscription: {}\n"
      "links:\n  nvlink: {{bandwidth: 450GBps, latency: 0.5us}}\n  nic: {{bandwidth: 400Gbps, latency: 1us}}\n"
      "  fabric: {{bandwidth: 400Gbps, latency: 1us}}\n",
      servers, gps, tiers, radix, over);
}

inline double rel_err(double sim, double expected) { return (sim - expected) / expected; }

}  // namespace gigasim::test
