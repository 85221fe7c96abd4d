// Double binary tree (NCCL's tree all-reduce): two binary trees over the members, a heap-order
// tree A (parent (p-1)/2) and its mirror B (position p plays A's n-1-p), so every member is an
// inner node of one tree and a leaf of the other. Each tree reduces half the buffer up to its
// root, then broadcasts it down, pipelined in P chunks: node at depth d forwards chunk j at
// phase j + (D - d) on the way up and j + d on the way down, D the depth. Latency grows with
// log2(n) instead of n. Collapsed: R rounds (R = min(P, 8, 8192/n)) in which every edge of both trees
// moves 1/R of its half buffer up at once, then R rounds down — the pipeline's steady state, in
// which all levels are busy, with rounds that keep neighbours in step under contention as the
// stepwise pipeline does; the pipeline's remaining latency is added analytically.
#include <fmt/format.h>

#include <algorithm>

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
  /// stepwise: the P-chunk pipeline; otherwise `chunks` rounds up then down, all edges at once.
  TreePlan(uint32_t n, uint32_t chunks, double chunk_wire, bool stepwise, double delay)
      : n_(n), p_(chunks), chunk_(chunk_wire), stepwise_(stepwise), delay_(delay), depth_(depth_of(n - 1)) {}

  uint32_t phases() const override {
    if (n_ <= 1) return 0;
    return stepwise_ ? 2 * (p_ + depth_ - 1) : 2 * p_;
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
        if (t < p_) {  // up
          if (has_parent) out.push_back(Transfer{parent, chunk_, true});
          for (int k = 0; k < nk; ++k) out.push_back(Transfer{kids[k], chunk_, false});
        } else {  // down
          if (has_parent) out.push_back(Transfer{parent, chunk_, false});
          for (int k = 0; k < nk; ++k) out.push_back(Transfer{kids[k], chunk_, true});
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

constexpr uint32_t kCollapsedRounds = 8;

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
    // Fewer rounds for big groups: every round is n flows in one sharing component.
    const uint32_t rounds = std::max(1U, std::min({P, kCollapsedRounds, 8192 / std::max(1U, r.n)}));
    auto p = stepwise ? std::make_unique<TreePlan>(r.n, P, chunk, true, delay)
                      : std::make_unique<TreePlan>(r.n, rounds, chunk * P / rounds, false, 0);
    p->fidelity = r.fidelity;
    p->protocol = r.protocol;
    p->channels = r.channels;
    p->flows_per_member = uint64_t{stepwise ? 2 * P : 2 * rounds} * 2 * r.channels;
    p->tail_s = r.n > 1 ? st.base_s : 0;
    if (!stepwise && r.n > 1) {
      // The pipeline the rounds stand for, minus what the rounds take themselves.
      const double alpha = detail::flat_alpha(net), bw = detail::flat_bw(net);
      TreePlan pipelined(r.n, P, chunk, true, delay);
      TreePlan collapsed(r.n, rounds, chunk * P / rounds, false, 0);
      p->tail_s += std::max(0.0, pipeline_time(pipelined, r.n, alpha, bw) - pipeline_time(collapsed, r.n, alpha, bw));
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
  // Lockstep time of the pipelined schedule. Members with the same depths and child counts in
  // both trees behave alike, so one member of each class stands for all: O(n + phases x classes).
  static double pipeline_time(const TreePlan& plan, uint32_t n, double alpha, double bw) {
    std::vector<uint32_t> reps;
    std::vector<uint64_t> seen;
    for (uint32_t p = 0; p < n; ++p) {
      const uint32_t a = p, b = n - 1 - p;
      const uint64_t key = (uint64_t{depth_of(a)} << 40) | (uint64_t{depth_of(b)} << 20) |
                           (static_cast<uint64_t>((2 * a + 1 < n) + (2 * a + 2 < n)) << 2) |
                           static_cast<uint64_t>((2 * b + 1 < n) + (2 * b + 2 < n));
      if (std::find(seen.begin(), seen.end(), key) == seen.end()) seen.push_back(key), reps.push_back(p);
    }
    double total = plan.tail_s;
    std::vector<Transfer> t;
    for (uint32_t k = 0; k < plan.phases(); ++k) {
      double busiest = 0;
      bool any = false;
      for (uint32_t p : reps) {
        t.clear();
        plan.transfers(p, k, t);
        double in = 0, out = 0;
        for (const Transfer& x : t) (x.send ? out : in) += x.bytes, any = true;
        busiest = std::max({busiest, in, out});
      }
      total += plan.phase_delay_s(k) + (any ? alpha + busiest / bw : 0);
    }
    return total;
  }
};

}  // namespace

const CollectiveAlgorithm& tree_algorithm() {
  static const Tree a;
  return a;
}

}  // namespace gigasim
