// Failures inside a step, in SimGrid, against what can be computed by hand: a flow cut by a link
// failure resumes with its remaining bytes on another spine after the reissue delay; a degraded
// link halves a ring's bandwidth; a straggler lengthens the step by its extra compute; a NIC
// failure leaves no path and fails the collective, saying which; a GPU failure aborts the step.
#include <doctest/doctest.h>

#include <cstdio>

#include "harness.hpp"
#include "sim/failures/failure_spec.hpp"

using namespace gigasim;
using namespace gigasim::test;

namespace {

// 64 one-GPU servers under two leaves of a non-blocking 2-tier tree (32 uplinks each), 50 GB/s
// links: every ring edge crosses NICs.
const std::string kTopo = fat_tree(64, 1, 2, 64, "1");
const char* kRing = "kind: collective\nop: all_reduce\nsize: 64MiB\nalgorithm: ring\nfidelity: collapsed\n";

Replayed replay_with(const std::string& workload, const std::string& failures_yaml) {
  Replayed r;
  r.topo = build_topology(load_yaml_string(kTopo, "topology.yaml"));
  r.work = build_workload(load_yaml_string(workload, "workload.yaml"),
                          ClusterInfo{r.topo.gpus, r.topo.gpus_per_server, r.topo.gpu_flops});
  const FailureSpec fs = parse_failures(load_yaml_string(failures_yaml, "failures.yaml"), 1);
  ReplayOptions opt;
  opt.calibration = &Calibration::ideal();
  opt.failures = schedule_failures(fs, r.topo);
  opt.reissue_delay_s = fs.reissue_delay_s;
  ReplayEngine engine(r.topo, r.work, NetworkModelSpec{}, opt);
  r.res = engine.run();
  return r;
}

// The cable that carries ring edge 31 -> 32 up from leaf 0.
std::string crossing_cable(const Topology& t) {
  Path p;
  REQUIRE(t.router->route(31, 32, 0, AllLinksUp{}, p));
  return t.cable_name(cable_of(p.hop[1]));
}

// The ring all-reduce's closed form, 2 (n-1) (alpha + S/n/B), 64 MiB over 64 ranks.
double ring_time(const Topology& t, double bw) {
  double a = 0;
  for (uint32_t g = 0; g < 64; ++g) a = std::max(a, t.path_latency(g, (g + 1) % 64));
  return 2 * 63 * (a + 64.0 * 1024 * 1024 / 64 / bw);
}

}  // namespace

TEST_CASE("link_failure_mid_collective_reroutes") {
  const Topology t = build_topology(load_yaml_string(kTopo, "t.yaml"));
  const std::string cable = crossing_cable(t);
  const auto r = replay_with(kRing, fmt::format("events:\n  - {{at: 1ms, target: '{}', kind: down}}\n"
                                                "recovery: {{reissue_delay: 0.5ms}}\n",
                                                cable));
  REQUIRE(r.res.ok);
  REQUIRE(r.res.failures.size() == 1);
  CHECK(r.res.failures[0].applied);
  // The cable carries both leaf-crossing edges: 31 -> 32 up, 63 -> 0 down.
  CHECK(r.res.failures[0].flows_cut == 2);
  CHECK(r.res.flows_cut == 2);
  // Collapsed ring: one flow per rank of 2 (n-1)/n S at the NIC rate, 2 (n-1) latencies in all.
  // The cut flow keeps its progress, waits 0.5 ms, pays a route latency again and finishes the
  // rest on another spine.
  const double base = ring_time(r.topo, 50e9);
  const double expected = base + 0.5e-3 + r.topo.path_latency(31, 32);
  const double sim = r.res.collectives[0].end_s - r.res.collectives[0].start_s;
  std::printf("ring, %s down at 1 ms: %.9g s; without it %.9g s; closed form with the reroute %.9g s, error %+.2e\n",
              cable.c_str(), sim, base, expected, rel_err(sim, expected));
  CHECK(std::fabs(rel_err(sim, expected)) < 1e-3);
}

TEST_CASE("degraded_link_halves_the_ring") {
  const Topology t = build_topology(load_yaml_string(kTopo, "t.yaml"));
  const auto r = replay_with(kRing, fmt::format("events:\n  - {{at: 0, target: '{}', kind: degrade, factor: 0.5}}\n",
                                                crossing_cable(t)));
  REQUIRE(r.res.ok);
  const double expected = ring_time(r.topo, 25e9);
  const double sim = r.res.collectives[0].end_s - r.res.collectives[0].start_s;
  std::printf("ring over a link at half bandwidth: %.9g s, closed form %.9g s, error %+.2e\n", sim, expected,
              rel_err(sim, expected));
  CHECK(std::fabs(rel_err(sim, expected)) < 1e-3);
}

TEST_CASE("straggler_lengthens_the_step") {
  // DDP without overlap: every rank computes 30 ms, then all-reduces. GPU 5 at 1.5x holds
  // everyone back by 15 ms.
  const char* dp = "kind: data_parallel\ncompute: {forward: 10ms, backward: 20ms}\ngradients: 64MiB\n"
                   "bucket_size: 64MiB\noverlap: false\nalgorithm: ring\nfidelity: collapsed\n";
  const auto r = replay_with(dp, "events:\n  - {at: 0, target: gpu5, kind: slow, factor: 1.5}\n");
  REQUIRE(r.res.ok);
  const double expected = 1.5 * 0.030 + ring_time(r.topo, 50e9);
  const double sim = r.res.steps[0].duration();
  std::printf("step with a 1.5x straggler: %.9g s, closed form %.9g s, error %+.2e\n", sim, expected,
              rel_err(sim, expected));
  CHECK(std::fabs(rel_err(sim, expected)) < 1e-3);
}

TEST_CASE("nic_failure_leaves_no_path") {
  const auto r = replay_with(kRing, "events:\n  - {at: 1ms, target: nic31, kind: down}\n");
  CHECK_FALSE(r.res.ok);
  std::printf("error: %s\n", r.res.error.c_str());
  CHECK(r.res.error.find("no live path left") != std::string::npos);
  CHECK(r.res.error.find("all_reduce") != std::string::npos);
}

TEST_CASE("gpu_failure_aborts_the_step") {
  const auto r = replay_with(kRing, "events:\n  - {at: 1ms, target: gpu5, kind: down}\n");
  CHECK_FALSE(r.res.ok);
  std::printf("error: %s\n", r.res.error.c_str());
  CHECK(r.res.error.find("gpu5 failed at t=0.001 s: step 0 aborted") != std::string::npos);
  CHECK(r.res.failures[0].applied);
}
