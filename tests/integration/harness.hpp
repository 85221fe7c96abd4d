#pragma once
// Test harness: builds a topology and a workload from YAML text and replays them in SimGrid,
// in this process (so: one replay per test process — each ctest entry runs one test case).

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "sim/core/topology.hpp"
#include "sim/core/workload.hpp"
#include "sim/plan/network_model.hpp"
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
                       const std::string& network_yaml = "", std::vector<LinkId> links_down = {}) {
  Replayed r;
  r.topo = build_topology(load_yaml_string(topology_yaml, "topology.yaml"));
  r.work = build_workload(load_yaml_string(workload_yaml, "workload.yaml"),
                          ClusterInfo{r.topo.gpus, r.topo.gpus_per_server, r.topo.gpu_flops});
  NetworkModelSpec net;
  if (!network_yaml.empty()) {
    ConfigNode n = load_yaml_string(network_yaml, "network.yaml");
    net = parse_network_model(&n);
  }
  ReplayOptions opt;
  opt.links_down = std::move(links_down);
  opt.calibration = &Calibration::ideal();  // pure alpha-beta: what closed forms describe
  ReplayEngine engine(r.topo, r.work, net, opt);
  r.res = engine.run();
  return r;
}

/// Replays a workload built in code (several algorithms in one engine).
inline Replayed replay_workload(const std::string& topology_yaml, Workload work, const Calibration& cal) {
  Replayed r;
  r.topo = build_topology(load_yaml_string(topology_yaml, "topology.yaml"));
  r.work = std::move(work);
  ReplayOptions opt;
  opt.calibration = &cal;
  ReplayEngine engine(r.topo, r.work, NetworkModelSpec{}, opt);
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

/// A one-channel ring all-reduce of `bytes` over GPUs 0..n-1 with no contention, calibration
/// ideal. Flat (n at most one server, or not whole servers): 2(n-1) steps, each the slowest hop
/// (its latency and bandwidth). Whole servers of `gps` GPUs: NCCL's channel ring, the channel on
/// NIC 0 of each server; its chunk pays the NIC route's latency on the s hops of n that cross
/// servers and NVLink's on the others: (k-1)·mean alpha + alpha_net + k·(S/n)/B_nic, k = 2(n-1).
inline double ring_closed_form(const Topology& t, uint32_t n, double bytes, uint32_t gps) {
  const double k = 2.0 * (n - 1);
  if (n > gps && n % gps == 0) {
    const uint32_t servers = n / gps;
    double alpha_net = 0;
    for (uint32_t v = 0; v < servers; ++v) {
      alpha_net = std::max(alpha_net, t.path_latency(v * gps, ((v + 1) % servers) * gps));
    }
    const double mean_alpha = ((n - servers) * t.path_latency(0, 1) + servers * alpha_net) / n;
    return (k - 1) * mean_alpha + alpha_net + k * bytes / n / t.path_bandwidth(0, gps);
  }
  double alpha = 0, bw = 1e300;
  for (uint32_t g = 0; g < n; ++g) {
    alpha = std::max(alpha, t.path_latency(g, (g + 1) % n));
    bw = std::min(bw, t.path_bandwidth(g, (g + 1) % n));
  }
  return k * (alpha + bytes / n / bw);
}

/// Comparisons need several replays, and SimGrid allows one per process: run test case `name`
/// (declared with doctest::skip(), so it runs only when asked for) in a child process and return
/// the number it printed on a line "RESULT <value>".
inline double child_result(const std::string& name) {
  char self[4096] = {0};
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) throw std::runtime_error("cannot find the test binary");
  const std::string cmd = std::string(self) + " --no-skip --test-case=" + name + " 2>&1";
  FILE* f = popen(cmd.c_str(), "r");
  if (f == nullptr) throw std::runtime_error("popen failed");
  char line[4096];
  double value = std::nan("");
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "RESULT ", 7) == 0) value = std::atof(line + 7);
    else std::fputs(line, stdout);
  }
  if (pclose(f) != 0) throw std::runtime_error("child test case failed: " + name);
  return value;
}

}  // namespace gigasim::test
