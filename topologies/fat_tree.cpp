#include "topologies/fat_tree.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace gigasim {
namespace {

constexpr uint32_t kMaxGpus = 1U << 22;  // 4M GPUs: far beyond any built cluster

uint32_t largest_divisor_at_most(uint32_t n, uint32_t limit) {
  for (uint32_t p = std::min(n, limit); p > 1; --p) {
    if (n % p == 0) return p;
  }
  return 1;
}

// Splits a switch's radix into uplinks and downlinks for oversubscription o (down:up).
void split_ports(uint32_t radix, double o, uint32_t& down, uint32_t& up) {
  up = static_cast<uint32_t>(std::floor(radix / (1.0 + o) + 1e-9));
  down = up == 0 ? 0 : std::min(radix - up, static_cast<uint32_t>(std::floor(up * o + 1e-9)));
}

uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

class FatTreeRouter final : public Router {
 public:
  FatTreeRouter(const FatTreeShape& s, uint32_t gpus_per_server, bool ecmp)
      : g_(s.gpus),
        gps_(gpus_per_server),
        npl_(s.nics_per_leaf),
        u1_(s.leaf_up),
        a_(s.spines_per_pod),
        lp_(s.leaves_per_pod),
        u2_(s.spine_up),
        leaf_base_(2 * s.gpus),
        spine_base_(2 * s.gpus + s.leaves * s.leaf_up),
        ecmp_(ecmp) {}

  bool route(uint32_t s, uint32_t d, uint64_t salt, const LinkStateView& st, Path& out) const override {
    out.clear();
    if (s == d) return true;
    if (s / gps_ == d / gps_) {
      if (!st.is_up(up_link(s)) || !st.is_up(down_link(d))) return false;
      out.push(up_link(s));
      out.push(down_link(d));
      return true;
    }
    const LinkId nic_s = up_link(g_ + s);
    const LinkId nic_d = down_link(g_ + d);
    if (!st.is_up(nic_s) || !st.is_up(nic_d)) return false;
    const uint32_t ls = s / npl_;
    const uint32_t ld = d / npl_;
    if (ls == ld) {
      out.push(nic_s);
      out.push(nic_d);
      return true;
    }
    uint32_t j0, m0;
    if (ecmp_) {
      const uint64_t h = mix64((uint64_t{s} << 32) ^ d ^ mix64(salt + 0x9e3779b97f4a7c15ULL));
      j0 = static_cast<uint32_t>(h % u1_);
      m0 = u2_ ? static_cast<uint32_t>((h >> 32) % u2_) : 0;
    } else {
      j0 = (d % npl_) % u1_;
      m0 = u2_ ? ((ld % lp_) % u2_) : 0;
    }
    const bool same_pod = ls / lp_ == ld / lp_;
    for (uint32_t t = 0; t < u1_; ++t) {
      const uint32_t j = (j0 + t) % u1_;
      const LinkId up1 = up_link(leaf_base_ + ls * u1_ + j);
      const LinkId down1 = down_link(leaf_base_ + ld * u1_ + j);
      if (!st.is_up(up1) || !st.is_up(down1)) continue;
      if (same_pod) {
        out.push(nic_s);
        out.push(up1);
        out.push(down1);
        out.push(nic_d);
        return true;
      }
      const uint32_t spine_s = (ls / lp_) * a_ + j % a_;
      const uint32_t spine_d = (ld / lp_) * a_ + j % a_;
      for (uint32_t r = 0; r < u2_; ++r) {
        const uint32_t m = (m0 + r) % u2_;
        const LinkId up2 = up_link(spine_base_ + spine_s * u2_ + m);
        const LinkId down2 = down_link(spine_base_ + spine_d * u2_ + m);
        if (!st.is_up(up2) || !st.is_up(down2)) continue;
        out.push(nic_s);
        out.push(up1);
        out.push(up2);
        out.push(down2);
        out.push(down1);
        out.push(nic_d);
        return true;
      }
    }
    return false;
  }

  const char* policy() const override { return ecmp_ ? "ecmp" : "dmodk"; }

 private:
  uint32_t g_, gps_, npl_, u1_, a_, lp_, u2_, leaf_base_, spine_base_;
  bool ecmp_;
};

}  // namespace

FatTreeShape fat_tree_shape(const FatTreeParams& p, const ConfigNode& where) {
  FatTreeShape s;
  if (p.tiers != 2 && p.tiers != 3) where.fail(fmt::format("tiers must be 2 or 3, got {}", p.tiers));
  const uint64_t gpus = uint64_t{p.servers} * p.gpus_per_server;
  if (gpus > kMaxGpus) {
    where.fail(fmt::format("{} GPUs is beyond the supported {} GPUs", gpus, kMaxGpus));
  }
  s.gpus = static_cast<uint32_t>(gpus);

  uint32_t d1 = 0;
  split_ports(p.radix[0], p.oversubscription[0], d1, s.leaf_up);
  if (s.leaf_up == 0 || d1 == 0) {
    where.fail(fmt::format("leaf radix {} cannot be split {}:1 into down and up ports", p.radix[0],
                           p.oversubscription[0]));
  }
  if (p.gpus_per_server <= d1) {
    s.nics_per_leaf = (d1 / p.gpus_per_server) * p.gpus_per_server;
  } else if (p.gpus_per_server % d1 == 0) {
    s.nics_per_leaf = d1;  // a server spans several leaves
  } else {
    where.fail(fmt::format("a server's {} NICs do not split evenly over leaves with {} down ports",
                           p.gpus_per_server, d1));
  }
  s.leaves = (s.gpus + s.nics_per_leaf - 1) / s.nics_per_leaf;

  if (p.tiers == 2) {
    if (s.leaves > p.radix[1]) {
      where.fail(fmt::format(
          "a 2-tier fat-tree with spine radix {} holds at most {} leaves ({} GPUs); this one "
          "needs {} leaves: use tiers: 3 or a larger radix",
          p.radix[1], p.radix[1], uint64_t{p.radix[1]} * s.nics_per_leaf, s.leaves));
    }
    s.leaf_parallel = largest_divisor_at_most(s.leaf_up, p.radix[1] / s.leaves);
    s.spines_per_pod = s.leaf_up / s.leaf_parallel;
    s.leaves_per_pod = s.leaves;
    s.pods = 1;
    return s;
  }

  uint32_t d2 = 0;
  split_ports(p.radix[1], p.oversubscription[1], d2, s.spine_up);
  if (s.spine_up == 0 || d2 == 0) {
    where.fail(fmt::format("spine radix {} cannot be split {}:1 into down and up ports", p.radix[1],
                           p.oversubscription[1]));
  }
  s.leaf_parallel = 1;
  s.spines_per_pod = s.leaf_up;
  s.leaves_per_pod = std::min(s.leaves, d2);
  s.pods = (s.leaves + s.leaves_per_pod - 1) / s.leaves_per_pod;
  if (s.pods > p.radix[2]) {
    where.fail(fmt::format(
        "a 3-tier fat-tree with core radix {} joins at most {} pods of {} GPUs; this one needs {} "
        "pods: raise switch_radix or oversubscription",
        p.radix[2], p.radix[2], uint64_t{s.leaves_per_pod} * s.nics_per_leaf, s.pods));
  }
  s.spine_parallel = largest_divisor_at_most(s.spine_up, p.radix[2] / s.pods);
  s.cores_per_plane = s.spine_up / s.spine_parallel;
  return s;
}

Topology make_fat_tree(const FatTreeParams& p, const ConfigNode& where) {
  const FatTreeShape s = fat_tree_shape(p, where);
  Topology t;
  t.kind = "fat_tree";
  t.gpus = s.gpus;
  t.gpus_per_server = p.gpus_per_server;
  t.servers = p.servers;
  t.tiers = p.tiers;
  t.radix.assign(p.radix, p.radix + p.tiers);
  t.gpu_flops = p.gpu_flops;
  t.tier_names = {"", "leaf", "spine", "core"};
  t.tier_names.resize(p.tiers + 1);

  const uint32_t G = s.gpus;
  const NodeId nvs_base = G;
  const NodeId leaf_base = nvs_base + p.servers;
  const NodeId spine_base = leaf_base + s.leaves;
  const NodeId core_base = spine_base + (p.tiers == 3 ? s.spines() : s.spines_per_pod);
  const uint32_t spines = p.tiers == 3 ? s.spines() : s.spines_per_pod;
  const uint32_t cores = p.tiers == 3 ? s.cores() : 0;
  t.nodes.resize(core_base + cores);
  const uint32_t gpus_per_pod = s.leaves_per_pod * s.nics_per_leaf;
  for (uint32_t g = 0; g < G; ++g) {
    t.nodes[g] = Node{NodeKind::kGpu, 0, static_cast<int32_t>(g / gpus_per_pod), g};
  }
  for (uint32_t v = 0; v < p.servers; ++v) {
    t.nodes[nvs_base + v] =
        Node{NodeKind::kNvSwitch, 0, static_cast<int32_t>(v * p.gpus_per_server / gpus_per_pod), v};
  }
  for (uint32_t l = 0; l < s.leaves; ++l) {
    t.nodes[leaf_base + l] = Node{NodeKind::kSwitch, 1, static_cast<int32_t>(l / s.leaves_per_pod), l};
  }
  for (uint32_t sp = 0; sp < spines; ++sp) {
    t.nodes[spine_base + sp] =
        Node{NodeKind::kSwitch, 2, static_cast<int32_t>(sp / s.spines_per_pod), sp};
  }
  for (uint32_t c = 0; c < cores; ++c) t.nodes[core_base + c] = Node{NodeKind::kSwitch, 3, -1, c};

  // Cable order is what the router's arithmetic assumes: NVLinks, NICs, leaf uplinks, spine uplinks.
  const uint64_t cable_count = 2ULL * G + uint64_t{s.leaves} * s.leaf_up +
                               (p.tiers == 3 ? uint64_t{spines} * s.spine_up : 0);
  t.cables.reserve(cable_count);
  for (uint32_t g = 0; g < G; ++g) {
    t.cables.push_back(Cable{g, nvs_base + g / p.gpus_per_server, LinkKind::kNvLink, 0, 0,
                             p.nvlink.bw_Bps, p.nvlink.latency_s});
  }
  for (uint32_t g = 0; g < G; ++g) {
    t.cables.push_back(
        Cable{g, leaf_base + g / s.nics_per_leaf, LinkKind::kNic, 1, 0, p.nic.bw_Bps, p.nic.latency_s});
  }
  for (uint32_t l = 0; l < s.leaves; ++l) {
    const uint32_t pod = l / s.leaves_per_pod;
    for (uint32_t j = 0; j < s.leaf_up; ++j) {
      t.cables.push_back(Cable{leaf_base + l, spine_base + pod * s.spines_per_pod + j % s.spines_per_pod,
                               LinkKind::kFabric, 2, static_cast<uint16_t>(j / s.spines_per_pod),
                               p.leaf_spine.bw_Bps, p.leaf_spine.latency_s});
    }
  }
  if (p.tiers == 3) {
    for (uint32_t sp = 0; sp < spines; ++sp) {
      const uint32_t plane = sp % s.spines_per_pod;
      for (uint32_t m = 0; m < s.spine_up; ++m) {
        t.cables.push_back(Cable{spine_base + sp, core_base + plane * s.cores_per_plane + m % s.cores_per_plane,
                                 LinkKind::kFabric, 3, static_cast<uint16_t>(m / s.cores_per_plane),
                                 p.spine_core.bw_Bps, p.spine_core.latency_s});
      }
    }
  }
  GIGASIM_ASSERT(t.cables.size() == cable_count, "fat-tree cable count");
  t.router = std::make_unique<FatTreeRouter>(s, p.gpus_per_server, p.routing == "ecmp");
  return t;
}

Topology FatTreeBuilder::build(const ConfigNode& spec) const {
  spec.check_keys({"kind", "name", "description", "servers", "gpus_per_server", "tiers",
                   "switch_radix", "oversubscription", "links", "gpu_flops", "routing"});
  FatTreeParams p;
  p.servers = static_cast<uint32_t>(spec.get_int("servers", 1, kMaxGpus));
  p.gpus_per_server = static_cast<uint32_t>(spec.get_int("gpus_per_server", 8, 1, 1024));
  p.tiers = static_cast<uint32_t>(spec.get_int("tiers", 2, 2, 3));

  if (auto r = spec.find("switch_radix")) {
    if (r->is_sequence()) {
      if (r->size() != p.tiers) r->fail(fmt::format("switch_radix lists {} values for {} tiers", r->size(), p.tiers));
      for (uint32_t i = 0; i < p.tiers; ++i) p.radix[i] = static_cast<uint32_t>(r->element(i).as_int(2, 65536));
    } else {
      const auto k = static_cast<uint32_t>(r->as_int(2, 65536));
      p.radix[0] = p.radix[1] = p.radix[2] = k;
    }
  }
  if (auto o = spec.find("oversubscription")) {
    if (o->is_sequence()) {
      if (o->size() != p.tiers - 1) {
        o->fail(fmt::format("oversubscription lists {} values; a {}-tier tree takes {} (leaf{})",
                            o->size(), p.tiers, p.tiers - 1, p.tiers == 3 ? ", spine" : ""));
      }
      for (uint32_t i = 0; i + 1 < p.tiers; ++i) p.oversubscription[i] = o->element(i).as_ratio();
    } else {
      p.oversubscription[0] = o->as_ratio();
    }
  }
  if (auto links = spec.find("links")) {
    links->require_map();
    links->check_keys({"nvlink", "nic", "fabric", "leaf_spine", "spine_core"});
    if (auto n = links->find("nvlink")) p.nvlink = parse_link_class(*n, p.nvlink);
    if (auto n = links->find("nic")) p.nic = parse_link_class(*n, p.nic);
    if (auto n = links->find("fabric")) p.leaf_spine = p.spine_core = parse_link_class(*n, p.leaf_spine);
    if (auto n = links->find("leaf_spine")) p.leaf_spine = parse_link_class(*n, p.leaf_spine);
    if (auto n = links->find("spine_core")) {
      if (p.tiers < 3) n->fail("spine_core links need tiers: 3");
      p.spine_core = parse_link_class(*n, p.spine_core);
    }
  }
  if (auto f = spec.find("gpu_flops")) p.gpu_flops = f->as_flop_rate();
  if (auto r = spec.find("routing")) {
    p.routing = r->as_string();
    if (p.routing != "dmodk" && p.routing != "ecmp") {
      r->fail(fmt::format("unknown routing '{}' for fat_tree (known: dmodk, ecmp)", p.routing));
    }
  }
  Topology t = make_fat_tree(p, spec);
  validate_topology(t, spec);
  return t;
}

}  // namespace gigasim
