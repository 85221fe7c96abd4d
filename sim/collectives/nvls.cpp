// NVLS: collectives inside one NVLink domain with in-switch reduction and multicast (NVSwitch,
// H100 and later; NCCL 2.17+ for all-reduce, 2.19+ for reduce-scatter and all-gather).
//  - reduce-scatter: every GPU reads its 1/n of the buffer reduced by the switch
//    (multimem.ld_reduce), which pulls that share from all n GPUs: S up each GPU's NVLink, S/n down;
//  - all-gather: every GPU writes its 1/n once (multimem.st) and the switch multicasts it to all:
//    S/n up, S down;
//  - all-reduce: both, S(1 + 1/n) up and down, about half of what a ring moves.
// One step whose busiest NVLink direction carries S (reduce-scatter, all-gather) or S(1 + 1/n)
// (all-reduce). Modelled as one flow per GPU of that many bytes to its neighbour, which loads
// every NVLink up and down once with the bottleneck's bytes (the lighter direction of RS and AG
// is then overstated, which matters only if something else shares those NVLinks).
// Time: delta + alpha + bytes / (e B).
#include <fmt/format.h>

#include "sim/collectives/algorithms.hpp"
#include "sim/collectives/plan_support.hpp"

namespace gigasim {
namespace {

class NvlsPlan final : public CollectivePlan {
 public:
  NvlsPlan(uint32_t n, double bytes_wire, double delay) : n_(n), b_(bytes_wire), delay_(delay) {}
  uint32_t phases() const override { return n_ <= 1 ? 0 : 1; }
  void transfers(uint32_t pos, uint32_t, std::vector<Transfer>& out) const override {
    out.push_back(Transfer{(pos + 1) % n_, b_, true});
    out.push_back(Transfer{(pos + n_ - 1) % n_, b_, false});
  }
  double phase_delay_s(uint32_t) const override { return delay_; }

 private:
  uint32_t n_;
  double b_, delay_;
};

// Payload on the busiest direction of each GPU's NVLink.
double nvlink_bytes(const CollectiveRequest& r) {
  return r.kind == CollectiveKind::kAllReduce ? r.bytes * (r.n + 1.0) / r.n : r.bytes;
}

class Nvls final : public CollectiveAlgorithm {
 public:
  std::string_view name() const override { return "nvls"; }
  std::string_view description() const override {
    return "NVLink SHARP inside one server: the NVSwitch reduces and multicasts (nvls: true)";
  }
  std::string unsupported(const CollectiveRequest& r, const GroupNet& net) const override {
    if (r.kind != CollectiveKind::kAllReduce && r.kind != CollectiveKind::kReduceScatter &&
        r.kind != CollectiveKind::kAllGather) {
      return fmt::format("nvls implements all_reduce, reduce_scatter and all_gather, not {}", to_string(r.kind));
    }
    if (!net.nvls) return "nvls needs NVSwitches with in-network reduction (topology key nvls: true)";
    if (net.spans_servers) return "nvls reduces inside one NVLink domain; this group spans servers (use hierarchical)";
    return "";
  }
  std::unique_ptr<CollectivePlan> plan(const CollectiveRequest& r, const GroupNet&,
                                       const Calibration& cal) const override {
    const auto st = detail::step_terms(cal, name(), r.protocol);
    auto p = std::make_unique<NvlsPlan>(r.n, nvlink_bytes(r) / st.efficiency, st.delay_intra_s);
    p->tail_s = r.n > 1 ? st.base_s : 0;
    p->fidelity = r.fidelity;
    p->protocol = r.protocol;
    p->channels = std::max(1U, r.channels);
    p->flows_per_member = p->channels;
    return p;
  }
  double closed_form(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    if (r.n <= 1) return 0;
    const auto st = detail::step_terms(cal, name(), r.protocol);
    return st.base_s + st.delay_intra_s + net.alpha_intra_s + nvlink_bytes(r) / st.efficiency / net.bw_intra_Bps;
  }
};

}  // namespace

const CollectiveAlgorithm& nvls_algorithm() {
  static const Nvls a;
  return a;
}

}  // namespace gigasim
