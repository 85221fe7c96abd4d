#pragma once
// RankProgram: the compiled form of a Workload that every rank actor reads — ops split into the
// compute and communication streams, one FlowPlan per collective op and the per-step latency α
// of each group family (the largest route latency between ring neighbours). Built once, shared
// by all ranks; each actor keeps only a few counters of its own.

#include <cstdint>
#include <vector>

#include "sim/core/flow_plan.hpp"
#include "sim/core/topology.hpp"
#include "sim/core/workload.hpp"

namespace gigasim {

struct RankProgram {
  const Workload* work = nullptr;
  std::vector<uint32_t> compute_ops;   ///< indices into work->ops
  std::vector<uint32_t> comm_ops;
  std::vector<FlowPlan> plans;         ///< per comm op (same order as comm_ops)
  std::vector<double> family_alpha_s;  ///< per family
  std::vector<uint32_t> step_op_count; ///< ops per step

  static RankProgram compile(const Workload& work, const Topology& topo);
};

}  // namespace gigasim
