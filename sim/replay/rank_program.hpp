#pragma once
// RankProgram: the compiled form of a Workload that every rank actor reads — ops split into the
// compute and communication streams, each collective resolved to an algorithm, protocol and
// fidelity (NCCL-like selection where the workload says `auto`) with its CollectivePlan, and
// each group family's view of the network (GroupNet). Built once, shared by all ranks; each
// actor keeps only a few counters of its own.

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/collectives/calibration.hpp"
#include "sim/collectives/collective_algorithm.hpp"
#include "sim/core/flow_plan.hpp"
#include "sim/core/topology.hpp"
#include "sim/core/workload.hpp"

namespace gigasim {

struct CompiledCollective {
  uint32_t op = 0;  ///< index into Workload::ops
  const CollectiveAlgorithm* algorithm = nullptr;
  Protocol protocol = Protocol::kSimple;
  Fidelity fidelity = Fidelity::kCollapsed;
  double estimate_s = 0;  ///< closed-form time (no contention)
  std::unique_ptr<CollectivePlan> plan;
};

struct RankProgram {
  const Workload* work = nullptr;
  std::vector<uint32_t> compute_ops;      ///< indices into work->ops
  std::vector<CompiledCollective> comm;   ///< the collective ops, in program order
  std::vector<GroupNet> nets;             ///< per family
  std::vector<uint32_t> step_op_count;    ///< ops per step
  uint64_t flows = 0;                     ///< flows the run will start (all ranks)

  /// Throws: ConfigError (at the op's location) when a requested algorithm cannot serve it.
  static RankProgram compile(const Workload& work, const Topology& topo, const Calibration& cal);
};

/// How the network looks to `family` on `topo`: O(span) routes.
GroupNet group_net(const GroupFamily& family, const Topology& topo);

/// Largest stepwise expansion `fidelity: auto` accepts for a whole workload (about 5 s of wall
/// time); beyond it auto collectives run collapsed.
constexpr uint64_t kAutoStepwiseFlowLimit = 1U << 20;

}  // namespace gigasim
