#pragma once
// RankProgram: the compiled form of a Workload that every rank actor reads — each program's ops
// split by stream, each collective resolved to an algorithm, protocol and fidelity (NCCL-like
// selection where the workload says `auto`) with its CollectivePlan, and each group family's
// view of the network (GroupNet). Built once, shared by all ranks; each actor keeps only a few
// counters of its own.

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
  uint32_t op = 0;  ///< index into the program's ops
  const CollectiveAlgorithm* algorithm = nullptr;
  Protocol protocol = Protocol::kSimple;
  Fidelity fidelity = Fidelity::kCollapsed;
  double estimate_s = 0;  ///< closed-form time of one repetition (no contention)
  uint32_t record = 0;    ///< index into ReplayResult::collectives
  std::unique_ptr<CollectivePlan> plan;
};

struct CompiledStream {
  StreamKind kind = StreamKind::kCompute;
  std::vector<uint32_t> ops;               ///< indices into the program's ops, in order
  std::vector<CompiledCollective> coll;    ///< collective streams: one per op, same order
};

struct CompiledProgram {
  const Program* src = nullptr;
  std::vector<CompiledStream> streams;     ///< one per Workload::streams
  std::vector<uint32_t> step_op_count;     ///< ops per step
  uint32_t ranks = 0;                      ///< ranks that run it
};

struct RankProgram {
  const Workload* work = nullptr;
  /// Rank folding (Workload::fold_family): each group of the fold family is simulated by its
  /// member at position 0, standing for `fold` symmetric ranks. Allowed when every collective
  /// over the fold family is analytic (no flows between the folded ranks), every other group
  /// and every point-to-point peer keeps the fold position, and there are no failure events.
  /// A simulated flow is routed over its own path plus the other positions' shared links
  /// (FabricZone::Folding), so shared links carry every copy. Exact (`fold_exact`) when no link
  /// is shared or routing is deterministic; under hashed routing only when forced.
  uint32_t fold = 1;
  int32_t fold_family = -1;
  bool fold_exact = true;
  std::string fold_note;  ///< why folding is off, when the workload asked for it
  std::vector<uint8_t> link_share;  ///< under folding, link_shares() of the fold family
  bool simulated(uint32_t rank) const;
  uint32_t simulated_ranks = 0;
  std::vector<CompiledProgram> programs;
  std::vector<GroupNet> nets;              ///< per family
  std::vector<uint64_t> step_total_ops;    ///< op completions per step, all ranks
  uint32_t records = 0;                    ///< collective records (all programs)
  uint64_t flows = 0;                      ///< flows the run will start (all ranks)

  /// Throws: ConfigError (at the op's location) when an op does not fit its stream, its family
  /// or its dependencies, or a requested algorithm cannot serve it.
  static RankProgram compile(const Workload& work, const Topology& topo, const Calibration& cal,
                             bool allow_fold = true);
};

/// How the network looks to `family` on `topo`: O(span) routes.
GroupNet group_net(const GroupFamily& family, const Topology& topo);
/// Per cable: how many fold positions' traffic can cross it (1 for a GPU's own NIC and NVLink;
/// for a switch-to-switch cable, the positions of the GPUs below its lower end).
std::vector<uint8_t> link_shares(const Topology& topo, const GroupFamily& fold);

/// Largest stepwise expansion `fidelity: auto` accepts for a whole workload (about 5 s of wall
/// time); beyond it auto collectives run collapsed.
constexpr uint64_t kAutoStepwiseFlowLimit = 1U << 20;

}  // namespace gigasim
