// PXN (NCCL's PCI x NVLink all-to-all): on a rail-optimized fabric a GPU sends what it has for
// every remote GPU on rail j to its own server's GPU j over NVLink first, which then sends it, in
// one message per remote server, through its NIC on rail j: phase 1 inside servers (each member
// sends s S/n to each local peer), phase 2 across servers on one rail (each member sends m S/n to
// its rail peer of every other server). n - 1 flows become (m - 1) + (s - 1), and cross-rail
// traffic never leaves its rail. NCCL pipelines the two in chunks (a GPU forwards a chunk while
// the next one arrives over NVLink), so they run as one phase, NVLink and NIC at once, each at
// its own efficiency, plus the fill of one chunk over NVLink.
#include <fmt/format.h>

#include "sim/collectives/algorithms.hpp"
#include "sim/collectives/plan_support.hpp"

namespace gigasim {
namespace {

class PxnPlan final : public CollectivePlan {
 public:
  /// `S_nvlink` and `S_net`: the buffer in wire bytes at each medium's efficiency.
  PxnPlan(uint32_t m, uint32_t s, double S_nvlink, double S_net, double delay)
      : m_(m), s_(s), S_nvlink_(S_nvlink), S_net_(S_net), delay_(delay) {}
  uint32_t phases() const override { return 1; }
  void transfers(uint32_t pos, uint32_t, std::vector<Transfer>& out) const override {
    const uint32_t n = m_ * s_, server = pos / m_, local = pos % m_;
    for (uint32_t j = 1; j < m_; ++j) {
      out.push_back(Transfer{server * m_ + (local + j) % m_, s_ * S_nvlink_ / n, true});
      out.push_back(Transfer{server * m_ + (local + m_ - j) % m_, s_ * S_nvlink_ / n, false});
    }
    for (uint32_t b = 1; b < s_; ++b) {
      out.push_back(Transfer{((server + b) % s_) * m_ + local, m_ * S_net_ / n, true});
      out.push_back(Transfer{((server + s_ - b) % s_) * m_ + local, m_ * S_net_ / n, false});
    }
  }
  double phase_delay_s(uint32_t) const override { return delay_; }

 private:
  uint32_t m_, s_;
  double S_nvlink_, S_net_, delay_;
};

class Pxn final : public CollectiveAlgorithm {
 public:
  std::string_view name() const override { return "pxn"; }
  std::string_view description() const override {
    return "alltoall over whole servers: NVLink to the GPU on the destination's rail, then one message per server";
  }
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
    auto p = std::make_unique<PxnPlan>(m, s, r.bytes / st.efficiency, r.bytes / st.efficiency_net,
                                       st.delay_intra_s + st.delay_inter_s);
    p->tail_s = st.base_s + fill(r, net, cal, st);
    p->fidelity = r.fidelity;
    p->protocol = r.protocol;
    p->channels = std::max(1U, r.channels);
    p->flows_per_member = uint64_t{m - 1 + s - 1} * p->channels;
    return p;
  }
  double closed_form(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    const auto st = detail::step_terms(cal, name(), r.protocol);
    const uint32_t m = net.members_per_server, s = r.n / m;
    const double n = r.n;
    const double nvlink = net.alpha_intra_s + (m - 1.0) * s * r.bytes / st.efficiency / n / net.bw_intra_Bps;
    const double nic = net.alpha_inter_s + (s - 1.0) * m * r.bytes / st.efficiency_net / n / net.bw_inter_Bps;
    return st.base_s + fill(r, net, cal, st) + st.delay_intra_s + st.delay_inter_s + std::max(nvlink, nic);
  }

 private:
  // One chunk over NVLink before the NIC has anything to forward.
  static double fill(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal,
                     const detail::StepTerms& st) {
    const double per_peer = r.bytes / r.n * (r.n / net.members_per_server);
    return std::min(cal.chunk_bytes(), per_peer) / st.efficiency / net.bw_intra_Bps;
  }
};

}  // namespace

const CollectiveAlgorithm& pxn_algorithm() {
  static const Pxn a;
  return a;
}

}  // namespace gigasim
