#pragma once
// CollectiveAlgorithm: the seam for collective algorithms (ring, tree, ...). An algorithm turns
// one collective over a group of n members into a FlowPlan at a given fidelity, and states its
// α-β closed form, which tests hold the simulation to on a non-blocking fabric. Pure: no SimGrid.
// Algorithms are listed explicitly in sim/collectives/builtin.cpp.

#include <string_view>
#include <vector>

#include "sim/core/comm_group.hpp"
#include "sim/core/flow_plan.hpp"
#include "sim/core/workload.hpp"

namespace gigasim {

class CollectiveAlgorithm {
 public:
  virtual ~CollectiveAlgorithm() = default;
  virtual std::string_view name() const = 0;
  virtual bool supports(CollectiveKind kind) const = 0;
  /// Requires: supports(kind), n >= 1, bytes >= 0.
  virtual FlowPlan plan(CollectiveKind kind, uint32_t n, double bytes, Fidelity fidelity) const = 0;
  /// Time of the collective when every step costs alpha_s + chunk / bw_Bps (no contention).
  virtual double closed_form(CollectiveKind kind, uint32_t n, double bytes, double alpha_s,
                             double bw_Bps) const = 0;
};

const std::vector<const CollectiveAlgorithm*>& collective_algorithms();
/// nullptr if unknown.
const CollectiveAlgorithm* find_collective_algorithm(std::string_view name);

/// The flow plan of a collective op over its group family: the op's algorithm at its fidelity,
/// spread over its channels. Requires: the algorithm exists and supports the op.
FlowPlan plan_collective(const Op& op, const GroupFamily& family);
/// Same, at another fidelity (for estimates).
FlowPlan plan_collective(const Op& op, const GroupFamily& family, Fidelity fidelity);

/// The nccl-tests bus-bandwidth factor: busbw = algbw * factor (2(n-1)/n for all-reduce).
double busbw_factor(CollectiveKind kind, uint32_t n);

}  // namespace gigasim
