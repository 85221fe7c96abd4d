// Double binary tree (NCCL's tree all-reduce): two binary trees over the members, a heap-order
// tree A (parent (p-1)/2) and its mirror B (position p plays A's n-1-p), so every member is an
// inner node of one tree and a leaf of the other. Each tree reduces half the buffer up to its
// root, then broadcasts it down, pipelined in P chunks: node at depth d forwards chunk j at
// phase j + (D - d) on the way up and j + d on the way down, D the depth. Latency grows with
// log2(n) instead of n. Collapsed: one phase up and one down, each edge carrying all its bytes.
#include <fmt/format.h>

#include "sim/collectives/algorithms.hpp"
#include "sim/collectives/plan_support.hpp"

namespace gigasim {
namespace {

uint32_t depth_of(uint32_t p) {
  uint32_t d = 0;
  while (p > 0) p = (p - 1) / 2, ++d;
  return d;
}

class TreePlan final : public CollectivePlan {
 public:
  TreePlan(uint32_t n, uint32_t chunks, double chunk_wire, bool stepwise, double delay)
      : n_(n), p_(chunks), chunk_(chunk_wire), stepwise_(stepwise), delay_(delay), depth_(depth_of(n - 1)) {}

  uint32_t phases() const override {
    if (n_ <= 1) return 0;
    return stepwise_ ? 2 * (p_ + depth_ - 1) : 2;
  }

  void transfers(uint32_t pos, uint32_t t, std::vector<Transfer>& out) const override {
    for (int tree = 0; tree < 2; ++tree) {
      // Position of this member in heap order for this tree, and back.
      const uint32_t h = tree == 0 ? pos : n_ - 1 - pos;
      auto member = [&](uint32_t heap) { return tree == 0 ? heap : n_ - 1 - heap; };
      const uint32_t d = depth_of(h);
      const bool has_parent = h > 0;
      const uint32_t parent = has_parent ? member((h - 1) / 2) : 0;
      uint32_t kids[2];
      int nk = 0;
      for (uint32_t c : {2 * h + 1, 2 * h + 2}) {
        if (c < n_) kids[nk++] = member(c);
      }
      if (!stepwise_) {
        const double all = chunk_ * p_;
        if (t == 0) {  // up
          if (has_parent) out.push_back(Transfer{parent, all, true});
          for (int k = 0; k < nk; ++k) out.push_back(Transfer{kids[k], all, false});
        } else {  // down
          if (has_parent) out.push_back(Transfer{parent, all, false});
          for (int k = 0; k < nk; ++k) out.push_back(Transfer{kids[k], all, true});
        }
        continue;
      }
      const int64_t reduce_phases = p_ + depth_ - 1;
      auto valid = [&](int64_t j) { return j >= 0 && j < static_cast<int64_t>(p_); };
      const int64_t tt = t, dd = d, D = depth_;
      if (tt < reduce_phases) {
        if (has_parent && valid(tt - (D - dd))) out.push_back(Transfer{parent, chunk_, true});
        if (valid(tt - (D - dd) + 1)) {
          for (int k = 0; k < nk; ++k) out.push_back(Transfer{kids[k], chunk_, false});
        }
      } else {
        const int64_t u = tt - reduce_phases;
        if (has_parent && valid(u - dd + 1)) out.push_back(Transfer{parent, chunk_, false});
        if (valid(u - dd)) {
          for (int k = 0; k < nk; ++k) out.push_back(Transfer{kids[k], chunk_, true});
        }
      }
    }
  }
  double phase_delay_s(uint32_t) const override { return stepwise_ ? delay_ : 0; }

 private:
  uint32_t n_, p_;
  double chunk_;
  bool stepwise_;
  double delay_;
  uint32_t depth_;
};

class Tree final : public CollectiveAlgorithm {
 public:
  std::string_view name() const override { return "tree"; }
  std::string unsupported(const CollectiveRequest& r, const GroupNet&) const override {
    if (r.kind != CollectiveKind::kAllReduce) {
      return fmt::format("tree implements all_reduce only (NCCL uses ring for {})", to_string(r.kind));
    }
    return "";
  }

  std::unique_ptr<CollectivePlan> plan(const CollectiveRequest& r, const GroupNet& net,
                                       const Calibration& cal) const override {
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const double delay = st.delay(net.spans_servers);
    const uint32_t P = detail::pipeline_chunks(r.bytes / 2, cal);
    const double chunk = r.bytes / 2 / P / st.efficiency;
    const bool stepwise = r.fidelity == Fidelity::kStepwise;
    auto p = std::make_unique<TreePlan>(r.n, P, chunk, stepwise, delay);
    p->fidelity = r.fidelity;
    p->protocol = r.protocol;
    p->channels = r.channels;
    p->flows_per_member = uint64_t{stepwise ? 2 * P : 1} * 2 * r.channels;
    p->tail_s = r.n > 1 ? st.base_s : 0;
    if (!stepwise && r.n > 1) {
      // The pipeline the two collapsed phases stand for, minus what they take themselves.
      const double alpha = detail::flat_alpha(net), bw = detail::flat_bw(net);
      TreePlan pipelined(r.n, P, chunk, true, delay);
      pipelined.tail_s = 0;
      TreePlan collapsed(r.n, P, chunk, false, 0);
      p->tail_s += pipeline_time(pipelined, r.n, alpha, bw) - detail::lockstep_time(collapsed, r.n, alpha, bw);
    }
    return p;
  }

  double closed_form(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    if (r.n <= 1) return 0;
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const uint32_t P = detail::pipeline_chunks(r.bytes / 2, cal);
    TreePlan pipelined(r.n, P, r.bytes / 2 / P / st.efficiency, true, st.delay(net.spans_servers));
    return st.base_s + pipeline_time(pipelined, r.n, detail::flat_alpha(net), detail::flat_bw(net));
  }

 private:
  // Lockstep time of the pipelined schedule; beyond a few thousand members the levels look
  // alike, so a steady-state estimate replaces the member-by-member evaluation.
  static double pipeline_time(const TreePlan& plan, uint32_t n, double alpha, double bw) {
    if (n <= 4096) return detail::lockstep_time(plan, n, alpha, bw);
    std::vector<Transfer> t;
    plan.transfers(1, plan.phases() / 4, t);  // an inner node mid-pipeline
    double in = 0, out = 0;
    for (const Transfer& x : t) (x.send ? out : in) += x.bytes;
    return plan.phases() * (plan.phase_delay_s(0) + alpha + std::max(in, out) / bw);
  }
};

}  // namespace

const CollectiveAlgorithm& tree_algorithm() {
  static const Tree a;
  return a;
}

}  // namespace gigasim
