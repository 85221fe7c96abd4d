#include "sim/collectives/ring.hpp"

namespace gigasim {

uint32_t RingAlgorithm::steps(CollectiveKind kind, uint32_t n) {
  if (n <= 1) return 0;
  return kind == CollectiveKind::kAllReduce ? 2 * (n - 1) : n - 1;
}

FlowPlan RingAlgorithm::plan(CollectiveKind kind, uint32_t n, double bytes, Fidelity fidelity) const {
  FlowPlan p;
  p.fidelity = fidelity;
  const uint32_t k = steps(kind, n);
  if (k == 0) return p;
  const double chunk = bytes / n;
  if (fidelity == Fidelity::kStepwise) {
    p.phases.push_back(Phase{1, -1, chunk, k});
  } else {
    p.phases.push_back(Phase{1, -1, chunk * k, 1});
    p.extra_latency_steps = k - 1;
  }
  return p;
}

double RingAlgorithm::closed_form(CollectiveKind kind, uint32_t n, double bytes, double alpha_s,
                                  double bw_Bps) const {
  const uint32_t k = steps(kind, n);
  return k * (alpha_s + bytes / n / bw_Bps);
}

}  // namespace gigasim
