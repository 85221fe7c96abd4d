// Direct: every member exchanges with every other at once (NCCL's point-to-point collectives:
// all-to-all, send/recv). Reduce-scatter and all-gather send S/n to each peer, all-reduce is one
// then the other, all-to-all sends S/n of each rank's buffer to each peer, broadcast sends S from
// the root to each, reduce S from each to the root, sendrecv S to the next member. One step each:
// delta + alpha + (bytes through the busiest NIC) / (e B). n(n-1) flows: small groups.
#include <fmt/format.h>

#include "sim/collectives/algorithms.hpp"
#include "sim/collectives/plan_support.hpp"

namespace gigasim {
namespace {

class DirectPlan final : public CollectivePlan {
 public:
  DirectPlan(CollectiveKind k, uint32_t n, uint32_t root, double bytes_wire, uint32_t phases, double delay)
      : k_(k), n_(n), root_(root), s_(bytes_wire), phases_(phases), delay_(delay) {}
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
          out.push_back(Transfer{(pos + d) % n_, b, true});
          out.push_back(Transfer{(pos + n_ - d) % n_, b, false});
        }
      }
    }
  }
  double phase_delay_s(uint32_t) const override { return delay_; }

 private:
  CollectiveKind k_;
  uint32_t n_, root_;
  double s_;
  uint32_t phases_;
  double delay_;
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
  std::string unsupported(const CollectiveRequest&, const GroupNet&) const override { return ""; }

  std::unique_ptr<CollectivePlan> plan(const CollectiveRequest& r, const GroupNet& net,
                                       const Calibration& cal) const override {
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const double delay = st.delay(net.spans_servers);
    const bool ar = r.kind == CollectiveKind::kAllReduce;
    const uint32_t phases = r.n <= 1 ? 0 : (ar && r.fidelity == Fidelity::kStepwise ? 2 : 1);
    auto p = std::make_unique<DirectPlan>(r.kind, r.n, r.root % std::max(1U, r.n), r.bytes / st.efficiency, phases,
                                          delay);
    // A collapsed all-reduce merges its two steps: one alpha and one delay are added here.
    p->tail_s = (r.n > 1 ? st.base_s : 0) + (ar && phases == 1 ? detail::flat_alpha(net) + delay : 0);
    p->fidelity = r.fidelity;
    p->protocol = r.protocol;
    p->channels = r.channels;
    const uint64_t peers = r.kind == CollectiveKind::kSendRecv ? 1 : (r.n > 0 ? r.n - 1 : 0);
    p->flows_per_member = peers * phases * r.channels;
    return p;
  }

  double closed_form(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    if (r.n <= 1) return 0;
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const double step = st.delay(net.spans_servers) + detail::flat_alpha(net) +
                        busiest(r.kind, r.n, r.bytes) / st.efficiency / detail::flat_bw(net);
    return st.base_s + (r.kind == CollectiveKind::kAllReduce ? 2 : 1) * step;
  }
};

}  // namespace

const CollectiveAlgorithm& direct_algorithm() {
  static const Direct a;
  return a;
}

}  // namespace gigasim
