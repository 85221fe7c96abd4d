// Oversubscription against the closed form: every GPU of pod 0 exchanges S with its twin in pod
// 1 (a 2-member ring all-reduce: 2 steps of S/2 each way). On a non-blocking tree each flow gets
// the full NIC bandwidth B; with spines at 2:1 two flows share each spine uplink, so the
// bandwidth term doubles: T = 2(α + (S/2)/(B/o)).
#include <doctest/doctest.h>

#include <cstdio>

#include "harness.hpp"

using namespace gigasim;
using namespace gigasim::test;

namespace {

void check_cross_pod(double over) {
  // Leaves: 16 ports at 1:1 (8 GPUs down, 8 up). Spines: 12 ports, 8 down, 4 up at 2:1, or 16 at
  // 1:1. 8 leaves per pod: 64 GPUs per pod, 2 pods.
  const std::string topo = over == 2.0 ? fat_tree(16, 8, 3, 0, "[1, 2]") : fat_tree(16, 8, 3, 0, "[1, 1]");
  const std::string radix = over == 2.0 ? "[16, 12, 16]" : "[16, 16, 16]";
  std::string y = topo;
  y.replace(y.find("switch_radix: 0"), 15, "switch_radix: " + radix);
  const double S = 64.0 * 1024 * 1024;
  const auto r = replay(y, "kind: collective\nop: all_reduce\nsize: 64MiB\ngroup: {size: 2, stride: 64}\n"
                           "fidelity: stepwise\nalgorithm: ring\n");
  REQUIRE(r.res.ok);
  const double alpha = r.topo.path_latency(0, 64);
  const double B = 50e9;
  const double expected = 2 * (alpha + (S / 2) / (B / over));
  const double sim = r.res.collectives[0].end_s - r.res.collectives[0].start_s;
  std::printf("cross-pod exchange, spines %g:1: simulated %.9g s, closed form %.9g s, error %+.2e\n", over, sim,
              expected, rel_err(sim, expected));
  CHECK(std::fabs(rel_err(sim, expected)) < 1e-3);
  // Every spine-to-core link carried the two steps of two flows (o = 2) or of one flow (o = 1).
  double max_bytes = 0, min_bytes = 1e300;
  for (LinkId l = 0; l < r.topo.link_count(); ++l) {
    const Cable& c = r.topo.cables[cable_of(l)];
    if (c.kind != LinkKind::kFabric || c.tier != 3) continue;
    max_bytes = std::max(max_bytes, r.res.links->bytes(l));
    min_bytes = std::min(min_bytes, r.res.links->bytes(l));
  }
  CHECK(max_bytes == doctest::Approx(over * S));
  CHECK(min_bytes == doctest::Approx(over * S));
}

}  // namespace

TEST_CASE("cross_pod_nonblocking") { check_cross_pod(1.0); }
TEST_CASE("cross_pod_oversubscribed_2to1") { check_cross_pod(2.0); }

TEST_CASE("leaf_oversubscribed_2to1") {
  // 24-port leaves at 2:1 (16 GPUs down, 8 up): all 16 GPUs of a leaf exchange with the next leaf.
  const auto r = replay(fat_tree(4, 8, 2, 24, "2"),
                        "kind: collective\nop: all_gather\nsize: 32MiB\ngroup: {size: 2, stride: 16}\nalgorithm: ring\n");
  REQUIRE(r.res.ok);
  const double S = 32.0 * 1024 * 1024;
  const double expected = r.topo.path_latency(0, 16) + (S / 2) / (50e9 / 2);
  const double sim = r.res.collectives[0].end_s - r.res.collectives[0].start_s;
  std::printf("cross-leaf all_gather, leaves 2:1: simulated %.9g s, closed form %.9g s, error %+.2e\n", sim, expected,
              rel_err(sim, expected));
  CHECK(std::fabs(rel_err(sim, expected)) < 1e-3);
}
