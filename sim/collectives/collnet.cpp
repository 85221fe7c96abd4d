// CollNet (IB SHARP): all-reduce reduced by the network switches themselves (NCCL's
// COLLNET_CHAIN). Inside each server the GPUs form an NVLink chain: the buffer is reduced up
// the chain and the result comes back down it, so every GPU moves S to each chain neighbour and
// receives S from each (2S per NVLink direction; modelled as a bidirectional ring over the
// server's GPUs, which loads every link the same). Across servers GPU l sends its 1/m of the
// server's partial sums through its own NIC to the switches, which reduce them over all servers
// and multicast the result back: S/m up and S/m down per NIC, whatever the number of servers
// (modelled as an exchange with GPU l of the next server, which puts the same bytes on every
// NIC and on the rail's switches). Pipelined in chunks: one phase, the slower of the two terms.
// Needs a topology whose switches reduce (`sharp: true`).
#include <fmt/format.h>

#include <algorithm>

#include "sim/collectives/algorithms.hpp"
#include "sim/collectives/plan_support.hpp"

namespace gigasim {
namespace {

struct CollnetShape {
  uint32_t m = 1, s = 1;
  double nvlink_wire = 0;  // per chain neighbour and direction
  double nic_wire = 0;     // per NIC and direction
  double nic_cap = 0;
  double time_s(const GroupNet& net) const {
    const double nv = m > 1 ? net.alpha_intra_s + (m > 2 ? 2 : 1) * nvlink_wire / net.bw_intra_Bps : 0;
    const double nic = net.alpha_inter_s + detail::wire_time(nic_wire, net.bw_inter_Bps, nic_cap);
    return std::max(nv, nic);
  }
};

CollnetShape collnet_shape(const CollectiveRequest& r, const GroupNet& net, const detail::StepTerms& st,
                           uint32_t channels) {
  CollnetShape sh;
  sh.m = std::max(1U, net.members_per_server);
  sh.s = r.n / sh.m;
  sh.nvlink_wire = r.bytes / st.efficiency;
  sh.nic_wire = r.bytes / sh.m / st.efficiency_net;
  sh.nic_cap = st.net_rate_cap(detail::channels_at_nic(channels, sh.m, 0));
  return sh;
}

class CollnetPlan final : public CollectivePlan {
 public:
  CollnetPlan(CollnetShape sh, uint16_t flows, double delay) : sh_(sh), flows_(flows), delay_(delay) {}
  uint32_t phases() const override { return 1; }
  void transfers(uint32_t pos, uint32_t, std::vector<Transfer>& out) const override {
    const uint32_t m = sh_.m, s = sh_.s, server = pos / m, local = pos % m;
    if (m > 1) {
      const uint32_t next = server * m + (local + 1) % m, prev = server * m + (local + m - 1) % m;
      out.push_back(Transfer{next, sh_.nvlink_wire, true, 1, 0});
      out.push_back(Transfer{prev, sh_.nvlink_wire, false, 1, 0});
      if (m > 2) {  // the way back down the chain
        out.push_back(Transfer{prev, sh_.nvlink_wire, true, 1, 0});
        out.push_back(Transfer{next, sh_.nvlink_wire, false, 1, 0});
      }
    }
    out.push_back(Transfer{((server + 1) % s) * m + local, sh_.nic_wire, true, flows_, sh_.nic_cap});
    out.push_back(Transfer{((server + s - 1) % s) * m + local, sh_.nic_wire, false, flows_, sh_.nic_cap});
  }
  double phase_delay_s(uint32_t) const override { return delay_; }

 private:
  CollnetShape sh_;
  uint16_t flows_;
  double delay_;
};

class Collnet final : public CollectiveAlgorithm {
 public:
  std::string_view name() const override { return "collnet"; }
  std::string_view description() const override {
    return "NCCL's CollNet chain: the switches reduce in the network (IB SHARP, sharp: true)";
  }
  std::string unsupported(const CollectiveRequest& r, const GroupNet& net) const override {
    if (r.kind != CollectiveKind::kAllReduce) return fmt::format("collnet implements all_reduce, not {}", to_string(r.kind));
    if (!net.sharp) return "collnet needs switches that reduce in the network (topology key sharp: true)";
    if (!net.spans_servers) return "collnet reduces in the network switches; this group is inside one server";
    if (r.n % std::max(1U, net.members_per_server) != 0) {
      return "collnet needs the same number of group members on every server";
    }
    return "";
  }
  std::unique_ptr<CollectivePlan> plan(const CollectiveRequest& r, const GroupNet& net,
                                       const Calibration& cal) const override {
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const uint32_t channels = detail::channels_of(r, net, cal);
    const CollnetShape sh = collnet_shape(r, net, st, channels);
    const uint16_t flows = detail::net_flows(detail::channels_at_nic(channels, sh.m, 0), net);
    auto p = std::make_unique<CollnetPlan>(sh, flows, st.delay_inter_s);
    p->tail_s = st.base_s;
    p->fidelity = r.fidelity;
    p->protocol = r.protocol;
    p->channels = 1;
    p->nccl_channels = channels;
    p->flows_per_member = (sh.m > 2 ? 2 : sh.m > 1 ? 1 : 0) + uint64_t{flows};
    return p;
  }
  double closed_form(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    const auto st = detail::step_terms(cal, name(), r.protocol);
    return st.base_s + st.delay_inter_s + collnet_shape(r, net, st, detail::channels_of(r, net, cal)).time_s(net);
  }
};

}  // namespace

const CollectiveAlgorithm& collnet_algorithm() {
  static const Collnet a;
  return a;
}

}  // namespace gigasim
