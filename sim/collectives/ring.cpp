// Ring: members pass chunks to their successor. All-reduce takes 2(n-1) steps (reduce-scatter
// then all-gather), reduce-scatter and all-gather n-1 steps, each moving S/n; broadcast and
// reduce pipeline S in P chunks along the chain from (to) the root: P + n - 2 steps of S/P.
// Every step costs delta + alpha + chunk / (e B). NCCL's workhorse, bandwidth-optimal.
//
// Channels as NCCL builds them. A collective runs as C channels, each a ring through every
// member carrying S/C. For a group of whole servers (m > 1 members on each of s > 1 servers)
// channel c enters and leaves every server on the NIC of local member e = c mod m: inside the
// server its ring runs e, e+1, ..., e-1 over NVLink, and e-1 hands the chunk to e (NCCL's PXN:
// a write into e's memory over NVLink), which sends it through its own NIC to member e of the
// next server, on the same rail. So every member sends S/n per step to its local successor over
// NVLink (all channels together: one path, one flow) and member l sends c_l S/(nC) per step to
// member l of the next server (c_l = channels entering at l): the channels of a group of whole
// servers use every NIC, and busbw approaches m x the NIC's goodput. With one member per server
// the ring crosses the network at every hop, all channels on the member's own NIC. A channel
// moves at most the calibrated `channel_bw_net` across servers (one thread block drives it).
// Latency over whole servers: each channel is its own pipeline, and a chunk of channel c crosses
// a server boundary on one of every m hops (at c's NIC), so along its 2(n-1) steps it pays the
// NIC route's latency s/n of the time and NVLink's otherwise (NCCL's tuning model: intra-node
// steps at NVLink latency, inter-node steps at network latency). Aggregating the channels of a
// member into one flow per medium and step would charge every step the NIC's latency, so the
// ring over whole servers runs as one phase in both fidelities (every step's bytes in one flow
// per peer, the steps' latencies added analytically at that per-hop average).
#include <fmt/format.h>

#include "sim/collectives/algorithms.hpp"
#include "sim/collectives/plan_support.hpp"

namespace gigasim {
namespace {

using detail::StepTerms;

uint32_t ring_steps(CollectiveKind k, uint32_t n) {
  if (n <= 1) return 0;
  return k == CollectiveKind::kAllReduce ? 2 * (n - 1) : n - 1;
}

// The shape of one ring step: what each hop class carries and how fast it can go.
struct RingShape {
  uint32_t n = 1, m = 1, s = 1, channels = 1;
  bool rails = false;     // channel rings over every NIC of whole servers
  double intra_wire = 0;  // per step, one member to its local successor (NVLink)
  double inter_wire = 0;  // per step, across servers, on the busiest NIC
  double inter_cap = 0;   // wire-rate cap of the busiest NIC's channels (0: none)
  bool has_intra = false, has_inter = false;

  uint32_t channels_at(uint32_t local) const { return detail::channels_at_nic(channels, m, local); }
  // Time of one step's transfers (no contention), the per-step delay excluded.
  double step_s(const GroupNet& net, bool& inter_bound) const {
    const double ti = has_intra ? net.alpha_intra_s + intra_wire / net.bw_intra_Bps : 0;
    const double tx = has_inter ? net.alpha_inter_s + detail::wire_time(inter_wire, net.bw_inter_Bps, inter_cap) : 0;
    inter_bound = tx >= ti;
    return std::max(ti, tx);
  }
};

RingShape ring_shape(const CollectiveRequest& r, const GroupNet& net, const StepTerms& st, uint32_t channels) {
  RingShape sh;
  sh.n = r.n;
  sh.channels = channels;
  sh.m = std::max(1U, std::min(net.members_per_server, r.n));
  sh.s = r.n / sh.m;
  const double chunk = r.bytes / r.n;  // payload per step and member, all channels
  if (detail::whole_servers(r.n, net)) {
    sh.rails = true;
    sh.has_intra = sh.has_inter = true;
    sh.intra_wire = chunk / st.efficiency;
    const uint32_t busiest = sh.channels_at(0);
    sh.inter_wire = chunk * busiest / channels / st.efficiency_net;
    sh.inter_cap = st.net_rate_cap(busiest);
  } else if (net.spans_servers) {
    // Ranks in order; a hop crosses servers where the next position is on another server.
    sh.has_inter = true;
    sh.has_intra = sh.m > 1;
    sh.intra_wire = chunk / st.efficiency;
    sh.inter_wire = chunk / st.efficiency_net;
    sh.inter_cap = st.net_rate_cap(channels);
  } else {
    sh.has_intra = true;
    sh.intra_wire = chunk / st.efficiency;
  }
  return sh;
}

class RingPlan final : public CollectivePlan {
 public:
  RingPlan(RingShape sh, const GroupNet& net, const StepTerms& st, uint32_t steps, bool stepwise, double delay)
      : sh_(sh), paths_(net.paths_per_pair), st_(st), steps_(steps), stepwise_(stepwise), delay_(delay) {}
  uint32_t phases() const override { return steps_ == 0 ? 0 : (stepwise_ ? steps_ : 1); }
  void transfers(uint32_t pos, uint32_t, std::vector<Transfer>& out) const override {
    const double k = stepwise_ ? 1 : steps_;
    const uint32_t n = sh_.n, m = sh_.m;
    if (sh_.rails) {
      const uint32_t server = pos / m, local = pos % m, s = sh_.s;
      const double nv = sh_.intra_wire * k;
      out.push_back(Transfer{server * m + (local + 1) % m, nv, true, 1, 0});
      out.push_back(Transfer{server * m + (local + m - 1) % m, nv, false, 1, 0});
      const uint32_t c = sh_.channels_at(local);
      if (c == 0) return;
      const double b = k * r_bytes_per_channel() * c / st_.efficiency_net;
      const uint16_t flows = static_cast<uint16_t>(std::max(1U, std::min(c, paths_)));
      const double cap = st_.net_rate_cap(c);
      out.push_back(Transfer{((server + 1) % s) * m + local, b, true, flows, cap});
      out.push_back(Transfer{((server + s - 1) % s) * m + local, b, false, flows, cap});
      return;
    }
    const uint32_t next = (pos + 1) % n, prev = (pos + n - 1) % n;
    out.push_back(hop(pos, next, true, k));
    out.push_back(hop(prev, pos, false, k));
  }
  double phase_delay_s(uint32_t) const override { return stepwise_ ? delay_ : 0; }

 private:
  double r_bytes_per_channel() const { return sh_.intra_wire * st_.efficiency / sh_.channels; }
  // The transfer of the hop from -> to, seen by `send ? from : to`.
  Transfer hop(uint32_t from, uint32_t to, bool send, double k) const {
    const bool inter = sh_.has_inter && from / sh_.m != to / sh_.m;
    const uint32_t peer = send ? to : from;
    if (!inter) return Transfer{peer, sh_.intra_wire * k, send, 1, 0};
    const uint16_t flows = static_cast<uint16_t>(std::max(1U, std::min(sh_.channels, paths_)));
    return Transfer{peer, sh_.inter_wire * k, send, flows, sh_.inter_cap};
  }
  RingShape sh_;
  uint32_t paths_;
  StepTerms st_;
  uint32_t steps_;
  bool stepwise_;
  double delay_;
};

// Broadcast (data flows away from the root) or reduce (towards it), pipelined in P chunks.
class ChainPlan final : public CollectivePlan {
 public:
  ChainPlan(uint32_t n, uint32_t root, uint32_t chunks, double chunk_wire, bool stepwise, bool reduce, double delay)
      : n_(n), root_(root), p_(chunks), chunk_(chunk_wire), stepwise_(stepwise), reduce_(reduce), delay_(delay) {}
  uint32_t phases() const override { return n_ <= 1 ? 0 : (stepwise_ ? p_ + n_ - 2 : 1); }
  void transfers(uint32_t pos, uint32_t t, std::vector<Transfer>& out) const override {
    const uint32_t i = (pos + n_ - root_) % n_;  // distance from the root along the chain
    const uint32_t next = (pos + 1) % n_, prev = (pos + n_ - 1) % n_;
    if (!stepwise_) {
      const double all = chunk_ * p_;
      if (!reduce_) {
        if (i + 1 < n_) out.push_back(Transfer{next, all, true});
        if (i >= 1) out.push_back(Transfer{prev, all, false});
      } else {
        if (i >= 1) out.push_back(Transfer{prev, all, true});
        if (i + 1 < n_) out.push_back(Transfer{next, all, false});
      }
      return;
    }
    auto valid = [&](int64_t j) { return j >= 0 && j < static_cast<int64_t>(p_); };
    const int64_t tt = t, ii = i, nn = n_;
    if (!reduce_) {
      if (i >= 1 && valid(tt - ii + 1)) out.push_back(Transfer{prev, chunk_, false});
      if (i + 1 < n_ && valid(tt - ii)) out.push_back(Transfer{next, chunk_, true});
    } else {
      if (i >= 1 && valid(tt - (nn - 1 - ii))) out.push_back(Transfer{prev, chunk_, true});
      if (i + 1 < n_ && valid(tt - (nn - 2 - ii))) out.push_back(Transfer{next, chunk_, false});
    }
  }
  double phase_delay_s(uint32_t) const override { return stepwise_ ? delay_ : 0; }

 private:
  uint32_t n_, root_, p_;
  double chunk_;
  bool stepwise_, reduce_;
  double delay_;
};

// A ring step's software overhead: NCCL charges network latency only on the steps whose chunk
// crosses servers and NVLink latency on the others; averaged over the ring's hops.
double ring_delay(const StepTerms& st, const GroupNet& net, uint32_t n) {
  if (!net.spans_servers || n == 0) return st.delay_intra_s;
  const double servers = static_cast<double>(n) / std::max(1U, net.members_per_server);
  return ((n - servers) * st.delay_intra_s + servers * st.delay_inter_s) / n;
}

// The route latency a channel's chunk pays per hop over whole servers: the NIC route's on the
// s hops of n that cross servers, NVLink's on the others.
double rails_alpha(const RingShape& sh, const GroupNet& net) {
  return ((sh.n - sh.s) * net.alpha_intra_s + sh.s * net.alpha_inter_s) / sh.n;
}

bool is_chain(CollectiveKind k) { return k == CollectiveKind::kBroadcast || k == CollectiveKind::kReduce; }

class Ring final : public CollectiveAlgorithm {
 public:
  std::string_view name() const override { return "ring"; }
  std::string_view description() const override {
    return "NCCL's ring: 2(n-1) steps of S/n to the successor; over whole servers its channels use every NIC";
  }
  std::string unsupported(const CollectiveRequest& r, const GroupNet&) const override {
    switch (r.kind) {
      case CollectiveKind::kAllReduce:
      case CollectiveKind::kReduceScatter:
      case CollectiveKind::kAllGather:
      case CollectiveKind::kBroadcast:
      case CollectiveKind::kReduce: return "";
      default: return fmt::format("ring does not implement {} (use direct or pxn)", to_string(r.kind));
    }
  }

  std::unique_ptr<CollectivePlan> plan(const CollectiveRequest& r, const GroupNet& net,
                                       const Calibration& cal) const override {
    const StepTerms st = detail::step_terms(cal, name(), r.protocol);
    const uint32_t channels = detail::channels_of(r, net, cal);
    const double delay = ring_delay(st, net, r.n);
    const bool stepwise = r.fidelity == Fidelity::kStepwise;
    std::unique_ptr<CollectivePlan> p;
    double merged = 0;  // alpha and delay terms a collapsed plan adds analytically
    bool one_phase_rails = false;
    if (is_chain(r.kind)) {
      const uint32_t P = detail::pipeline_chunks(r.bytes, cal);
      const double chunk = r.bytes / P / st.eff(net.spans_servers);
      p = std::make_unique<ChainPlan>(r.n, r.root % std::max(1U, r.n), P, chunk, stepwise,
                                      r.kind == CollectiveKind::kReduce, delay);
      if (!stepwise && r.n > 1) {
        const double steps = P + r.n - 2.0;
        merged = steps * delay + (steps - 1) * net.alpha_s + (r.n - 2.0) * chunk / net.bw_Bps;
      }
      p->channels = net.spans_servers ? detail::net_flows(channels, net) : 1;
      p->flows_per_member = (stepwise ? P : 1) * p->channels;
    } else {
      const uint32_t k = ring_steps(r.kind, r.n);
      const RingShape sh = ring_shape(r, net, st, channels);
      bool inter_bound = false;
      sh.step_s(net, inter_bound);
      // Over whole servers the channels pipeline independently: one phase (see the top).
      const bool steps = stepwise && !sh.rails;
      if (!steps && k > 0) {
        merged = k * delay + (k - 1.0) * (sh.rails ? rails_alpha(sh, net) : inter_bound ? net.alpha_inter_s : net.alpha_intra_s);
      }
      p = std::make_unique<RingPlan>(sh, net, st, k, steps, delay);
      uint64_t per_step = 0;  // flows one member sends per step
      if (sh.rails) {
        per_step = 1 + (sh.channels_at(0) > 0 ? detail::net_flows(sh.channels_at(0), net) : 0);
      } else {
        per_step = sh.has_inter ? detail::net_flows(channels, net) : 1;
      }
      p->flows_per_member = k == 0 ? 0 : (steps ? k : 1) * per_step;
      p->channels = 1;
      one_phase_rails = sh.rails;
    }
    p->tail_s = (r.n > 1 ? st.base_s : 0) + merged;
    p->fidelity = one_phase_rails ? Fidelity::kCollapsed : r.fidelity;
    p->protocol = r.protocol;
    p->nccl_channels = channels;
    return p;
  }

  double closed_form(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    if (r.n <= 1) return 0;
    const StepTerms st = detail::step_terms(cal, name(), r.protocol);
    const uint32_t channels = detail::channels_of(r, net, cal);
    const double delay = ring_delay(st, net, r.n);
    if (is_chain(r.kind)) {
      const uint32_t P = detail::pipeline_chunks(r.bytes, cal);
      return st.base_s + (P + r.n - 2.0) * (delay + net.alpha_s + r.bytes / P / st.eff(net.spans_servers) / net.bw_Bps);
    }
    bool inter_bound = false;
    const RingShape sh = ring_shape(r, net, st, channels);
    const double step = sh.step_s(net, inter_bound);
    const uint32_t k = ring_steps(r.kind, r.n);
    if (sh.rails) {
      // One phase: every step's bytes at once, the steps' latencies at the per-hop average.
      const double ti = net.alpha_intra_s + k * sh.intra_wire / net.bw_intra_Bps;
      const double tx = net.alpha_inter_s + detail::wire_time(k * sh.inter_wire, net.bw_inter_Bps, sh.inter_cap);
      return st.base_s + k * delay + (k - 1.0) * rails_alpha(sh, net) + std::max(ti, tx);
    }
    return st.base_s + k * (delay + step);
  }
};

}  // namespace

const CollectiveAlgorithm& ring_algorithm() {
  static const Ring a;
  return a;
}

}  // namespace gigasim
