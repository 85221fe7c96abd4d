// Ring: members pass chunks to their successor. All-reduce takes 2(n-1) steps (reduce-scatter
// then all-gather), reduce-scatter and all-gather n-1 steps, each moving S/n; broadcast and
// reduce pipeline S in P chunks along the chain from (to) the root: P + n - 2 steps of S/P.
// Every step costs delta + alpha + chunk / (e B). NCCL's workhorse, bandwidth-optimal.
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

class RingPlan final : public CollectivePlan {
 public:
  RingPlan(uint32_t n, uint32_t steps, double chunk_wire, bool stepwise, double delay)
      : n_(n), steps_(steps), chunk_(chunk_wire), stepwise_(stepwise), delay_(delay) {}
  uint32_t phases() const override { return steps_ == 0 ? 0 : (stepwise_ ? steps_ : 1); }
  void transfers(uint32_t pos, uint32_t, std::vector<Transfer>& out) const override {
    const double b = stepwise_ ? chunk_ : chunk_ * steps_;
    out.push_back(Transfer{(pos + 1) % n_, b, true});
    out.push_back(Transfer{(pos + n_ - 1) % n_, b, false});
  }
  double phase_delay_s(uint32_t) const override { return stepwise_ ? delay_ : 0; }

 private:
  uint32_t n_, steps_;
  double chunk_;
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

class Ring final : public CollectiveAlgorithm {
 public:
  std::string_view name() const override { return "ring"; }
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
    const double delay = ring_delay(st, net, r.n);
    const bool stepwise = r.fidelity == Fidelity::kStepwise;
    std::unique_ptr<CollectivePlan> p;
    double merged = 0;  // alpha and delay terms a collapsed plan adds analytically
    if (r.kind == CollectiveKind::kBroadcast || r.kind == CollectiveKind::kReduce) {
      const uint32_t P = detail::pipeline_chunks(r.bytes, cal);
      const double chunk = r.bytes / P / st.efficiency;
      p = std::make_unique<ChainPlan>(r.n, r.root % std::max(1U, r.n), P, chunk, stepwise,
                                      r.kind == CollectiveKind::kReduce, delay);
      if (!stepwise && r.n > 1) {
        const double steps = P + r.n - 2.0;
        merged = steps * delay + (steps - 1) * net.alpha_s + (r.n - 2.0) * chunk / net.bw_Bps;
      }
      p->flows_per_member = stepwise ? P : 1;
    } else {
      const uint32_t k = ring_steps(r.kind, r.n);
      p = std::make_unique<RingPlan>(r.n, k, r.bytes / r.n / st.efficiency, stepwise, delay);
      if (!stepwise && k > 0) merged = k * delay + (k - 1.0) * net.alpha_s;
      p->flows_per_member = stepwise ? k : (k > 0 ? 1 : 0);
    }
    p->tail_s = (r.n > 1 ? st.base_s : 0) + merged;
    p->fidelity = r.fidelity;
    p->protocol = r.protocol;
    p->channels = r.channels;
    p->flows_per_member *= r.channels;
    return p;
  }

  double closed_form(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    if (r.n <= 1) return 0;
    const StepTerms st = detail::step_terms(cal, name(), r.protocol);
    const double step_fixed = ring_delay(st, net, r.n) + net.alpha_s;
    if (r.kind == CollectiveKind::kBroadcast || r.kind == CollectiveKind::kReduce) {
      const uint32_t P = detail::pipeline_chunks(r.bytes, cal);
      return st.base_s + (P + r.n - 2.0) * (step_fixed + r.bytes / P / st.efficiency / net.bw_Bps);
    }
    const uint32_t k = ring_steps(r.kind, r.n);
    return st.base_s + k * (step_fixed + r.bytes / r.n / st.efficiency / net.bw_Bps);
  }
};

}  // namespace

const CollectiveAlgorithm& ring_algorithm() {
  static const Ring a;
  return a;
}

}  // namespace gigasim
