// Hierarchical: for groups of whole servers (m members per server, s servers, member
// (server, local) at position server*m + local). All-reduce = reduce-scatter inside each server
// over NVLink (ring of m, S/m chunks), all-reduce of the server's 1/m share across servers on
// each local index, i.e. per rail (ring of s, S/(m s) chunks), then all-gather inside the server.
// Reduce-scatter and all-gather are the first or last two stages. Each stage pays its own
// alpha and B (NVLink inside, NIC across); collapsed, each stage is one flow per member. With
// `nvlink_analytic` the stages inside servers are one phase without flows whose delay is the
// stage's closed form (NVLink carries nothing else then), so only the rail stage is simulated.
#include <fmt/format.h>

#include "sim/collectives/algorithms.hpp"
#include "sim/collectives/plan_support.hpp"

namespace gigasim {
namespace {

struct Stage {
  bool inter = false;   // ring across servers (same local index) or inside a server
  uint32_t steps = 0;
  double chunk = 0;     // wire bytes per step
  double delay = 0;
  double analytic_s = -1;  // >= 0: no flows, one phase of this delay
  uint32_t phases(bool stepwise) const { return steps == 0 ? 0 : analytic_s >= 0 || !stepwise ? 1 : steps; }
};

class HierarchicalPlan final : public CollectivePlan {
 public:
  HierarchicalPlan(uint32_t m, uint32_t s, std::vector<Stage> stages, bool stepwise)
      : m_(m), s_(s), stages_(std::move(stages)), stepwise_(stepwise) {
    for (const Stage& st : stages_) phase_count_ += st.phases(stepwise_);
  }
  uint32_t phases() const override { return phase_count_; }
  void transfers(uint32_t pos, uint32_t phase, std::vector<Transfer>& out) const override {
    const Stage& st = stage_of(phase);
    if (st.analytic_s >= 0) return;
    const uint32_t server = pos / m_, local = pos % m_;
    uint32_t next, prev;
    if (st.inter) {
      next = ((server + 1) % s_) * m_ + local;
      prev = ((server + s_ - 1) % s_) * m_ + local;
    } else {
      next = server * m_ + (local + 1) % m_;
      prev = server * m_ + (local + m_ - 1) % m_;
    }
    const double b = stepwise_ ? st.chunk : st.chunk * st.steps;
    out.push_back(Transfer{next, b, true});
    out.push_back(Transfer{prev, b, false});
  }
  double phase_delay_s(uint32_t phase) const override {
    const Stage& st = stage_of(phase);
    return st.analytic_s >= 0 ? st.analytic_s : stepwise_ ? st.delay : 0;
  }

 private:
  const Stage& stage_of(uint32_t phase) const {
    for (const Stage& st : stages_) {
      const uint32_t span = st.phases(stepwise_);
      if (phase < span) return st;
      phase -= span;
    }
    return stages_.back();
  }
  uint32_t m_, s_;
  std::vector<Stage> stages_;
  bool stepwise_;
  uint32_t phase_count_ = 0;
};

class Hierarchical final : public CollectiveAlgorithm {
 public:
  std::string_view name() const override { return "hierarchical"; }
  std::string_view description() const override {
    return "reduce-scatter inside each server, all-reduce across servers per rail, all-gather inside";
  }
  std::string unsupported(const CollectiveRequest& r, const GroupNet& net) const override {
    if (r.kind != CollectiveKind::kAllReduce && r.kind != CollectiveKind::kReduceScatter &&
        r.kind != CollectiveKind::kAllGather) {
      return fmt::format("hierarchical implements all_reduce, reduce_scatter and all_gather, not {}",
                         to_string(r.kind));
    }
    if (net.members_per_server < 1 || r.n % net.members_per_server != 0) {
      return fmt::format("hierarchical needs groups of whole servers: {} members, {} per server", r.n,
                         net.members_per_server);
    }
    return "";
  }

  std::vector<Stage> stages(const CollectiveRequest& r, const GroupNet& net, const detail::StepTerms& st) const {
    const uint32_t m = net.members_per_server, s = r.n / m;
    const double S = r.bytes / st.efficiency;
    const Stage intra{false, m - 1, S / m, st.delay_intra_s};
    std::vector<Stage> out;
    switch (r.kind) {
      case CollectiveKind::kAllReduce:
        out = {intra, Stage{true, 2 * (s - 1), S / m / s, st.delay_inter_s}, intra};
        break;
      case CollectiveKind::kReduceScatter:
        out = {intra, Stage{true, s - 1, S / m / s, st.delay_inter_s}};
        break;
      default:  // all-gather: across servers first, then inside
        out = {Stage{true, s - 1, S / m / s, st.delay_inter_s}, intra};
    }
    return out;
  }

  std::unique_ptr<CollectivePlan> plan(const CollectiveRequest& r, const GroupNet& net,
                                       const Calibration& cal) const override {
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const uint32_t m = net.members_per_server, s = r.n / m;
    const bool stepwise = r.fidelity == Fidelity::kStepwise;
    std::vector<Stage> sts = stages(r, net, st);
    if (r.nvlink_analytic) {
      for (Stage& x : sts) {
        if (!x.inter) x.analytic_s = stage_time(x, net);
      }
    }
    auto p = std::make_unique<HierarchicalPlan>(m, s, sts, stepwise);
    p->tail_s = r.n > 1 ? st.base_s : 0;
    uint64_t flows = 0;
    for (const Stage& x : sts) {
      if (x.steps == 0 || x.analytic_s >= 0) continue;
      flows += stepwise ? x.steps : 1;
      if (!stepwise) p->tail_s += x.steps * x.delay + (x.steps - 1.0) * alpha(net, x.inter);
    }
    p->fidelity = r.fidelity;
    p->protocol = r.protocol;
    p->channels = std::max(1U, r.channels);
    p->flows_per_member = flows * p->channels;
    return p;
  }

  double closed_form(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    if (r.n <= 1) return 0;
    const auto st = detail::step_terms(cal, name(), r.protocol);
    double t = st.base_s;
    for (const Stage& x : stages(r, net, st)) t += stage_time(x, net);
    return t;
  }

 private:
  static double stage_time(const Stage& x, const GroupNet& net) {
    return x.steps * (x.delay + alpha(net, x.inter) + x.chunk / (x.inter ? net.bw_inter_Bps : net.bw_intra_Bps));
  }
  static double alpha(const GroupNet& net, bool inter) { return inter ? net.alpha_inter_s : net.alpha_intra_s; }
};

}  // namespace

const CollectiveAlgorithm& hierarchical_algorithm() {
  static const Hierarchical a;
  return a;
}

}  // namespace gigasim
