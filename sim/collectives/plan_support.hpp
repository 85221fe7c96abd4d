#pragma once
// Helpers the algorithm implementations share: the calibrated per-step terms of a request, the
// flat view of a group's network, and a phase-synchronous evaluator that turns any plan into its
// contention-free time (each phase lasts its delay, one route latency and its busiest link's
// bytes over the bandwidth) for algorithms whose closed form is easier computed than written.

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/collectives/collective_algorithm.hpp"

namespace gigasim::detail {

/// Calibrated terms of one request for one algorithm.
struct StepTerms {
  double base_s = 0;      ///< once per collective
  double delay_intra_s = 0;
  double delay_inter_s = 0;
  double efficiency = 1;  ///< wire bytes = bytes / efficiency
  double delay(bool inter) const { return inter ? delay_inter_s : delay_intra_s; }
};

inline StepTerms step_terms(const Calibration& cal, std::string_view algorithm, Protocol p) {
  const ProtocolCalibration c = cal.get(std::string(algorithm), p);
  return StepTerms{c.base_latency_s, c.step_latency_nvlink_s, c.step_latency_net_s, c.efficiency};
}

/// Worst route latency and bandwidth between any two members (flat algorithms).
inline double flat_alpha(const GroupNet& net) {
  return net.spans_servers ? std::max(net.alpha_inter_s, net.alpha_intra_s) : net.alpha_intra_s;
}
inline double flat_bw(const GroupNet& net) {
  return net.spans_servers ? std::min(net.bw_inter_Bps, net.bw_intra_Bps) : net.bw_intra_Bps;
}

/// Pipeline chunks for `bytes` (at least 1, at most the calibration's limit).
inline uint32_t pipeline_chunks(double bytes, const Calibration& cal) {
  const double c = std::ceil(bytes / cal.chunk_bytes());
  return static_cast<uint32_t>(std::clamp(c, 1.0, static_cast<double>(cal.max_pipeline_chunks())));
}

/// Contention-free time of `plan` if every phase ran in lockstep: sum over phases of
/// (delay + alpha + largest per-member sent or received bytes / bw), plus the tail.
/// O(n x phases x transfers): for small groups (tests, trees up to a few thousand members).
double lockstep_time(const CollectivePlan& plan, uint32_t n, double alpha_s, double bw_Bps);

}  // namespace gigasim::detail
