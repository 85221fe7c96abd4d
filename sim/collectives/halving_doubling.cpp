// Halving-doubling (Rabenseifner): reduce-scatter by recursive halving — step k exchanges S/2^(k+1)
// with the member n/2^(k+1) positions away (XOR) — then all-gather by recursive doubling in the
// reverse order. log2(n) steps each: latency-optimal for power-of-two groups, the same bytes as
// a ring. Collapsed, a member's exchanges with each partner travel as one flow.
#include <fmt/format.h>

#include "sim/collectives/algorithms.hpp"
#include "sim/collectives/plan_support.hpp"

namespace gigasim {
namespace {

uint32_t log2_exact(uint32_t n) {
  uint32_t l = 0;
  while ((1U << l) < n) ++l;
  return l;
}

class HalvingDoublingPlan final : public CollectivePlan {
 public:
  HalvingDoublingPlan(CollectiveKind k, uint32_t n, double s_wire, bool stepwise, double delay)
      : k_(k), n_(n), l_(log2_exact(n)), s_(s_wire), stepwise_(stepwise), delay_(delay) {}
  uint32_t phases() const override {
    if (n_ <= 1) return 0;
    if (!stepwise_) return 1;
    return k_ == CollectiveKind::kAllReduce ? 2 * l_ : l_;
  }
  void transfers(uint32_t pos, uint32_t phase, std::vector<Transfer>& out) const override {
    auto exchange = [&](uint32_t distance, double bytes) {
      out.push_back(Transfer{pos ^ distance, bytes, true});
      out.push_back(Transfer{pos ^ distance, bytes, false});
    };
    if (!stepwise_) {
      // Partner at distance 2^j: the reduce-scatter step and/or the all-gather step that use it.
      for (uint32_t j = 0; j < l_; ++j) {
        const double part = s_ * (1U << j) / n_;  // S / 2^(l - j)
        const bool rs = k_ != CollectiveKind::kAllGather, ag = k_ != CollectiveKind::kReduceScatter;
        exchange(1U << j, part * (int(rs) + int(ag)));
      }
      return;
    }
    const bool rs_phase = k_ == CollectiveKind::kReduceScatter || (k_ == CollectiveKind::kAllReduce && phase < l_);
    if (rs_phase) {
      exchange(n_ >> (phase + 1), s_ / (2U << phase));
    } else {
      const uint32_t j = k_ == CollectiveKind::kAllReduce ? phase - l_ : phase;
      exchange(1U << j, s_ * (1U << j) / n_);
    }
  }
  double phase_delay_s(uint32_t) const override { return stepwise_ ? delay_ : 0; }

 private:
  CollectiveKind k_;
  uint32_t n_, l_;
  double s_;
  bool stepwise_;
  double delay_;
};

class HalvingDoubling final : public CollectiveAlgorithm {
 public:
  std::string_view name() const override { return "halving_doubling"; }
  std::string_view description() const override {
    return "recursive halving and doubling with the member n/2, n/4, ... away (power-of-two groups)";
  }
  std::string unsupported(const CollectiveRequest& r, const GroupNet&) const override {
    if (r.kind != CollectiveKind::kAllReduce && r.kind != CollectiveKind::kReduceScatter &&
        r.kind != CollectiveKind::kAllGather) {
      return fmt::format("halving_doubling implements all_reduce, reduce_scatter and all_gather, not {}",
                         to_string(r.kind));
    }
    if ((r.n & (r.n - 1)) != 0) {
      return fmt::format("halving_doubling needs a power-of-two group; this one has {} members", r.n);
    }
    return "";
  }

  std::unique_ptr<CollectivePlan> plan(const CollectiveRequest& r, const GroupNet& net,
                                       const Calibration& cal) const override {
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const double delay = st.delay(net.spans_servers);
    const bool stepwise = r.fidelity == Fidelity::kStepwise;
    auto p = std::make_unique<HalvingDoublingPlan>(r.kind, r.n, r.bytes / st.efficiency, stepwise, delay);
    const uint32_t l = log2_exact(r.n);
    const uint32_t steps = r.kind == CollectiveKind::kAllReduce ? 2 * l : l;
    p->tail_s = (r.n > 1 ? st.base_s : 0) + (stepwise || steps == 0 ? 0 : steps * delay + (steps - 1.0) * detail::flat_alpha(net));
    p->fidelity = r.fidelity;
    p->protocol = r.protocol;
    p->channels = std::max(1U, r.channels);
    p->flows_per_member = uint64_t{stepwise ? steps : l} * p->channels;
    return p;
  }

  double closed_form(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    if (r.n <= 1) return 0;
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const uint32_t l = log2_exact(r.n);
    const double factor = r.kind == CollectiveKind::kAllReduce ? 2 : 1;
    return st.base_s + factor * l * (st.delay(net.spans_servers) + detail::flat_alpha(net)) +
           factor * (r.n - 1.0) / r.n * r.bytes / st.efficiency / detail::flat_bw(net);
  }
};

}  // namespace

const CollectiveAlgorithm& halving_doubling_algorithm() {
  static const HalvingDoubling a;
  return a;
}

}  // namespace gigasim
