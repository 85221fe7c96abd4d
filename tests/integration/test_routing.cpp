// Routing policies in simulation: ECMP collisions and queue pairs, adaptive routing, failure-aware
// rerouting, rail-only forwarding. Each case is its own process (one SimGrid engine each).
#include <doctest/doctest.h>

#include <cstdio>
#include <map>

#include "harness.hpp"

using namespace gigasim;
using namespace gigasim::test;

namespace {

// 128 GPUs, 4 leaves of 32 and 2 spines (16 cables to each): every GPU of leaf l exchanges
// S/2 with its twin on leaf l+2 (an all-gather between the two), all at once. Non-blocking: the
// ideal time is alpha + (S/2)/B; colliding flows stretch it.
double twin_exchange(const std::string& routing, uint32_t channels) {
  std::string topo = fat_tree(16, 8, 2, 64, "1");
  topo += "routing: " + routing + "\n";
  const auto r = replay(topo, fmt::format("kind: collective\nop: all_gather\nsize: 64MiB\ngroup: {{size: 2, stride: 64}}\n"
                                          "channels: {}\nfidelity: stepwise\nalgorithm: ring\n",
                                          channels));
  REQUIRE(r.res.ok);
  const double ideal = r.topo.path_latency(0, 64) + 32.0 * 1024 * 1024 / 50e9;
  const double t = r.res.collectives[0].end_s - r.res.collectives[0].start_s;
  std::printf("twin exchange, routing %s, %u channel(s): %.6g s = %.3f x ideal\n", routing.c_str(), channels, t,
              t / ideal);
  return t / ideal;
}

}  // namespace

TEST_CASE("sub_twin_ecmp_q1" * doctest::skip()) { std::printf("RESULT %.9g\n", twin_exchange("ecmp", 1)); }
TEST_CASE("sub_twin_ecmp_q2" * doctest::skip()) {
  std::printf("RESULT %.9g\n", twin_exchange("{policy: ecmp, qps_per_pair: 2}", 2));
}
TEST_CASE("sub_twin_ecmp_q8" * doctest::skip()) {
  std::printf("RESULT %.9g\n", twin_exchange("{policy: ecmp, qps_per_pair: 8}", 8));
}
TEST_CASE("sub_twin_dmodk" * doctest::skip()) { std::printf("RESULT %.9g\n", twin_exchange("dmodk", 1)); }

TEST_CASE("ecmp_collisions_shrink_with_queue_pairs") {
  // Hashing one flow per pair collides (some uplinks carry 3-4 flows); with more queue pairs per
  // pair each GPU's traffic spreads over more paths and the slowest link is less loaded.
  const double one = child_result("sub_twin_ecmp_q1");
  const double two = child_result("sub_twin_ecmp_q2");
  const double eight = child_result("sub_twin_ecmp_q8");
  const double dmodk = child_result("sub_twin_dmodk");
  std::printf("slowdown over ideal: ecmp 1 QP %.3f, 2 QPs %.3f, 8 QPs %.3f; d-mod-k %.3f\n", one, two, eight, dmodk);
  CHECK(one > 1.5);
  CHECK(two < one);
  CHECK(eight < two);
  CHECK(eight < 0.6 * one);
  CHECK(dmodk == doctest::Approx(1.0).epsilon(1e-3));
}

namespace {
// 3 tiers: 16-port switches, 8 leaves of 8 GPUs per pod, 2 pods; every GPU of pod 0 exchanges
// with its twin in pod 1.
double cross_pod(const std::string& routing) {
  std::string topo = fat_tree(16, 8, 3, 16, "[1, 1]") + "routing: " + routing + "\n";
  const auto r = replay(topo, "kind: collective\nop: all_gather\nsize: 64MiB\ngroup: {size: 2, stride: 64}\n"
                              "fidelity: stepwise\nalgorithm: ring\n");
  REQUIRE(r.res.ok);
  const double ideal = r.topo.path_latency(0, 64) + 32.0 * 1024 * 1024 / 50e9;
  const double t = r.res.collectives[0].end_s - r.res.collectives[0].start_s;
  std::printf("cross-pod permutation, routing %s: %.6g s = %.3f x ideal\n", routing.c_str(), t, t / ideal);
  return t / ideal;
}
}  // namespace

TEST_CASE("sub_xpod_ecmp" * doctest::skip()) { std::printf("RESULT %.9g\n", cross_pod("ecmp")); }
TEST_CASE("sub_xpod_adaptive" * doctest::skip()) { std::printf("RESULT %.9g\n", cross_pod("adaptive")); }

TEST_CASE("adaptive_beats_ecmp_across_pods") {
  const double ecmp = child_result("sub_xpod_ecmp");
  const double adaptive = child_result("sub_xpod_adaptive");
  CHECK(adaptive < ecmp);
  CHECK(adaptive == doctest::Approx(1.0).epsilon(1e-3));
}

TEST_CASE("spray_is_ideal_under_oversubscription") {
  // With ideal spraying a 2:1 leaf gives exactly half the NIC rate to a full-leaf exchange.
  const auto r = replay(fat_tree(4, 8, 2, 24, "2") + "routing: spray\n",
                        "kind: collective\nop: all_gather\nsize: 32MiB\ngroup: {size: 2, stride: 16}\nalgorithm: ring\n");
  REQUIRE(r.res.ok);
  const double expected = r.topo.path_latency(0, 16) + 16.0 * 1024 * 1024 / 25e9;
  const double t = r.res.collectives[0].end_s - r.res.collectives[0].start_s;
  std::printf("spray, 2:1 leaves: simulated %.9g s, closed form %.9g s, error %+.2e\n", t, expected,
              rel_err(t, expected));
  CHECK(std::fabs(rel_err(t, expected)) < 1e-3);
}

TEST_CASE("failure_aware_rerouting") {
  // One-channel ring over 64 GPUs (8 servers, two leaves): the channel crosses servers on NIC 0,
  // and d-mod-k sends the leaf-crossing edge 24 -> 32 through one leaf uplink. With that uplink
  // down the flow takes the next one, the ring is as fast as before, and the dead link carries
  // nothing.
  const std::string topo = fat_tree(8, 8, 2, 64, "1");
  const Topology t = build_topology(load_yaml_string(topo, "t.yaml"));
  Path p;
  REQUIRE(t.router->route(24, 32, 0, AllLinksUp{}, p));
  const LinkId dead = p.hop[1];  // the leaf0 uplink it takes, up
  const std::string work = "kind: collective\nop: all_reduce\nsize: 64MiB\nfidelity: stepwise\nalgorithm: ring\nchannels: 1\n";
  const auto r = replay(topo, work, "", {dead});
  REQUIRE(r.res.ok);
  CHECK(r.res.links->bytes(dead) == 0);
  const double expected = ring_closed_form(r.topo, 64, 64.0 * 1024 * 1024, 8);
  const double sim = r.res.collectives[0].end_s - r.res.collectives[0].start_s;
  std::printf("ring with leaf0 uplink 0 down: simulated %.9g s, closed form %.9g s, error %+.2e\n", sim, expected,
              rel_err(sim, expected));
  CHECK(std::fabs(rel_err(sim, expected)) < 1e-3);
}

TEST_CASE("no_live_path_fails_the_run") {
  // Every uplink of leaf 0 down: the ring cannot cross to leaf 1, and the run says which
  // collective failed and why.
  const std::string topo = fat_tree(8, 8, 2, 64, "1");
  const Topology t = build_topology(load_yaml_string(topo, "t.yaml"));
  std::vector<LinkId> down;
  for (uint32_t c = 0; c < t.cables.size(); ++c) {
    if (t.cables[c].kind == LinkKind::kFabric && t.nodes[t.cables[c].a].index == 0) down.push_back(up_link(c));
  }
  const auto r = replay(topo, "kind: collective\nop: all_reduce\nsize: 1MiB\nalgorithm: ring\n", "", down);
  CHECK_FALSE(r.res.ok);
  std::printf("error: %s\n", r.res.error.c_str());
  CHECK(r.res.error.find("no live path") != std::string::npos);
  CHECK(r.res.error.find("all_reduce") != std::string::npos);
}

TEST_CASE("rail_only_forwarding") {
  // Pairs (r, r+163): 20 servers and 3 rails apart. Each flow crosses NVLink to its server's GPU on
  // the destination's rail, then that rail's own fabric; every NIC and uplink carries one flow,
  // so the exchange takes alpha + (S/2)/B_nic.
  const auto r = replay("kind: rail_only\nservers: 64\ngpus_per_server: 8\nswitch_radix: 16\n",
                        "kind: collective\nop: all_gather\nsize: 16MiB\nranks: 326\ngroup: {size: 2, stride: 163}\n"
                        "fidelity: stepwise\nalgorithm: ring\n");
  REQUIRE(r.res.ok);
  Path p;
  REQUIRE(r.topo.router->route(0, 163, 0, AllLinksUp{}, p));
  CHECK(r.topo.cables[cable_of(p.hop[0])].kind == LinkKind::kNvLink);
  // Server 20 holds both senders (ranks 160-162) and receivers (163-167), so three NICs forward
  // two flows; every other NIC and uplink carries one. Equal flows starting together under
  // max-min: T = alpha + k (S/2) / B with k the busiest link's flow count.
  std::map<LinkId, int> load;
  for (uint32_t a = 0; a < 163; ++a) {
    for (auto [s, d] : {std::pair{a, a + 163}, std::pair{a + 163, a}}) {
      REQUIRE(r.topo.router->route(s, d, 0, AllLinksUp{}, p));
      for (LinkId l : p) ++load[l];
    }
  }
  int k = 0;
  for (const auto& [l, n] : load) {
    if (r.topo.cables[cable_of(l)].kind != LinkKind::kNvLink) k = std::max(k, n);
  }
  CHECK(k == 2);
  const double expected = r.topo.path_latency(0, 163) + k * 8.0 * 1024 * 1024 / 50e9;
  const double t = r.res.collectives[0].end_s - r.res.collectives[0].start_s;
  std::printf("rail-only cross-rail exchange: simulated %.9g s, closed form %.9g s, error %+.2e\n", t, expected,
              rel_err(t, expected));
  CHECK(std::fabs(rel_err(t, expected)) < 1e-3);
  // Nothing crossed a switch of another rail: switch-to-switch bytes only within one copy.
  for (LinkId l = 0; l < r.topo.link_count(); ++l) {
    const Node& a = r.topo.nodes[r.topo.link_source(l)];
    const Node& b = r.topo.nodes[r.topo.link_target(l)];
    if (a.kind == NodeKind::kSwitch && b.kind == NodeKind::kSwitch) CHECK(a.copy == b.copy);
  }
}
