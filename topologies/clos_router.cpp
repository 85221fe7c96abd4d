// The Clos router: paths by index arithmetic on the layout (clos_layout.hpp), per policy —
// d-mod-k (the uplink chosen by the destination's position), ecmp (a hash of source,
// destination and the pair's queue pair), adaptive (the least-loaded live uplink at each hop,
// read at flow start) and spray (one trunk per stage carrying the stage's summed bandwidth).
// Every policy skips links that are down while an equal-cost alternative exists. Rail-only
// fabrics (and PXN) reach another rail over NVLink first.
#include <limits>

#include "sim/core/hash.hpp"
#include "topologies/clos_layout.hpp"
#include "topologies/routing.hpp"

namespace gigasim {
namespace {

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
  bool needs_link_load() const override { return routing_policy_info(spec_.policy).needs_link_load; }
  bool deterministic() const override { return routing_policy_info(spec_.policy).deterministic; }
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

}  // namespace

std::unique_ptr<Router> make_clos_router(const ClosLayoutMath& m, RoutingSpec spec, bool pxn) {
  return std::make_unique<ClosRouter>(m, spec, pxn);
}

}  // namespace gigasim
