#pragma once
// Workload: what every rank does in a run, as a few program templates shared by many ranks (so
// 100k ranks cost a few copies). A rank runs the program picked by its position in one group
// family (the pipeline stage, for an LLM), or program 0.
//
// Ops run on streams, like CUDA streams:
//   compute     ops one after another, each taking `seconds`;
//   collective  collectives one after another (one in flight), over a group family;
//   p2p         sends and receives to a peer of a group family, posted in order as soon as their
//               dependencies allow, many in flight (the pipeline's activations and gradients).
// An op starts when its stream reaches it and its dependencies hold: each Dep asks that the
// first `count` ops of another stream (program-wide, all steps) be complete. That is how a
// gradient bucket waits for the backward pass that produced it, and how a forward pass waits
// for the activations it consumes or for a blocking tensor-parallel all-gather.
// Built by a WorkloadSource (workloads/) and replayed by sim/replay.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/comm_group.hpp"
#include "sim/core/flow_plan.hpp"

namespace gigasim {

enum class OpKind : uint8_t { kCompute = 0, kCollective = 1, kSend = 2, kRecv = 3 };
enum class StreamKind : uint8_t { kCompute = 0, kCollective = 1, kP2P = 2 };

struct Stream {
  std::string name;  ///< "compute", "comm", "tp", "dp", "pp_recv_fwd"...
  StreamKind kind = StreamKind::kCompute;
};

/// The first `count` ops of `stream` are complete.
struct Dep {
  uint16_t stream = 0;
  uint32_t count = 0;
};

struct Op {
  OpKind kind = OpKind::kCompute;
  uint16_t stream = 0;             ///< index into Workload::streams (of a matching kind)
  uint32_t step = 0;
  std::string label;               ///< "forward", "backward[2]", "allreduce bucket 2"
  std::vector<Dep> deps;
  // Compute
  double seconds = 0;
  // Collective, send and receive
  uint32_t family = 0;             ///< index into Workload::families
  double bytes = 0;                ///< collective: nccl-tests buffer size S; p2p: the message
  // Collective
  CollectiveKind collective = CollectiveKind::kAllReduce;
  uint32_t root = 0;               ///< broadcast and reduce: group position of the root
  uint32_t repeat = 1;             ///< back-to-back identical collectives (one per layer...)
  /// A collective algorithm's registry name (sim/collectives/builtin.cpp, checked where the op
  /// is read), or "auto": NCCL-like selection.
  std::string algorithm = "auto";
  std::optional<Protocol> protocol;  ///< none: auto, chosen with the algorithm
  std::optional<Fidelity> fidelity;  ///< none: auto (stepwise while the run is small, collapsed beyond)
  uint32_t channels = 0;           ///< NCCL channels; 0: auto (NCCL's default for the server)
  bool nvlink_analytic = false;    ///< stages inside one server: closed form, no flows
  // Send and receive
  int32_t peer = 0;                ///< peer = family.peer(rank, peer): +1 next stage, -1 previous
  uint32_t tag = 0;                ///< message class: sender and receiver must agree
  std::string where;               ///< "file:line:col" of the op's spec, for late errors
};

struct Program {
  std::string name;                ///< "stage 3"
  std::vector<Op> ops;             ///< program order; op.step is non-decreasing per stream
};

struct Workload {
  std::string kind;                ///< registry name of the source
  uint32_t ranks = 0;              ///< ranks 0..ranks-1 run on GPUs 0..ranks-1
  uint32_t steps = 1;
  std::vector<GroupFamily> families;
  std::vector<Stream> streams;
  std::vector<Program> programs;
  int32_t program_family = -1;     ///< rank r runs programs[families[pf].position(r)]; -1: program 0
  /// Rank folding: the ranks at position 0 of this family's groups stand for their whole group
  /// (symmetric ranks: one actor instead of size); -1 none. `fold_forced`: even on fabrics where
  /// the folded ranks' traffic would share links (see sim/plan/rank_program.hpp).
  int32_t fold_family = -1;
  bool fold_forced = false;
  /// FLOPs of one step, whole job: the model's (6N per token plus attention, for MFU), and those
  /// of the convention `flops_convention` names (for TFLOP/s per GPU). 0 when not known.
  double model_flops_per_step = 0;
  double flops_per_step = 0;
  std::string flops_convention;
  double peak_flops_per_gpu = 0;   ///< the denominator of MFU

  uint32_t program_of(uint32_t rank) const {
    return program_family < 0 ? 0 : families[static_cast<size_t>(program_family)].position(rank);
  }
  /// The classic two streams: 0 "compute" and 1 "comm" (a collective stream), one program.
  static Workload two_stream(std::string kind);
  /// Program 0's ops (the whole workload for single-program sources).
  std::vector<Op>& ops() { return programs.at(0).ops; }
  const std::vector<Op>& ops() const { return programs.at(0).ops; }
};

inline Workload Workload::two_stream(std::string kind) {
  Workload w;
  w.kind = std::move(kind);
  w.streams = {Stream{"compute", StreamKind::kCompute}, Stream{"comm", StreamKind::kCollective}};
  w.programs.resize(1);
  return w;
}

}  // namespace gigasim
