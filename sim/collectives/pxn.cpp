// PXN (NCCL's PCI x NVLink all-to-all): on a rail-optimized fabric a GPU sends what it has for
// every remote GPU on rail j to its own server's GPU j over NVLink first, which then sends it, in
// one message per remote server, through its NIC on rail j: phase 1 inside servers (each member
// sends s S/n to each local peer), phase 2 across servers on one rail (each member sends m S/n to
// its rail peer of every other server). n - 1 flows become (m - 1) + (s - 1), and cross-rail
// traffic never leaves its rail.
#include <fmt/format.h>

#include "sim/collectives/algorithms.hpp"
#include "sim/collectives/plan_support.hpp"

namespace gigasim {
namespace {

class PxnPlan final : public CollectivePlan {
 public:
  PxnPlan(uint32_t m, uint32_t s, double S_wire, double d_intra, double d_inter)
      : m_(m), s_(s), S_(S_wire), d_intra_(d_intra), d_inter_(d_inter) {}
  uint32_t phases() const override { return 2; }
  void transfers(uint32_t pos, uint32_t phase, std::vector<Transfer>& out) const override {
    const uint32_t n = m_ * s_, server = pos / m_, local = pos % m_;
    if (phase == 0) {
      for (uint32_t j = 1; j < m_; ++j) {
        out.push_back(Transfer{server * m_ + (local + j) % m_, s_ * S_ / n, true});
        out.push_back(Transfer{server * m_ + (local + m_ - j) % m_, s_ * S_ / n, false});
      }
    } else {
      for (uint32_t b = 1; b < s_; ++b) {
        out.push_back(Transfer{((server + b) % s_) * m_ + local, m_ * S_ / n, true});
        out.push_back(Transfer{((server + s_ - b) % s_) * m_ + local, m_ * S_ / n, false});
      }
    }
  }
  double phase_delay_s(uint32_t phase) const override { return phase == 0 ? d_intra_ : d_inter_; }

 private:
  uint32_t m_, s_;
  double S_, d_intra_, d_inter_;
};

class Pxn final : public CollectiveAlgorithm {
 public:
  std::string_view name() const override { return "pxn"; }
  std::string unsupported(const CollectiveRequest& r, const GroupNet& net) const override {
    if (r.kind != CollectiveKind::kAllToAll) return fmt::format("pxn implements alltoall, not {}", to_string(r.kind));
    if (!net.spans_servers || net.members_per_server < 2 || r.n % net.members_per_server != 0) {
      return "pxn needs a group of whole servers, several GPUs each, across servers";
    }
    return "";
  }
  std::unique_ptr<CollectivePlan> plan(const CollectiveRequest& r, const GroupNet& net,
                                       const Calibration& cal) const override {
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const uint32_t m = net.members_per_server, s = r.n / m;
    auto p = std::make_unique<PxnPlan>(m, s, r.bytes / st.efficiency, st.delay_intra_s, st.delay_inter_s);
    p->tail_s = st.base_s;
    p->fidelity = r.fidelity;
    p->protocol = r.protocol;
    p->channels = r.channels;
    p->flows_per_member = uint64_t{m - 1 + s - 1} * r.channels;
    return p;
  }
  double closed_form(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const uint32_t m = net.members_per_server, s = r.n / m;
    const double S = r.bytes / st.efficiency, n = r.n;
    return st.base_s + st.delay_intra_s + net.alpha_intra_s + (m - 1.0) * s * S / n / net.bw_intra_Bps +
           st.delay_inter_s + net.alpha_inter_s + (s - 1.0) * m * S / n / net.bw_inter_Bps;
  }
};

}  // namespace

const CollectiveAlgorithm& pxn_algorithm() {
  static const Pxn a;
  return a;
}

}  // namespace gigasim
