#include "topologies/clos.hpp"
#include "topologies/clos_layout.hpp"

#include <fmt/format.h>

#include "sim/core/hash.hpp"
#include "sim/core/memory_budget.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "topologies/topology_builder.hpp"

namespace gigasim {
namespace {

constexpr uint64_t kMaxGpus = 1U << 22;  // 4M GPUs: far beyond any built cluster

uint32_t largest_divisor_at_most(uint32_t n, uint32_t limit) {
  for (uint32_t p = std::min(n, limit); p > 1; --p) {
    if (n % p == 0) return p;
  }
  return 1;
}

// Splits a switch's radix into up and down ports for oversubscription o (down:up).
void split_ports(uint32_t radix, double o, uint32_t& down, uint32_t& up) {
  up = static_cast<uint32_t>(std::floor(radix / (1.0 + o) + 1e-9));
  down = up == 0 ? 0 : std::min(radix - up, static_cast<uint32_t>(std::floor(up * o + 1e-9)));
}


}  // namespace

ClosLayoutMath layout_math(const ClosParams& p, const ClosShape& s) {
  ClosLayoutMath m{};
  m.layout = p.layout;
  m.G = p.servers * p.gpus_per_server;
  m.gps = p.gpus_per_server;
  m.servers = p.servers;
  m.spsu = p.servers_per_su;
  m.rails = p.layout == ClosLayout::kContiguous ? p.gpus_per_server : (p.rails ? p.rails : p.gpus_per_server);
  m.per_rail = p.gpus_per_server / m.rails;
  m.ports = p.layout == ClosLayout::kRailOnly ? 1 : p.planes;
  m.s = s;
  m.fabric_base = uint64_t{m.G} + uint64_t{m.G} * m.ports;
  m.copy_size = uint64_t{s.leaves} * s.leaf_up + (s.tiers == 3 ? uint64_t{s.spines()} * s.spine_up : 0);
  m.spray = p.routing.policy == RoutingPolicy::kSpray;
  m.trunk_base = m.fabric_base + s.copies * m.copy_size;
  m.trunk_copy_size = m.spray ? uint64_t{s.leaves} + (s.tiers == 3 ? s.pods : 0) : 0;
  const uint64_t trunk_copies = p.layout == ClosLayout::kRailOnly ? s.copies : 1;
  m.nic_trunk_base = m.trunk_base + trunk_copies * m.trunk_copy_size;
  return m;
}


ClosShape size_clos(const ClosParams& p, const ConfigNode& where) {
  ClosShape s;
  const uint64_t gpus = uint64_t{p.servers} * p.gpus_per_server;
  // Before allocating: the SimGrid hosts and GPU links alone (an NVLink and a NIC cable, two
  // directions each) must fit in memory.
  const double g = static_cast<double>(gpus);
  check_memory(where,
               g * (cost::kHostBytes + 4 * cost::kLinkBytes + 2 * cost::kNodeBytes + 2 * cost::kCableBytes),
               fmt::format("a fabric of {} GPUs", gpus),
               fmt::format("{} SimGrid hosts and {} GPU links before any switch, rank or flow", format_count(g),
                           format_count(4 * g)));
  if (gpus > kMaxGpus) where.fail(fmt::format("{} GPUs is beyond the supported {} GPUs", gpus, kMaxGpus));
  const uint32_t G = static_cast<uint32_t>(gpus);
  const uint32_t rails = p.rails ? p.rails : p.gpus_per_server;
  if (p.layout != ClosLayout::kContiguous && (rails == 0 || p.gpus_per_server % rails != 0)) {
    where.fail(fmt::format("rails ({}) must divide gpus_per_server ({})", rails, p.gpus_per_server));
  }
  const uint32_t per_rail = p.gpus_per_server / rails;
  s.copies = p.layout == ClosLayout::kRailOnly ? rails : p.planes;

  uint32_t d1 = 0;
  split_ports(p.radix[0], p.oversubscription[0], d1, s.leaf_up);
  if (s.leaf_up == 0 || d1 == 0) {
    where.fail(fmt::format("leaf radix {} cannot be split {}:1 into down and up ports", p.radix[0],
                           p.oversubscription[0]));
  }
  // Leaf slots.
  switch (p.layout) {
    case ClosLayout::kContiguous:
      if (p.nics_per_leaf > 0) {
        s.nics_per_leaf = p.nics_per_leaf;
      } else if (p.gpus_per_server <= d1) {
        s.nics_per_leaf = (d1 / p.gpus_per_server) * p.gpus_per_server;
      } else {
        s.nics_per_leaf = d1;  // a server (an NVL72 rack, say) spans several leaves
      }
      s.leaves = (G + s.nics_per_leaf - 1) / s.nics_per_leaf;
      break;
    case ClosLayout::kRail: {
      s.nics_per_leaf = p.servers_per_su * per_rail;
      const uint32_t sus = (p.servers + p.servers_per_su - 1) / p.servers_per_su;
      s.leaves = sus * rails;
      break;
    }
    case ClosLayout::kRailOnly:  // one copy per rail, each holding every server's NICs on it
      s.nics_per_leaf = p.nics_per_leaf > 0 ? p.nics_per_leaf : d1;
      s.leaves = (p.servers * per_rail + s.nics_per_leaf - 1) / s.nics_per_leaf;
      break;
  }
  if (s.nics_per_leaf > d1) {
    where.fail(fmt::format("{} NICs per leaf need {} down ports, but radix {} at {}:1 leaves {}", s.nics_per_leaf,
                           s.nics_per_leaf, p.radix[0], p.oversubscription[0], d1));
  }
  // Keep the leaf's oversubscription when fewer slots are used than the radix allows.
  s.leaf_up = std::min(s.leaf_up, static_cast<uint32_t>(std::ceil(s.nics_per_leaf / p.oversubscription[0] - 1e-9)));
  s.slots = s.leaves * s.nics_per_leaf;

  uint32_t tiers = p.tiers;
  if (tiers == 0) tiers = s.leaves <= p.radix[1] && p.leaves_per_pod == 0 ? 2 : 3;
  if (tiers != 2 && tiers != 3) where.fail(fmt::format("tiers must be 2 or 3, got {}", tiers));
  s.tiers = tiers;
  if (tiers == 2) {
    if (s.leaves > p.radix[1]) {
      where.fail(fmt::format(
          "a 2-tier fabric with spine radix {} holds at most {} leaves ({} GPU ports); this one needs {} "
          "leaves: use tiers: 3 or a larger radix",
          p.radix[1], p.radix[1], uint64_t{p.radix[1]} * s.nics_per_leaf, s.leaves));
    }
    s.leaf_parallel = largest_divisor_at_most(s.leaf_up, p.radix[1] / s.leaves);
    s.spines_per_pod = s.leaf_up / s.leaf_parallel;
    s.leaves_per_pod = s.leaves;
    s.pods = 1;
    return s;
  }
  uint32_t d2 = 0, u2 = 0;
  split_ports(p.radix[1], p.oversubscription[1], d2, u2);
  s.leaf_parallel = 1;
  s.spines_per_pod = s.leaf_up;
  if (p.leaves_per_pod > 0) {
    s.leaves_per_pod = p.leaves_per_pod;
  } else {
    if (d2 == 0) {
      where.fail(fmt::format("spine radix {} cannot be split {}:1 into down and up ports", p.radix[1],
                             p.oversubscription[1]));
    }
    s.leaves_per_pod = std::min(s.leaves, d2);
    // Pods hold whole scalable units: every rail's leaf of an SU.
    if (p.layout == ClosLayout::kRail && s.leaves_per_pod >= rails) s.leaves_per_pod -= s.leaves_per_pod % rails;
  }
  s.spine_up = static_cast<uint32_t>(std::ceil(s.leaves_per_pod / p.oversubscription[1] - 1e-9));
  if (s.leaves_per_pod + s.spine_up > p.radix[1]) {
    where.fail(fmt::format("a spine with {} leaves below at {}:1 needs {} ports, more than its radix {}",
                           s.leaves_per_pod, p.oversubscription[1], s.leaves_per_pod + s.spine_up, p.radix[1]));
  }
  s.pods = (s.leaves + s.leaves_per_pod - 1) / s.leaves_per_pod;
  if (s.pods > p.radix[2]) {
    where.fail(fmt::format(
        "a 3-tier fabric with core radix {} joins at most {} pods of {} GPU ports; this one needs {} pods: "
        "raise switch_radix or oversubscription",
        p.radix[2], p.radix[2], uint64_t{s.leaves_per_pod} * s.nics_per_leaf, s.pods));
  }
  s.spine_parallel = largest_divisor_at_most(s.spine_up, p.radix[2] / s.pods);
  s.cores_per_plane = s.spine_up / s.spine_parallel;
  return s;
}

Topology make_clos(const ClosParams& p, const ConfigNode& where) {
  const ClosShape s = size_clos(p, where);
  const ClosLayoutMath m = layout_math(p, s);
  Topology t;
  t.kind = p.kind;
  t.gpus = m.G;
  t.gpus_per_server = p.gpus_per_server;
  t.servers = p.servers;
  t.tiers = s.tiers;
  t.radix.assign(p.radix, p.radix + s.tiers);
  t.gpu_flops = p.gpu_flops;
  t.nvls = p.nvls;
  t.sharp = p.sharp;
  t.gpu_model = p.gpu_model;
  t.tier_names = {"", "leaf", "spine", "core"};
  t.tier_names.resize(s.tiers + 1);
  t.copies = s.copies;
  t.copy_name = p.layout == ClosLayout::kRailOnly ? "rail" : "plane";

  // Node ids: GPUs, NVSwitches, then per copy leaves, spines, cores; then trunk nodes.
  const uint32_t G = m.G;
  const NodeId nvs_base = G;
  const uint32_t spines = s.spines(), cores = s.cores();
  const uint32_t per_copy = s.leaves + spines + cores;
  const NodeId switch_base = nvs_base + p.servers;
  auto leaf_node = [&](uint32_t c, uint32_t l) { return switch_base + c * per_copy + l; };
  auto spine_node = [&](uint32_t c, uint32_t sp) { return switch_base + c * per_copy + s.leaves + sp; };
  auto core_node = [&](uint32_t c, uint32_t co) { return switch_base + c * per_copy + s.leaves + spines + co; };
  const uint32_t trunk_copies = p.layout == ClosLayout::kRailOnly ? s.copies : 1;
  const uint32_t trunk_nodes_per_copy = m.spray ? (s.tiers == 3 ? s.pods + 1 : 1) : 0;
  const NodeId trunk_node_base = switch_base + s.copies * per_copy;
  t.nodes.resize(trunk_node_base + trunk_copies * trunk_nodes_per_copy);

  const uint64_t slots_per_pod = uint64_t{s.leaves_per_pod} * s.nics_per_leaf;
  for (uint32_t g = 0; g < G; ++g) {
    t.nodes[g] = Node{NodeKind::kGpu, 0, -1, static_cast<int32_t>(m.slot(g) / slots_per_pod), g};
  }
  for (uint32_t v = 0; v < p.servers; ++v) {
    t.nodes[nvs_base + v] = Node{NodeKind::kNvSwitch, 0, -1, t.nodes[v * p.gpus_per_server].pod, v};
  }
  for (uint32_t c = 0; c < s.copies; ++c) {
    const auto copy = static_cast<int16_t>(s.copies > 1 ? c : -1);
    for (uint32_t l = 0; l < s.leaves; ++l) {
      t.nodes[leaf_node(c, l)] = Node{NodeKind::kSwitch, 1, copy, static_cast<int32_t>(l / s.leaves_per_pod), l};
    }
    for (uint32_t sp = 0; sp < spines; ++sp) {
      t.nodes[spine_node(c, sp)] =
          Node{NodeKind::kSwitch, 2, copy, static_cast<int32_t>(sp / s.spines_per_pod), sp};
    }
    for (uint32_t co = 0; co < cores; ++co) t.nodes[core_node(c, co)] = Node{NodeKind::kSwitch, 3, copy, -1, co};
  }
  for (uint32_t c = 0; c < trunk_copies && m.spray; ++c) {
    const auto copy = static_cast<int16_t>(trunk_copies > 1 ? c : -1);
    const NodeId base = trunk_node_base + c * trunk_nodes_per_copy;
    if (s.tiers == 2) {
      t.nodes[base] = Node{NodeKind::kTrunk, 2, copy, -1, 0};
    } else {
      for (uint32_t pod = 0; pod < s.pods; ++pod) {
        t.nodes[base + pod] = Node{NodeKind::kTrunk, 2, copy, static_cast<int32_t>(pod), pod};
      }
      t.nodes[base + s.pods] = Node{NodeKind::kTrunk, 3, copy, -1, 0};
    }
  }

  // Cables, in the order ClosLayoutMath computes: NVLinks, NIC ports, per copy leaf then spine
  // uplinks, then spray trunks (per leaf, per pod) and NIC trunks.
  t.cables.reserve(m.nic_trunk_base + (m.spray && m.ports > 1 ? G : 0));
  for (uint32_t g = 0; g < G; ++g) {
    t.cables.push_back(Cable{g, nvs_base + g / p.gpus_per_server, LinkKind::kNvLink, 0, 0, p.nvlink.bw_Bps,
                             p.nvlink.latency_s});
  }
  for (uint32_t g = 0; g < G; ++g) {
    for (uint32_t port = 0; port < m.ports; ++port) {
      const uint32_t copy = p.layout == ClosLayout::kRailOnly ? m.rail(g) : port;
      t.cables.push_back(Cable{g, leaf_node(copy, m.slot(g) / s.nics_per_leaf), LinkKind::kNic, 1,
                               static_cast<uint16_t>(port), p.nic.bw_Bps, p.nic.latency_s});
    }
  }
  for (uint32_t c = 0; c < s.copies; ++c) {
    for (uint32_t l = 0; l < s.leaves; ++l) {
      const uint32_t pod = l / s.leaves_per_pod;
      for (uint32_t j = 0; j < s.leaf_up; ++j) {
        t.cables.push_back(Cable{leaf_node(c, l), spine_node(c, pod * s.spines_per_pod + j % s.spines_per_pod),
                                 LinkKind::kFabric, 2, static_cast<uint16_t>(j / s.spines_per_pod),
                                 p.leaf_spine.bw_Bps, p.leaf_spine.latency_s});
      }
    }
    for (uint32_t sp = 0; sp < spines && s.tiers == 3; ++sp) {
      const uint32_t plane = sp % s.spines_per_pod;
      for (uint32_t mm = 0; mm < s.spine_up; ++mm) {
        t.cables.push_back(Cable{spine_node(c, sp), core_node(c, plane * s.cores_per_plane + mm % s.cores_per_plane),
                                 LinkKind::kFabric, 3, static_cast<uint16_t>(mm / s.cores_per_plane),
                                 p.spine_core.bw_Bps, p.spine_core.latency_s});
      }
    }
  }
  if (m.spray) {
    const double planes = p.layout == ClosLayout::kRailOnly ? 1.0 : p.planes;
    for (uint32_t c = 0; c < trunk_copies; ++c) {
      const NodeId base = trunk_node_base + c * trunk_nodes_per_copy;
      for (uint32_t l = 0; l < s.leaves; ++l) {
        const NodeId up = s.tiers == 2 ? base : base + l / s.leaves_per_pod;
        t.cables.push_back(Cable{leaf_node(c, l), up, LinkKind::kTrunk, 2, 0,
                                 planes * s.leaf_up * p.leaf_spine.bw_Bps, p.leaf_spine.latency_s});
      }
      for (uint32_t pod = 0; pod < s.pods && s.tiers == 3; ++pod) {
        t.cables.push_back(Cable{base + pod, base + s.pods, LinkKind::kTrunk, 3, 0,
                                 planes * s.spines_per_pod * s.spine_up * p.spine_core.bw_Bps, p.spine_core.latency_s});
      }
    }
    if (m.ports > 1 && p.layout != ClosLayout::kRailOnly) {
      for (uint32_t g = 0; g < G; ++g) {
        t.cables.push_back(Cable{g, leaf_node(0, m.slot(g) / s.nics_per_leaf), LinkKind::kTrunk, 1, 0,
                                 m.ports * p.nic.bw_Bps, p.nic.latency_s});
      }
    }
  }
  t.router = make_clos_router(m, p.routing, p.pxn);
  return t;
}

void parse_clos_common(const ConfigNode& spec, ClosParams& p) {
  if (auto n = spec.find("tiers")) {
    p.tiers = n->as_string() == "auto" ? 0 : static_cast<uint32_t>(n->as_int(2, 3));
  }
  const uint32_t tiers_for_lists = p.tiers == 0 ? 3 : p.tiers;
  if (auto r = spec.find("switch_radix")) {
    if (r->is_sequence()) {
      if (r->size() != tiers_for_lists) {
        r->fail(fmt::format("switch_radix lists {} values for {} tiers", r->size(), tiers_for_lists));
      }
      for (uint32_t i = 0; i < tiers_for_lists; ++i) p.radix[i] = static_cast<uint32_t>(r->element(i).as_int(2, 65536));
    } else {
      const auto k = static_cast<uint32_t>(r->as_int(2, 65536));
      p.radix[0] = p.radix[1] = p.radix[2] = k;
    }
  }
  if (auto o = spec.find("oversubscription")) {
    if (o->is_sequence()) {
      if (o->size() != tiers_for_lists - 1) {
        o->fail(fmt::format("oversubscription lists {} values; a {}-tier fabric takes {} (leaf{})", o->size(),
                            tiers_for_lists, tiers_for_lists - 1, tiers_for_lists == 3 ? ", spine" : ""));
      }
      for (uint32_t i = 0; i + 1 < tiers_for_lists; ++i) p.oversubscription[i] = o->element(i).as_ratio();
    } else {
      p.oversubscription[0] = o->as_ratio();
    }
  }
  if (auto n = spec.find("nics_per_leaf")) p.nics_per_leaf = static_cast<uint32_t>(n->as_int(1, 65536));
  if (auto n = spec.find("leaves_per_pod")) p.leaves_per_pod = static_cast<uint32_t>(n->as_int(1, 1 << 20));
  if (auto links = spec.find("links")) {
    links->require_map();
    links->check_keys({"nvlink", "nic", "fabric", "leaf_spine", "spine_core"});
    if (auto n = links->find("nvlink")) p.nvlink = parse_link_class(*n, p.nvlink);
    if (auto n = links->find("nic")) p.nic = parse_link_class(*n, p.nic);
    if (auto n = links->find("fabric")) p.leaf_spine = p.spine_core = parse_link_class(*n, p.leaf_spine);
    if (auto n = links->find("leaf_spine")) p.leaf_spine = parse_link_class(*n, p.leaf_spine);
    if (auto n = links->find("spine_core")) {
      if (p.tiers == 2) n->fail("spine_core links need tiers: 3");
      p.spine_core = parse_link_class(*n, p.spine_core);
    }
  }
  if (auto f = spec.find("gpu_flops")) p.gpu_flops = f->as_flop_rate();
  if (auto r = spec.find("routing")) p.routing = parse_routing(*r);
  if (auto d = spec.find("dual_plane")) p.planes = d->as_bool() ? 2 : 1;
  p.nvls = spec.get_bool("nvls", p.nvls);
  p.sharp = spec.get_bool("sharp", p.sharp);
  p.gpu_model = spec.get_string("gpu_model", p.gpu_model);
}

}  // namespace gigasim
