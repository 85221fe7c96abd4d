#include "topologies/clos.hpp"

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


// Where things are: the arithmetic the router and the builder share.
struct ClosLayoutMath {
  ClosLayout layout;
  uint32_t G, gps, servers, spsu, ports;  // ports: NIC cables per GPU
  uint32_t rails, per_rail;               // GPUs of a server on one rail: per_rail
  ClosShape s;
  uint64_t fabric_base, copy_size, trunk_base, trunk_copy_size, nic_trunk_base;
  bool spray;

  uint32_t rail(uint32_t g) const { return (g % gps) % rails; }
  uint32_t sub(uint32_t g) const { return (g % gps) / rails; }
  uint32_t server(uint32_t g) const { return g / gps; }
  // The GPU of g's server on `rail` (same position among that rail's GPUs).
  uint32_t on_rail(uint32_t g, uint32_t r) const { return server(g) * gps + sub(g) * rails + r; }
  // The leaf slot of GPU g in its copy.
  uint32_t slot(uint32_t g) const {
    switch (layout) {
      case ClosLayout::kContiguous: return g;
      case ClosLayout::kRail: {
        const uint32_t v = server(g);
        return (((v / spsu) * rails + rail(g)) * spsu + v % spsu) * per_rail + sub(g);
      }
      case ClosLayout::kRailOnly: return server(g) * per_rail + sub(g);
    }
    return 0;
  }
  uint32_t nic_cable(uint32_t g, uint32_t port) const { return G + g * ports + port; }
  uint32_t leaf_up_cable(uint32_t copy, uint32_t leaf, uint32_t j) const {
    return static_cast<uint32_t>(fabric_base + copy * copy_size + uint64_t{leaf} * s.leaf_up + j);
  }
  uint32_t spine_up_cable(uint32_t copy, uint32_t spine, uint32_t m) const {
    return static_cast<uint32_t>(fabric_base + copy * copy_size + uint64_t{s.leaves} * s.leaf_up +
                                 uint64_t{spine} * s.spine_up + m);
  }
  uint32_t leaf_trunk(uint32_t tcopy, uint32_t leaf) const {
    return static_cast<uint32_t>(trunk_base + tcopy * trunk_copy_size + leaf);
  }
  uint32_t pod_trunk(uint32_t tcopy, uint32_t pod) const {
    return static_cast<uint32_t>(trunk_base + tcopy * trunk_copy_size + s.leaves + pod);
  }
  uint32_t nic_trunk(uint32_t g) const { return static_cast<uint32_t>(nic_trunk_base + g); }
};

class ClosRouter final : public Router {
 public:
  ClosRouter(const ClosLayoutMath& m, RoutingSpec spec, bool pxn) : m_(m), spec_(spec), pxn_(pxn) {}

  bool route(uint32_t s, uint32_t d, uint64_t salt, const LinkStateView& st, Path& out) const override {
    out.clear();
    if (s == d) return true;
    if (m_.server(s) == m_.server(d)) return nvlink(s, d, st, out);
    // Rail-only fabrics (and PXN) reach another rail over NVLink first.
    uint32_t s2 = s;
    if ((m_.layout == ClosLayout::kRailOnly || pxn_) && m_.rail(s) != m_.rail(d)) {
      s2 = m_.on_rail(s, m_.rail(d));
      if (!nvlink(s, s2, st, out)) return false;
    }
    const uint64_t h = mix64((uint64_t{s2} << 32) ^ d ^ mix64((salt % spec_.qps_per_pair) + 0x9e3779b97f4a7c15ULL));
    if (spec_.policy == RoutingPolicy::kSpray) return spray(s2, d, st, out);
    if (m_.layout == ClosLayout::kRailOnly) return via_port(s2, d, m_.rail(d), 0, h, st, out);
    if (m_.ports == 1) return via_port(s2, d, 0, 0, h, st, out);
    // Dual plane: the flow takes one port (both ends on the same plane); the other on failure.
    uint32_t first = static_cast<uint32_t>((h >> 17) % m_.ports);
    if (spec_.policy == RoutingPolicy::kAdaptive) {
      double best = std::numeric_limits<double>::infinity();
      for (uint32_t p = 0; p < m_.ports; ++p) {
        const double l = st.load(up_link(m_.nic_cable(s2, p))) + st.load(down_link(m_.nic_cable(d, p)));
        if (l < best) best = l, first = p;
      }
    }
    const uint8_t prefix = out.size;
    for (uint32_t t = 0; t < m_.ports; ++t) {
      const uint32_t p = (first + t) % m_.ports;
      out.size = prefix;
      if (via_port(s2, d, p, p, h, st, out)) return true;
    }
    return false;
  }

  const char* policy() const override { return to_string(spec_.policy); }
  bool uses_flow_salt() const override { return spec_.policy == RoutingPolicy::kEcmp && spec_.qps_per_pair > 1; }
  uint32_t paths_per_pair() const override { return uses_flow_salt() ? spec_.qps_per_pair : 1; }

 private:
  bool nvlink(uint32_t a, uint32_t b, const LinkStateView& st, Path& out) const {
    if (!st.is_up(up_link(a)) || !st.is_up(down_link(b))) return false;
    out.push(up_link(a));
    out.push(down_link(b));
    return true;
  }

  // NIC port `port` of both ends, through fabric copy `copy`.
  bool via_port(uint32_t s, uint32_t d, uint32_t copy, uint32_t port, uint64_t h, const LinkStateView& st,
                Path& out) const {
    const LinkId nic_s = up_link(m_.nic_cable(s, port));
    const LinkId nic_d = down_link(m_.nic_cable(d, port));
    if (!st.is_up(nic_s) || !st.is_up(nic_d)) return false;
    const ClosShape& sh = m_.s;
    const uint32_t es = m_.slot(s), ed = m_.slot(d);
    const uint32_t ls = es / sh.nics_per_leaf, ld = ed / sh.nics_per_leaf;
    out.push(nic_s);
    if (ls == ld) {
      out.push(nic_d);
      return true;
    }
    const bool adaptive = spec_.policy == RoutingPolicy::kAdaptive;
    uint32_t j0, m0;
    if (spec_.policy == RoutingPolicy::kEcmp) {
      j0 = static_cast<uint32_t>(h % sh.leaf_up);
      m0 = sh.spine_up ? static_cast<uint32_t>((h >> 32) % sh.spine_up) : 0;
    } else {
      j0 = (ed % sh.nics_per_leaf) % sh.leaf_up;
      m0 = sh.spine_up ? ((ld % sh.leaves_per_pod) % sh.spine_up) : 0;
    }
    const bool same_pod = ls / sh.leaves_per_pod == ld / sh.leaves_per_pod;
    // Candidate uplinks in preference order: from j0 on, or (adaptive) the least loaded first.
    const uint32_t j_best = adaptive ? least_loaded_leaf_up(copy, ls, ld, j0, st) : j0;
    for (uint32_t t = 0; t < sh.leaf_up; ++t) {
      const uint32_t j = (j_best + t) % sh.leaf_up;
      const LinkId up1 = up_link(m_.leaf_up_cable(copy, ls, j));
      const LinkId down1 = down_link(m_.leaf_up_cable(copy, ld, j));
      if (!st.is_up(up1) || !st.is_up(down1)) continue;
      if (same_pod) {
        out.push(up1);
        out.push(down1);
        out.push(nic_d);
        return true;
      }
      const uint32_t sp_s = (ls / sh.leaves_per_pod) * sh.spines_per_pod + j % sh.spines_per_pod;
      const uint32_t sp_d = (ld / sh.leaves_per_pod) * sh.spines_per_pod + j % sh.spines_per_pod;
      const uint32_t m_best = adaptive ? least_loaded_spine_up(copy, sp_s, sp_d, m0, st) : m0;
      for (uint32_t r = 0; r < sh.spine_up; ++r) {
        const uint32_t m = (m_best + r) % sh.spine_up;
        const LinkId up2 = up_link(m_.spine_up_cable(copy, sp_s, m));
        const LinkId down2 = down_link(m_.spine_up_cable(copy, sp_d, m));
        if (!st.is_up(up2) || !st.is_up(down2)) continue;
        out.push(up1);
        out.push(up2);
        out.push(down2);
        out.push(down1);
        out.push(nic_d);
        return true;
      }
    }
    out.size--;  // drop nic_s: no path
    return false;
  }

  // Adaptive routing decides hop by hop on local port load: the leaf takes its least-loaded
  // live uplink (ties: the d-mod-k choice), the spine its least-loaded live uplink.
  uint32_t least_loaded_leaf_up(uint32_t copy, uint32_t ls, uint32_t ld, uint32_t j0, const LinkStateView& st) const {
    uint32_t best = j0;
    double best_load = std::numeric_limits<double>::infinity();
    for (uint32_t t = 0; t < m_.s.leaf_up; ++t) {
      const uint32_t j = (j0 + t) % m_.s.leaf_up;
      const LinkId up1 = up_link(m_.leaf_up_cable(copy, ls, j));
      if (!st.is_up(up1) || !st.is_up(down_link(m_.leaf_up_cable(copy, ld, j)))) continue;
      const double l = st.load(up1);
      if (l < best_load) best_load = l, best = j;
    }
    return best;
  }
  uint32_t least_loaded_spine_up(uint32_t copy, uint32_t sp_s, uint32_t sp_d, uint32_t m0, const LinkStateView& st) const {
    uint32_t best = m0;
    double best_load = std::numeric_limits<double>::infinity();
    for (uint32_t r = 0; r < m_.s.spine_up; ++r) {
      const uint32_t m = (m0 + r) % m_.s.spine_up;
      const LinkId up2 = up_link(m_.spine_up_cable(copy, sp_s, m));
      if (!st.is_up(up2) || !st.is_up(down_link(m_.spine_up_cable(copy, sp_d, m)))) continue;
      const double l = st.load(up2);
      if (l < best_load) best_load = l, best = m;
    }
    return best;
  }

  // Ideal spraying: one trunk per stage (NIC ports of both planes, leaf uplinks, a pod's spine
  // uplinks), each carrying the stage's summed bandwidth.
  bool spray(uint32_t s, uint32_t d, const LinkStateView& st, Path& out) const {
    const ClosShape& sh = m_.s;
    const bool rail_only = m_.layout == ClosLayout::kRailOnly;
    const uint32_t tcopy = rail_only ? m_.rail(d) : 0;
    const LinkId nic_s = m_.ports > 1 && !rail_only ? up_link(m_.nic_trunk(s)) : up_link(m_.nic_cable(s, 0));
    const LinkId nic_d = m_.ports > 1 && !rail_only ? down_link(m_.nic_trunk(d)) : down_link(m_.nic_cable(d, 0));
    const uint32_t ls = m_.slot(s) / sh.nics_per_leaf, ld = m_.slot(d) / sh.nics_per_leaf;
    const uint32_t ps = ls / sh.leaves_per_pod, pd = ld / sh.leaves_per_pod;
    Path p;
    p.push(nic_s);
    if (ls != ld) {
      p.push(up_link(m_.leaf_trunk(tcopy, ls)));
      if (ps != pd) {
        p.push(up_link(m_.pod_trunk(tcopy, ps)));
        p.push(down_link(m_.pod_trunk(tcopy, pd)));
      }
      p.push(down_link(m_.leaf_trunk(tcopy, ld)));
    }
    p.push(nic_d);
    for (LinkId l : p) {
      if (!st.is_up(l)) return false;
    }
    for (LinkId l : p) out.push(l);
    return true;
  }

  ClosLayoutMath m_;
  RoutingSpec spec_;
  bool pxn_;
};

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

}  // namespace

const char* to_string(RoutingPolicy p) {
  switch (p) {
    case RoutingPolicy::kDmodk: return "dmodk";
    case RoutingPolicy::kEcmp: return "ecmp";
    case RoutingPolicy::kAdaptive: return "adaptive";
    case RoutingPolicy::kSpray: return "spray";
  }
  return "?";
}

RoutingSpec parse_routing(const ConfigNode& node) {
  RoutingSpec r;
  ConfigNode policy = node;
  if (node.is_map()) {
    node.check_keys({"policy", "qps_per_pair"});
    policy = node.at("policy");
    r.qps_per_pair = static_cast<uint32_t>(node.get_int("qps_per_pair", 1, 1, 1024));
  }
  const std::string name = policy.as_string();
  for (auto p : {RoutingPolicy::kDmodk, RoutingPolicy::kEcmp, RoutingPolicy::kAdaptive, RoutingPolicy::kSpray}) {
    if (name == to_string(p)) {
      r.policy = p;
      return r;
    }
  }
  policy.fail(fmt::format("unknown routing policy '{}' (known: dmodk, ecmp, adaptive, spray)", name));
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
  t.router = std::make_unique<ClosRouter>(m, p.routing, p.pxn);
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
