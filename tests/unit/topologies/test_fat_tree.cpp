#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "sim/core/topology_graph.hpp"
#include "sim/core/topology_report.hpp"
#include "topologies/fat_tree.hpp"
#include "topologies/routing.hpp"
#include "topologies/topology_builder.hpp"

using namespace gigasim;

namespace {

Topology build(const std::string& yaml) { return build_topology(load_yaml_string(yaml, "t.yaml")); }

std::string tree_yaml(uint32_t servers, uint32_t gps, uint32_t tiers, uint32_t radix, const std::string& over,
                      const std::string& routing = "dmodk") {
  return fmt::format("kind: fat_tree\nservers: {}\ngpus_per_server: {}\ntiers: {}\nswitch_radix: {}\n"
                     "oversubscription: {}\nrouting: {}\n",
                     servers, gps, tiers, radix, over, routing);
}

uint64_t count_kind(const Topology& t, LinkKind k, uint8_t tier = 0) {
  uint64_t n = 0;
  for (const Cable& c : t.cables) n += c.kind == k && (tier == 0 || c.tier == tier);
  return n;
}

uint32_t switches(const Topology& t, uint8_t tier) {
  uint32_t n = 0;
  for (const Node& x : t.nodes) n += x.kind == NodeKind::kSwitch && x.tier == tier;
  return n;
}

// Flows per directed switch-facing link for the shift permutation g -> g + shift.
std::map<LinkId, int> shift_load(const Topology& t, uint32_t shift, uint64_t salt = 0) {
  std::map<LinkId, int> load;
  Path p;
  for (uint32_t g = 0; g < t.gpus; ++g) {
    REQUIRE(t.router->route(g, (g + shift) % t.gpus, salt, AllLinksUp{}, p));
    for (LinkId l : p) {
      if (t.cables[cable_of(l)].kind == LinkKind::kFabric) ++load[l];
    }
  }
  return load;
}

class DownSet final : public LinkStateView {
 public:
  std::set<LinkId> down;
  bool is_up(LinkId l) const override { return down.count(l) == 0; }
};

}  // namespace

TEST_CASE("2-tier fat-tree counts: 128 GPUs on 64-port switches") {
  const Topology t = build(tree_yaml(16, 8, 2, 64, "1"));
  CHECK(t.gpus == 128);
  CHECK(switches(t, 1) == 4);  // 32 NICs per leaf
  CHECK(switches(t, 2) == 2);  // 4 leaves x 32 uplinks = 128 ports: 2 spines, 16 cables per pair
  CHECK(count_kind(t, LinkKind::kNvLink) == 128);
  CHECK(count_kind(t, LinkKind::kNic) == 128);
  CHECK(count_kind(t, LinkKind::kFabric, 2) == 128);
  const TopologyReport r = make_topology_report(t);
  CHECK(r.tiers[0].oversubscription() == doctest::Approx(1.0));
  CHECK(r.bisection_Bps == doctest::Approx(64 * 50e9));
  CHECK(r.full_bisection_Bps == doctest::Approx(64 * 50e9));
  CHECK(r.diameter_hops == 4);
  CHECK(r.connected);
  CHECK(r.nvswitches == 16);
}

TEST_CASE("3-tier k-ary fat-tree has k^3/4 hosts, k^2/2 leaves and spines, k^2/4 cores") {
  for (uint32_t k : {8U, 16U}) {
    const uint32_t hosts = k * k * k / 4;
    const Topology t = build(tree_yaml(hosts / (k / 2), k / 2, 3, k, "[1, 1]"));
    CHECK(t.gpus == hosts);
    CHECK(switches(t, 1) == k * k / 2);
    CHECK(switches(t, 2) == k * k / 2);
    CHECK(switches(t, 3) == k * k / 4);
    CHECK(count_kind(t, LinkKind::kFabric, 2) == uint64_t{hosts});
    CHECK(count_kind(t, LinkKind::kFabric, 3) == uint64_t{hosts});
    const TopologyReport r = make_topology_report(t);
    for (const TierReport& tier : r.tiers) CHECK(tier.max_ports_used <= k);
    CHECK(r.bisection_Bps == doctest::Approx(hosts / 2 * 50e9));
    CHECK(r.diameter_hops == 6);
  }
}

TEST_CASE("65,536-GPU 3-tier fat-tree of 64-port switches") {
  const Topology t = build(tree_yaml(8192, 8, 3, 64, "[1, 1]"));
  CHECK(t.gpus == 65536);
  CHECK(switches(t, 1) == 2048);
  CHECK(switches(t, 2) == 2048);
  CHECK(switches(t, 3) == 1024);
  CHECK(t.cables.size() == 4 * 65536);
}

TEST_CASE("oversubscription per tier is what the ports give") {
  // 24-port leaves at 2:1: 16 NICs down, 8 up.
  const Topology t = build(tree_yaml(16, 8, 2, 24, "\"2:1\""));
  const TopologyReport r = make_topology_report(t);
  CHECK(switches(t, 1) == 8);
  CHECK(r.tiers[0].oversubscription() == doctest::Approx(2.0));
  CHECK(r.bisection_Bps == doctest::Approx(0.5 * r.full_bisection_Bps));
  // 3 tiers, 1:1 at the leaf and 3:1 at the spine.
  const Topology t3 = build(tree_yaml(48, 4, 3, 8, "[1, 3]"));
  const TopologyReport r3 = make_topology_report(t3);
  CHECK(r3.tiers[0].oversubscription() == doctest::Approx(1.0));
  CHECK(r3.tiers[1].oversubscription() == doctest::Approx(3.0));
}

TEST_CASE("every route is a loop-free path of the graph") {
  for (const std::string& y : {tree_yaml(16, 8, 2, 64, "1"), tree_yaml(32, 4, 3, 8, "[1, 1]"),
                               tree_yaml(48, 2, 3, 8, "[3, 1]", "ecmp"), tree_yaml(10, 8, 2, 24, "2")}) {
    const Topology t = build(y);
    const TopologyGraph g(t);
    Path p;
    uint64_t checked = 0;
    for (uint32_t s = 0; s < t.gpus; ++s) {
      for (uint32_t d = 0; d < t.gpus; ++d) {
        REQUIRE(t.router->route(s, d, s * 7 + d, AllLinksUp{}, p));
        const std::string problem = g.check_path(s, d, p);
        if (!problem.empty()) FAIL_CHECK(fmt::format("{} -> {}: {}", s, d, problem));
        ++checked;
      }
    }
    CHECK(checked == uint64_t{t.gpus} * t.gpus);
  }
}

TEST_CASE("d-mod-k spreading is even on shift permutations") {
  SUBCASE("non-blocking 3-tier: every fabric link carries at most one flow") {
    const Topology t = build(tree_yaml(32, 4, 3, 8, "[1, 1]"));
    for (uint32_t shift : {1U, 3U, 4U, 16U, 37U, 64U, 127U}) {
      for (const auto& [l, n] : shift_load(t, shift)) CHECK(n == 1);
    }
  }
  SUBCASE("2:1 leaves: exactly two flows on every used uplink") {
    const Topology t = build(tree_yaml(16, 8, 2, 24, "2"));
    const auto load = shift_load(t, 16);  // every GPU sends to the next leaf
    CHECK(load.size() == 2 * 8 * 8);     // 8 leaves x 8 uplinks, up and down
    for (const auto& [l, n] : load) CHECK(n == 2);
  }
}

TEST_CASE("hashed ECMP over many queue pairs spreads within a few percent") {
  const Topology t = build(tree_yaml(16, 8, 2, 64, "1", "{policy: ecmp, qps_per_pair: 64}"));
  std::map<LinkId, int> load;
  for (uint64_t salt = 0; salt < 64; ++salt) {
    for (const auto& [l, n] : shift_load(t, 32, salt)) load[l] += n;
  }
  int lo = INT32_MAX, hi = 0, total = 0;
  for (const auto& [l, n] : load) {
    lo = std::min(lo, n);
    hi = std::max(hi, n);
    total += n;
  }
  const double mean = double(total) / load.size();
  CHECK(load.size() == 2 * 4 * 32);
  CHECK(hi < 1.6 * mean);
  CHECK(lo > 0.4 * mean);
}

TEST_CASE("routes avoid links that are down while an alternative exists") {
  const Topology t = build(tree_yaml(32, 4, 3, 8, "[1, 1]"));
  const TopologyGraph g(t);
  DownSet st;
  Path p;
  REQUIRE(t.router->route(0, 127, 0, st, p));
  // Take down every fabric link of the current path, one at a time: a new valid path appears.
  for (int round = 0; round < 3; ++round) {
    for (LinkId l : p) {
      if (t.cables[cable_of(l)].kind == LinkKind::kFabric) st.down.insert(l);
    }
    REQUIRE(t.router->route(0, 127, 0, st, p));
    CHECK(g.check_path(0, 127, p).empty());
    for (LinkId l : p) CHECK(st.down.count(l) == 0);
  }
  // With every uplink of GPU 0's leaf down, there is no path.
  const uint32_t leaf_base = 2 * t.gpus;
  for (uint32_t j = 0; j < 4; ++j) st.down.insert(up_link(leaf_base + j));
  CHECK_FALSE(t.router->route(0, 127, 0, st, p));
}

TEST_CASE("sizing errors explain what to change") {
  auto err = [](const std::string& y) {
    try {
      build(y);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(err(tree_yaml(1000, 8, 2, 64, "1")).find("use tiers: 3") != std::string::npos);
  CHECK(err(tree_yaml(16, 8, 4, 64, "1")).find("'tiers' = 4 is too large") != std::string::npos);
  CHECK(err(tree_yaml(16, 8, 2, 64, "[1, 1]")).find("oversubscription lists 2 values") != std::string::npos);
  CHECK(err(tree_yaml(100000, 8, 3, 16, "[1, 1]")).find("pods") != std::string::npos);
  CHECK(err("kind: fat_tre\nservers: 2\n").find("did you mean 'fat_tree'") != std::string::npos);
  CHECK(err("kind: fat_tree\nservers: 2\nlinks: {nic: {bandwidth: -5Gbps}}\n").find("t.yaml:3:26: error:") == 0);
  CHECK(err("kind: fat_tree\nservers: 0\n").find("'servers' must be positive") != std::string::npos);
}

TEST_CASE("routers report what callers need: live link load, determinism") {
  for (const RoutingPolicyInfo& info : routing_policies()) {
    const Topology t = build(fmt::format(
        "kind: fat_tree\nservers: 8\ngpus_per_server: 8\ntiers: 2\nswitch_radix: 16\nrouting: {}\n", info.name));
    INFO(info.name);
    CHECK(std::string(t.router->policy()) == info.name);
    CHECK(t.router->needs_link_load() == info.needs_link_load);
    CHECK(t.router->deterministic() == info.deterministic);
  }
  CHECK(routing_policy_info(RoutingPolicy::kAdaptive).needs_link_load);
  CHECK(routing_policy_info(RoutingPolicy::kDmodk).deterministic);
  CHECK(routing_policy_info(RoutingPolicy::kSpray).deterministic);
  CHECK(!routing_policy_info(RoutingPolicy::kEcmp).deterministic);
}
