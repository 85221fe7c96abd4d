// NVLSTree: NCCL's all-reduce over whole servers with NVSwitch reduction (H100 and later).
// Inside each server NVLS reduce-scatters the buffer (the switch reduces, every GPU ends with
// 1/m of it reduced), GPU l then all-reduces its 1/m with GPU l of every other server over a
// double binary tree on its own NIC (rail l), and NVLS all-gathers the result. All of it is
// pipelined in chunks, so it runs as one phase:
//  - NVLink: S(1 + 1/m) up and down every GPU's link, as single-server NVLS;
//  - network: each tree edge carries S/(2m) both ways (the two trees take half each), and a
//    node has at most four edges (btree.hpp): up to 2S/m per NIC and direction, only S/m on two
//    servers, which is why on 2 nodes NVLSTree's busbw exceeds what the NICs carry for a ring.
// A NIC drives its channels (channels_at_nic) at most at channel_bw_net each; the edges of a
// node share that cap in proportion to their bytes. The pipeline has 2D + 2 stages (NVLS
// reduce-scatter, D tree levels up, D down, NVLS all-gather; D = ceil(log2 servers)), and the
// first chunk of a channel (at most chunk_bytes) crosses them at the channel's rate before the
// pipeline runs full: that fill is what makes NVLSTree latency-bound below ~1 GiB.
// Time: base + delta + alpha + fill + the slower of the NVLink and the network terms.
#include <fmt/format.h>

#include <algorithm>

#include "sim/collectives/algorithms.hpp"
#include "sim/collectives/btree.hpp"
#include "sim/collectives/plan_support.hpp"

namespace gigasim {
namespace {

struct NvlsTreeShape {
  uint32_t m = 1, s = 1, channels = 1;
  double nvlink_wire = 0;  // per GPU and direction
  double edge_wire = 0;    // per tree edge and direction
  uint32_t busiest_edges = 0;
  double nic_cap = 0;      // wire-rate cap of the busiest NIC's channels (0: none)
  double fill_s = 0;       // the first chunk through every pipeline stage (analytic)

  double time_s(const GroupNet& net) const {
    const double nv = net.alpha_intra_s + nvlink_wire / net.bw_intra_Bps;
    const double nic = net.alpha_inter_s + detail::wire_time(busiest_edges * edge_wire, net.bw_inter_Bps, nic_cap);
    return std::max(nv, nic);
  }
};

NvlsTreeShape nvls_tree_shape(const CollectiveRequest& r, const GroupNet& net, const detail::StepTerms& st,
                              uint32_t channels, double cal_chunk) {
  NvlsTreeShape sh;
  sh.m = net.members_per_server;
  sh.s = r.n / sh.m;
  sh.channels = channels;
  sh.nvlink_wire = r.bytes * (sh.m + 1.0) / sh.m / st.efficiency;
  sh.edge_wire = r.bytes / (2.0 * sh.m) / st.efficiency_net;
  for (uint32_t j = 0; j < sh.s; ++j) sh.busiest_edges = std::max(sh.busiest_edges, detail::dtree_edges(sh.s, j));
  sh.nic_cap = st.net_rate_cap(detail::channels_at_nic(channels, sh.m, 0));
  if (st.channel_bw_net_Bps > 0) {
    uint32_t depth = 0;
    while ((uint64_t{1} << depth) < sh.s) ++depth;
    const double chunk = std::min(cal_chunk, r.bytes / channels);
    sh.fill_s = (2.0 * depth + 2) * chunk / st.channel_bw_net_Bps;
  }
  return sh;
}

class NvlsTreePlan final : public CollectivePlan {
 public:
  NvlsTreePlan(NvlsTreeShape sh, uint16_t flows, double delay) : sh_(sh), flows_(flows), delay_(delay) {}
  uint32_t phases() const override { return 1; }
  void transfers(uint32_t pos, uint32_t, std::vector<Transfer>& out) const override {
    const uint32_t m = sh_.m, server = pos / m, local = pos % m;
    out.push_back(Transfer{server * m + (local + 1) % m, sh_.nvlink_wire, true, 1, 0});
    out.push_back(Transfer{server * m + (local + m - 1) % m, sh_.nvlink_wire, false, 1, 0});
    const uint32_t edges = detail::dtree_edges(sh_.s, server);
    const double cap = sh_.nic_cap > 0 ? sh_.nic_cap / edges : 0;
    for (int t = 0; t < 2; ++t) {
      const detail::BtreeNode b = detail::dtree_node(sh_.s, server, t);
      for (int64_t peer : {b.up, b.down[0], b.down[1]}) {
        if (peer < 0) continue;
        const uint32_t p = static_cast<uint32_t>(peer) * m + local;
        out.push_back(Transfer{p, sh_.edge_wire, true, flows_, cap});
        out.push_back(Transfer{p, sh_.edge_wire, false, flows_, cap});
      }
    }
  }
  double phase_delay_s(uint32_t) const override { return delay_; }

 private:
  NvlsTreeShape sh_;
  uint16_t flows_;
  double delay_;
};

class NvlsTree final : public CollectiveAlgorithm {
 public:
  std::string_view name() const override { return "nvls_tree"; }
  std::string_view description() const override {
    return "NCCL's NVLSTree: NVLS inside each server, a double binary tree across servers per rail";
  }
  std::string unsupported(const CollectiveRequest& r, const GroupNet& net) const override {
    if (r.kind != CollectiveKind::kAllReduce) {
      return fmt::format("nvls_tree implements all_reduce, not {}", to_string(r.kind));
    }
    if (!net.nvls) return "nvls_tree needs NVSwitches with in-network reduction (topology key nvls: true)";
    if (!net.spans_servers) return "nvls_tree runs across servers; this group is inside one server (use nvls)";
    if (!detail::whole_servers(r.n, net)) {
      return "nvls_tree needs a group of whole servers (several GPUs on each server, the same number on each)";
    }
    return "";
  }
  std::unique_ptr<CollectivePlan> plan(const CollectiveRequest& r, const GroupNet& net,
                                       const Calibration& cal) const override {
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const uint32_t channels = detail::channels_of(r, net, cal);
    const NvlsTreeShape sh = nvls_tree_shape(r, net, st, channels, cal.chunk_bytes());
    const uint16_t flows = detail::net_flows(detail::channels_at_nic(channels, sh.m, 0), net);
    auto p = std::make_unique<NvlsTreePlan>(sh, flows, st.delay_inter_s);
    p->tail_s = st.base_s + sh.fill_s;
    p->fidelity = r.fidelity;
    p->protocol = r.protocol;
    p->channels = 1;
    p->nccl_channels = channels;
    p->flows_per_member = 1 + uint64_t{sh.busiest_edges} * flows;
    return p;
  }
  double closed_form(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const NvlsTreeShape sh = nvls_tree_shape(r, net, st, detail::channels_of(r, net, cal), cal.chunk_bytes());
    return st.base_s + sh.fill_s + st.delay_inter_s + sh.time_s(net);
  }
};

}  // namespace

const CollectiveAlgorithm& nvls_tree_algorithm() {
  static const NvlsTree a;
  return a;
}

}  // namespace gigasim
