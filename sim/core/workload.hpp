#pragma once
// Workload: what every rank does in a run, as one program template shared by all ranks (so 100k
// ranks cost one copy). Ops run on two streams per rank, like CUDA streams: compute ops in order
// on the compute stream, collectives in order on the communication stream. A collective waits
// until `after_compute` compute ops are done (the gradient bucket it reduces is ready); a compute
// op waits until `after_comm` collectives are done (the optimizer needs the reduced gradients).
// Built by a WorkloadSource (workloads/) and replayed by sim/replay.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/comm_group.hpp"
#include "sim/core/flow_plan.hpp"


namespace gigasim {

enum class OpKind : uint8_t { kCompute = 0, kCollective = 1 };

struct Op {
  OpKind kind = OpKind::kCompute;
  uint32_t step = 0;
  std::string label;               ///< "forward", "backward[2]", "allreduce bucket 2"
  // Compute
  double seconds = 0;
  uint32_t after_comm = 0;         ///< collectives (program-wide count) that must finish first
  // Collective
  CollectiveKind collective = CollectiveKind::kAllReduce;
  uint32_t family = 0;             ///< index into Workload::families
  double bytes = 0;                ///< nccl-tests convention: the buffer size S
  uint32_t root = 0;               ///< broadcast and reduce: group position of the root
  std::string algorithm = "auto";  ///< a name, or "auto": NCCL-like selection (sim/collectives)
  std::string protocol = "auto";   ///< simple, ll128, ll or auto
  std::string fidelity = "auto";   ///< stepwise, collapsed or auto
  uint32_t channels = 1;           ///< parallel flows per peer pair
  uint32_t after_compute = 0;      ///< compute ops (program-wide count) that must finish first
  std::string where;               ///< "file:line:col" of the op's spec, for late errors
};

struct Workload {
  std::string kind;                 ///< registry name of the source
  uint32_t ranks = 0;               ///< ranks 0..ranks-1 run on GPUs 0..ranks-1
  uint32_t steps = 1;
  std::vector<GroupFamily> families;
  std::vector<Op> ops;              ///< program order; op.step is non-decreasing
};

}  // namespace gigasim
