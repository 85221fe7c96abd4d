#pragma once
// Ring: members pass chunks of S/n bytes to their successor. All-reduce takes 2(n-1) steps
// (reduce-scatter then all-gather), reduce-scatter and all-gather n-1 each; every step costs
// α + (S/n)/B, so T = steps · (α + S/(n·B)) — NCCL's ring, bandwidth-optimal for large S.

#include "sim/collectives/collective_algorithm.hpp"

namespace gigasim {

class RingAlgorithm final : public CollectiveAlgorithm {
 public:
  std::string_view name() const override { return "ring"; }
  bool supports(CollectiveKind) const override { return true; }
  FlowPlan plan(CollectiveKind kind, uint32_t n, double bytes, Fidelity fidelity) const override;
  double closed_form(CollectiveKind kind, uint32_t n, double bytes, double alpha_s,
                     double bw_Bps) const override;
  static uint32_t steps(CollectiveKind kind, uint32_t n);
};

}  // namespace gigasim
