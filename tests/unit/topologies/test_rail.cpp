#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cstdio>
#include <map>

#include "sim/core/topology_graph.hpp"
#include "sim/core/topology_report.hpp"
#include "topologies/topology_builder.hpp"

using namespace gigasim;

namespace {
Topology build(const std::string& yaml) { return build_topology(load_yaml_string(yaml, "t.yaml")); }

uint64_t cables(const TopologyReport& r, const std::string& name) {
  for (const auto& c : r.cable_classes) {
    if (c.name == name) return c.cables;
  }
  return 0;
}
uint32_t switches(const TopologyReport& r, size_t tier) { return tier < r.tiers.size() ? r.tiers[tier].switches : 0; }
}  // namespace

TEST_CASE("rail-optimized generator reproduces the DGX SuperPOD switch and cable counts") {
  // NVIDIA DGX SuperPOD reference architecture (docs.nvidia.com, "DGX SuperPOD Architecture", B200
  // edition; the H100 edition RA-11333-001 has the same 32-server SU and three-tier rail-optimized
  // fabric of 64-port switches): SUs, leaf, spine, core, node-leaf, leaf-spine, spine-core
  struct Row {
    uint32_t sus, leaf, spine, core;
    uint64_t node_leaf, leaf_spine, spine_core;
  };
  const Row rows[] = {{2, 16, 8, 0, 512, 512, 0},          {4, 32, 16, 0, 1024, 1024, 0},
                      {8, 64, 32, 0, 2048, 2048, 0},       {16, 128, 128, 64, 4096, 4096, 4096},
                      {32, 256, 256, 128, 8192, 8192, 8192}, {64, 512, 512, 256, 16384, 16384, 16384}};
  for (const Row& row : rows) {
    const Topology t = build(fmt::format("kind: rail_optimized\nscalable_units: {}\nservers_per_su: 32\n"
                                         "gpus_per_server: 8\nrails: 8\nswitch_radix: 64\n",
                                         row.sus));
    const TopologyReport r = make_topology_report(t);
    std::printf("SuperPOD %2u SUs: leaf %u/%u spine %u/%u core %u/%u, node-leaf %llu/%llu leaf-spine %llu/%llu "
                "spine-core %llu/%llu (simulated/published)\n",
                row.sus, switches(r, 0), row.leaf, switches(r, 1), row.spine, switches(r, 2), row.core,
                (unsigned long long)cables(r, "gpu-leaf"), (unsigned long long)row.node_leaf,
                (unsigned long long)cables(r, "leaf-spine"), (unsigned long long)row.leaf_spine,
                (unsigned long long)cables(r, "spine-core"), (unsigned long long)row.spine_core);
    CHECK(t.gpus == row.sus * 256);
    CHECK(switches(r, 0) == row.leaf);
    CHECK(switches(r, 1) == row.spine);
    CHECK(switches(r, 2) == row.core);
    CHECK(cables(r, "gpu-leaf") == row.node_leaf);
    CHECK(cables(r, "leaf-spine") == row.leaf_spine);
    CHECK(cables(r, "spine-core") == row.spine_core);
    for (const TierReport& tier : r.tiers) CHECK(tier.max_ports_used <= 64);
    CHECK(r.bisection_Bps == doctest::Approx(r.full_bisection_Bps));  // non-blocking
  }
}

TEST_CASE("rail-optimized routes: same rail stays on its leaf, cross-rail via spine or PXN") {
  const std::string base = "kind: rail_optimized\nscalable_units: 2\nswitch_radix: 64\n";
  const Topology t = build(base);
  const TopologyGraph g(t);
  Path p;
  // GPU 0 (server 0, rail 0) to GPU 8 (server 1, rail 0): one leaf.
  REQUIRE(t.router->route(0, 8, 0, AllLinksUp{}, p));
  CHECK(p.size == 2);
  // GPU 0 to GPU 9 (server 1, rail 1): up to a spine and down.
  REQUIRE(t.router->route(0, 9, 0, AllLinksUp{}, p));
  CHECK(p.size == 4);
  CHECK(g.check_path(0, 9, p).empty());
  const Topology pxn = build(base + "pxn: true\n");
  const TopologyGraph gp(pxn);
  REQUIRE(pxn.router->route(0, 9, 0, AllLinksUp{}, p));
  CHECK(p.size == 4);  // NVLink to GPU 1, then GPU 1's rail leaf
  CHECK(pxn.cables[cable_of(p.hop[0])].kind == LinkKind::kNvLink);
  CHECK(pxn.link_source(p.hop[2]) == 1);
  CHECK(gp.check_path(0, 9, p).empty());
  for (uint32_t s = 0; s < pxn.gpus; s += 7) {
    for (uint32_t d = 0; d < pxn.gpus; ++d) {
      REQUIRE(pxn.router->route(s, d, 0, AllLinksUp{}, p));
      REQUIRE(gp.check_path(s, d, p).empty());
    }
  }
}

TEST_CASE("rail-only: per-rail fabrics, cross-rail traffic forwarded over NVLink") {
  const Topology t = build("kind: rail_only\nservers: 128\ngpus_per_server: 8\nswitch_radix: 64\n");
  const TopologyReport r = make_topology_report(t);
  CHECK(t.copies == 8);
  CHECK(r.connected);  // through the NVSwitches only
  // 128 servers per rail: 4 leaves of 32 and 2 spines per rail.
  CHECK(switches(r, 0) == 8 * 4);
  CHECK(switches(r, 1) == 8 * 2);
  const TopologyGraph g(t);
  Path p;
  REQUIRE(t.router->route(0, 8 * 100 + 3, 0, AllLinksUp{}, p));  // rail 0 -> server 100 rail 3
  CHECK(t.cables[cable_of(p.hop[0])].kind == LinkKind::kNvLink);
  CHECK(t.link_target(p.hop[1]) == 3);  // GPU 3 of server 0
  CHECK(g.check_path(0, 803, p).empty());
  for (uint32_t s = 0; s < t.gpus; s += 13) {
    for (uint32_t d = 0; d < t.gpus; d += 3) {
      REQUIRE(t.router->route(s, d, 0, AllLinksUp{}, p));
      REQUIRE(g.check_path(s, d, p).empty());
      for (LinkId l : p) {  // no link joins two rails
        const Node& a = t.nodes[t.link_source(l)];
        const Node& b = t.nodes[t.link_target(l)];
        if (a.kind == NodeKind::kSwitch && b.kind == NodeKind::kSwitch) CHECK(a.copy == b.copy);
      }
    }
  }
  // No spine joins rails: the bisection between rail halves is not what limits it, but every
  // switch belongs to one rail.
  std::map<int, int> per_copy;
  for (const Node& n : t.nodes) {
    if (n.kind == NodeKind::kSwitch) ++per_copy[n.copy];
  }
  CHECK(per_copy.size() == 8);
}

TEST_CASE("dual-plane: two NIC ports per GPU, two disjoint fabrics") {
  const Topology t = build("kind: fat_tree\nservers: 16\ngpus_per_server: 8\nswitch_radix: 64\ndual_plane: true\n"
                           "links: {nic: {bandwidth: 200Gbps}}\n");
  const TopologyReport r = make_topology_report(t);
  CHECK(t.copies == 2);
  CHECK(cables(r, "gpu-leaf") == 256);
  CHECK(switches(r, 0) == 8);
  const TopologyGraph g(t);
  Path p;
  std::map<int, int> plane_use;
  for (uint32_t d = 32; d < 128; ++d) {
    REQUIRE(t.router->route(0, d, 0, AllLinksUp{}, p));
    CHECK(g.check_path(0, d, p).empty());
    ++plane_use[t.cables[cable_of(p.hop[0])].parallel];
  }
  CHECK(plane_use.size() == 2);  // flows hash over both planes
}

TEST_CASE("spray: one trunk per stage with the stage's summed bandwidth") {
  const Topology t = build("kind: fat_tree\nservers: 32\ngpus_per_server: 4\ntiers: 3\nswitch_radix: 8\n"
                           "oversubscription: [1, 1]\nrouting: spray\n");
  const TopologyGraph g(t, true);
  Path p;
  REQUIRE(t.router->route(0, 127, 0, AllLinksUp{}, p));
  CHECK(p.size == 6);
  CHECK(g.check_path(0, 127, p).empty());
  CHECK(t.cables[cable_of(p.hop[1])].kind == LinkKind::kTrunk);
  CHECK(t.cables[cable_of(p.hop[1])].bw_Bps == doctest::Approx(4 * 50e9));   // 4 leaf uplinks
  CHECK(t.cables[cable_of(p.hop[2])].bw_Bps == doctest::Approx(16 * 50e9));  // 4 spines x 4 uplinks
  // Inspect counts only the physical fabric.
  const TopologyReport r = make_topology_report(t);
  CHECK(r.tiers[0].switches == 32);
  CHECK(cables(r, "leaf-spine") == 128);
}

TEST_CASE("kind: graph routes shortest paths with ECMP and around failures") {
  const Topology t = build_topology(load_yaml_file(std::string(GIGASIM_SOURCE_DIR) + "/topologies/presets/graph_example.yaml"));
  CHECK(t.gpus == 16);
  const TopologyGraph g(t);
  Path p;
  std::map<LinkId, int> first_hop_up;
  for (uint32_t s = 0; s < 16; ++s) {
    for (uint32_t d = 0; d < 16; ++d) {
      REQUIRE(t.router->route(s, d, 0, AllLinksUp{}, p));
      REQUIRE(g.check_path(s, d, p).empty());
      if (s / 8 != d / 8) {
        CHECK(p.size == 4);  // gpu - tor - spine - tor - gpu
        ++first_hop_up[p.hop[1]];
      }
    }
  }
  // tor0 has three uplinks (two to spine0): ECMP uses all of them.
  int tor0_up = 0;
  for (const auto& [l, n] : first_hop_up) tor0_up += t.node_name(t.link_source(l)) == "tor0";
  CHECK(tor0_up == 3);
  // With spine0 unreachable from tor0, traffic from gpu0 goes through spine1.
  class Down final : public LinkStateView {
   public:
    const Topology* t;
    bool is_up(LinkId l) const override {
      return !(t->node_name(t->link_source(l)) == "tor0" && t->node_name(t->link_target(l)) == "spine0");
    }
  } down;
  down.t = &t;
  for (uint32_t d = 8; d < 16; ++d) {
    REQUIRE(t.router->route(0, d, 0, down, p));
    CHECK(t.node_name(t.link_target(p.hop[1])) == "spine1");
  }
  const TopologyReport r = make_topology_report(t);
  CHECK(r.tiers[0].switches == 4);
  CHECK(r.tiers[1].switches == 2);
  CHECK(cables(r, "leaf-spine") == 9);
}

TEST_CASE("server model: an NVL72 domain is one NVSwitch and spans several leaves") {
  const Topology t = build("kind: fat_tree\nservers: 8\ngpus_per_server: 72\ntiers: 2\nswitch_radix: 64\n"
                           "links: {nvlink: {bandwidth: 900GBps, latency: 0.3us}}\n");
  CHECK(t.gpus == 576);
  const TopologyGraph g(t);
  Path p;
  REQUIRE(t.router->route(0, 71, 0, AllLinksUp{}, p));  // same rack: NVLink only
  CHECK(p.size == 2);
  CHECK(t.cables[cable_of(p.hop[0])].bw_Bps == doctest::Approx(900e9));
  REQUIRE(t.router->route(0, 72, 0, AllLinksUp{}, p));  // next rack: the fabric
  CHECK(t.cables[cable_of(p.hop[0])].kind == LinkKind::kNic);
  for (uint32_t s = 0; s < t.gpus; s += 5) {
    for (uint32_t d = 0; d < t.gpus; d += 3) {
      REQUIRE(t.router->route(s, d, 0, AllLinksUp{}, p));
      REQUIRE(g.check_path(s, d, p).empty());
    }
  }
  const TopologyReport r = make_topology_report(t);
  CHECK(r.nvswitches == 8);
  CHECK(r.tiers[0].switches == 18);  // 576 NICs, 32 per leaf
}
