// Direct: every member exchanges with every other at once (NCCL's point-to-point collectives:
// all-to-all, send/recv). Reduce-scatter and all-gather send S/n to each peer, all-reduce is one
// then the other, all-to-all sends S/n of each rank's buffer to each peer, broadcast sends S from
// the root to each, reduce S from each to the root, sendrecv S to the next member. One step each:
// delta + alpha + (bytes through the busiest NIC) / (e B). n(n-1) flows: small groups.
// In a group of whole servers NVLink and the NIC work at once, each at its own efficiency: a
// member sends (m-1)/n of its buffer over NVLink and (n-m)/n on its own NIC (all-to-all cannot
// aggregate the NICs of a server), so busbw tends to N/(N-1) x the NIC's goodput on N servers.
#include <fmt/format.h>

#include "sim/collectives/algorithms.hpp"
#include "sim/collectives/plan_support.hpp"

namespace gigasim {
namespace {

class DirectPlan final : public CollectivePlan {
 public:
  /// `bytes_wire` over NVLink; peers on other servers (members_per_server `m`, 0: flat) get
  /// `net_scale` times as many wire bytes (the ratio of the two efficiencies).
  DirectPlan(CollectiveKind k, uint32_t n, uint32_t root, double bytes_wire, uint32_t phases, double delay,
             uint32_t m, double net_scale)
      : k_(k), n_(n), root_(root), s_(bytes_wire), phases_(phases), delay_(delay), m_(m), net_scale_(net_scale) {}
  uint32_t phases() const override { return phases_; }
  void transfers(uint32_t pos, uint32_t, std::vector<Transfer>& out) const override {
    switch (k_) {
      case CollectiveKind::kBroadcast:
        for (uint32_t q = 0; q < n_; ++q) {
          if (q == pos) continue;
          if (pos == root_) out.push_back(Transfer{q, s_, true});
        }
        if (pos != root_) out.push_back(Transfer{root_, s_, false});
        return;
      case CollectiveKind::kReduce:
        for (uint32_t q = 0; q < n_; ++q) {
          if (q != pos && pos == root_) out.push_back(Transfer{q, s_, false});
        }
        if (pos != root_) out.push_back(Transfer{root_, s_, true});
        return;
      case CollectiveKind::kSendRecv:
        out.push_back(Transfer{(pos + 1) % n_, s_, true});
        out.push_back(Transfer{(pos + n_ - 1) % n_, s_, false});
        return;
      default: {
        // Reduce-scatter, all-gather, all-to-all: S/n to and from each peer (all-reduce: per
        // phase, or 2S/n when its two phases are collapsed into one).
        const double b = k_ == CollectiveKind::kAllReduce && phases_ == 1 ? 2 * s_ / n_ : s_ / n_;
        for (uint32_t d = 1; d < n_; ++d) {
          const uint32_t to = (pos + d) % n_, from = (pos + n_ - d) % n_;
          out.push_back(Transfer{to, remote(pos, to) ? b * net_scale_ : b, true});
          out.push_back(Transfer{from, remote(pos, from) ? b * net_scale_ : b, false});
        }
      }
    }
  }
  double phase_delay_s(uint32_t) const override { return delay_; }

 private:
  bool remote(uint32_t a, uint32_t b) const { return m_ > 0 && a / m_ != b / m_; }
  CollectiveKind k_;
  uint32_t n_, root_;
  double s_;
  uint32_t phases_;
  double delay_;
  uint32_t m_;
  double net_scale_;
};

// Bytes through the busiest NIC (send or receive side) in one phase, before the efficiency.
double busiest(CollectiveKind k, uint32_t n, double S) {
  switch (k) {
    case CollectiveKind::kBroadcast:
    case CollectiveKind::kReduce: return (n - 1.0) * S;
    case CollectiveKind::kSendRecv: return S;
    default: return (n - 1.0) / n * S;
  }
}

class Direct final : public CollectiveAlgorithm {
 public:
  std::string_view name() const override { return "direct"; }
  std::string_view description() const override {
    return "one step with every peer: alltoall and sendrecv, and a direct form of every collective";
  }
  std::string unsupported(const CollectiveRequest&, const GroupNet&) const override { return ""; }

  std::unique_ptr<CollectivePlan> plan(const CollectiveRequest& r, const GroupNet& net,
                                       const Calibration& cal) const override {
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const double delay = st.delay(net.spans_servers);
    const bool ar = r.kind == CollectiveKind::kAllReduce;
    const uint32_t phases = r.n <= 1 ? 0 : (ar && r.fidelity == Fidelity::kStepwise ? 2 : 1);
    const bool media = by_medium(r, net);
    auto p = std::make_unique<DirectPlan>(r.kind, r.n, r.root % std::max(1U, r.n), r.bytes / st.efficiency, phases,
                                          delay, media ? net.members_per_server : 0,
                                          media ? st.efficiency / st.efficiency_net : 1.0);
    // A collapsed all-reduce merges its two steps: one alpha and one delay are added here.
    p->tail_s = (r.n > 1 ? st.base_s : 0) + (ar && phases == 1 ? detail::flat_alpha(net) + delay : 0);
    p->fidelity = r.fidelity;
    p->protocol = r.protocol;
    p->channels = std::max(1U, r.channels);
    const uint64_t peers = r.kind == CollectiveKind::kSendRecv ? 1 : (r.n > 0 ? r.n - 1 : 0);
    p->flows_per_member = peers * phases * p->channels;
    return p;
  }

  double closed_form(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    if (r.n <= 1) return 0;
    const auto st = detail::step_terms(cal, name(), r.protocol);
    double wire;
    if (by_medium(r, net)) {  // NVLink and NIC at once: the slower of the two
      const double m = net.members_per_server, n = r.n, S = r.bytes;
      wire = std::max(net.alpha_intra_s + (m - 1) / n * S / st.efficiency / net.bw_intra_Bps,
                      net.alpha_inter_s + (n - m) / n * S / st.efficiency_net / net.bw_inter_Bps);
    } else {
      wire = detail::flat_alpha(net) + busiest(r.kind, r.n, r.bytes) / st.efficiency / detail::flat_bw(net);
    }
    const double step = st.delay(net.spans_servers) + wire;
    return st.base_s + (r.kind == CollectiveKind::kAllReduce ? 2 : 1) * step;
  }

 private:
  // The every-peer kinds over whole servers: their NVLink and NIC bytes are told apart.
  static bool by_medium(const CollectiveRequest& r, const GroupNet& net) {
    switch (r.kind) {
      case CollectiveKind::kAllToAll:
      case CollectiveKind::kAllGather:
      case CollectiveKind::kReduceScatter:
      case CollectiveKind::kAllReduce: return detail::whole_servers(r.n, net);
      default: return false;
    }
  }
};

}  // namespace

const CollectiveAlgorithm& direct_algorithm() {
  static const Direct a;
  return a;
}

}  // namespace gigasim
