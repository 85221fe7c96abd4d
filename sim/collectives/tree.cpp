// Double binary tree (NCCL's tree all-reduce): two binary trees over the members, a heap-order
// tree A (parent (p-1)/2) and its mirror B (position p plays A's n-1-p), so every member is an
// inner node of one tree and a leaf of the other. Each tree reduces half the buffer up to its
// root, then broadcasts it down, pipelined in P chunks: node at depth d forwards chunk j at
// phase j + (D - d) on the way up and j + d on the way down, D the depth. Latency grows with
// log2(n) instead of n.
// Each sweep (up, then down) has D-1 fill phases in which only the deeper (shallower) levels
// have data, P-D+1 full phases in which every edge moves a chunk, and D-1 drain phases.
// Collapsed keeps the fill and drain phases as they are (they are where contention differs:
// few edges are busy) and merges the full phases into R rounds (R = min(P-D+1, 8, 8192/n)),
// every edge moving (P-D+1)/R chunks per round; the merged phases' latencies are added
// analytically. With P < D+R there is nothing to merge and collapsed is stepwise.
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
  /// `rounds` 0: the stepwise P-chunk pipeline; otherwise its full phases merged into `rounds`.
  TreePlan(uint32_t n, uint32_t chunks, double chunk_wire, uint32_t rounds, double delay)
      : n_(n), p_(chunks), rounds_(rounds), chunk_(chunk_wire), delay_(delay), depth_(depth_of(n - 1)) {
    fill_ = depth_ > 0 ? depth_ - 1 : 0;
    if (rounds_ > 0) round_chunks_ = static_cast<double>(p_ - fill_) / rounds_;
  }

  /// Phases of one sweep (reduce up, or broadcast down).
  uint32_t sweep() const { return rounds_ > 0 ? 2 * fill_ + rounds_ : p_ + depth_ - 1; }
  uint32_t phases() const override { return n_ <= 1 ? 0 : 2 * sweep(); }

  void transfers(uint32_t pos, uint32_t t, std::vector<Transfer>& out) const override {
    const bool up = t < sweep();
    int64_t u = up ? t : t - sweep();  // the stepwise phase within the sweep
    double bytes = chunk_;
    bool full = false;
    if (rounds_ > 0) {
      if (u >= fill_ + rounds_) {
        u += p_ - fill_ - rounds_;  // drain
      } else if (u >= fill_) {
        full = true;
        bytes = chunk_ * round_chunks_;
      }
    }
    for (int tree = 0; tree < 2; ++tree) {
      // Position of this member in heap order for this tree, and back.
      const uint32_t h = tree == 0 ? pos : n_ - 1 - pos;
      auto member = [&](uint32_t heap) { return tree == 0 ? heap : n_ - 1 - heap; };
      const int64_t d = depth_of(h), D = depth_;
      const bool has_parent = h > 0;
      const uint32_t parent = has_parent ? member((h - 1) / 2) : 0;
      uint32_t kids[2];
      int nk = 0;
      for (uint32_t c : {2 * h + 1, 2 * h + 2}) {
        if (c < n_) kids[nk++] = member(c);
      }
      auto valid = [&](int64_t j) { return full || (j >= 0 && j < static_cast<int64_t>(p_)); };
      // Up: send chunk u-(D-d) to the parent, receive chunk u-(D-d)+1 from the kids.
      // Down: receive chunk u-d+1 from the parent, send chunk u-d to the kids.
      const bool to_parent = up ? valid(u - (D - d)) : valid(u - d + 1);
      const bool to_kids = up ? valid(u - (D - d) + 1) : valid(u - d);
      if (has_parent && to_parent) out.push_back(Transfer{parent, bytes, up});
      if (to_kids) {
        for (int k = 0; k < nk; ++k) out.push_back(Transfer{kids[k], bytes, !up});
      }
    }
  }
  double phase_delay_s(uint32_t) const override { return delay_; }

 private:
  uint32_t n_, p_, rounds_;
  double chunk_;
  double delay_;
  uint32_t depth_, fill_ = 0;
  double round_chunks_ = 1;
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
    // Fewer rounds for big groups: every round is n flows in one sharing component.
    const uint32_t fill = r.n > 1 ? depth_of(r.n - 1) - 1 : 0;
    const uint32_t full = P > fill ? P - fill : 0;
    const uint32_t rounds = std::max(1U, std::min({full, kCollapsedRounds, 8192 / std::max(1U, r.n)}));
    const bool stepwise = r.fidelity == Fidelity::kStepwise || full <= rounds;
    auto p = std::make_unique<TreePlan>(r.n, P, chunk, stepwise ? 0 : rounds, delay);
    p->fidelity = r.fidelity;
    p->protocol = r.protocol;
    p->channels = std::max(1U, r.channels);
    p->flows_per_member = uint64_t{p->phases()} * 2 * p->channels;
    if (!stepwise) {
      // The full phases the rounds stand for, minus what the rounds take themselves.
      const double alpha = detail::flat_alpha(net), bw = detail::flat_bw(net);
      TreePlan pipelined(r.n, P, chunk, 0, delay);
      p->tail_s = std::max(0.0, pipeline_time(pipelined, r.n, alpha, bw) - pipeline_time(*p, r.n, alpha, bw));
    }
    if (r.n > 1) p->tail_s += st.base_s;
    return p;
  }

  double closed_form(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    if (r.n <= 1) return 0;
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const uint32_t P = detail::pipeline_chunks(r.bytes / 2, cal);
    TreePlan pipelined(r.n, P, r.bytes / 2 / P / st.efficiency, 0, st.delay(net.spans_servers));
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
