#pragma once
// StageProgram: the program every rank of one pipeline stage runs, written op by op for each
// training step in named steps — the parameter gathers a step starts with (ZeRO-1/2 with
// overlap), each forward and backward pass of the pipeline schedule with its blocking
// tensor/context/expert-parallel collectives and its point-to-point activations and gradients,
// the gradient reductions (per bucket, overlapped with the backward pass, or after it), the
// optimizer, and the parameter gathers that end a step without overlap. FSDP gathers each
// unit's parameters before its forward and backward. Ops are counted per stream so that
// dependencies can name "everything issued so far" on a stream.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/workload.hpp"
#include "workloads/llm/layer_costs.hpp"
#include "workloads/llm/training_config.hpp"

namespace gigasim::llm {

/// What every stage shares: sizes of the transfers and of the gradient buckets.
struct StageSizes {
  uint32_t chunks = 1;        ///< model chunks per stage (virtual stages)
  uint32_t microbatches = 1;  ///< per pipeline and step
  uint32_t nchunks = 1;       ///< model chunks in all (stages x chunks)
  double act_bytes = 0;       ///< one micro-batch's activations on a rank
  double p2p_bytes = 0;       ///< what one TP rank sends a pipeline neighbour (its share)
  double kv_bytes = 0;        ///< context parallelism: keys and values gathered per layer
  double a2a_bytes = 0;       ///< expert parallelism: dispatch (or combine) per MoE layer
  uint32_t ep_size = 1, edp_size = 1;
  double bucket_params = 0;   ///< parameters per gradient bucket
};
StageSizes stage_sizes(const TrainingConfig& c, const LayerCosts& costs);

// One model chunk of one stage: its layers and what they cost per micro-batch.
struct Chunk {
  uint32_t first = 0, count = 0;
  bool embedding = false, head = false;
  PassCost cost;                    // all layers (+ embedding, head)
  std::vector<PassCost> units;      // per layer (+ embedding on the first, head on the last)
  double dense_params = 0, expert_params = 0;  // this rank's share
  uint32_t moe_layers = 0;
};
/// Global model chunk `g` of `nchunks`.
Chunk make_chunk(const TrainingConfig& c, const LayerCosts& costs, uint32_t g, uint32_t nchunks);

// Emits ops into one stage's program, counting ops per stream for dependencies.
class OpWriter {
 public:
  OpWriter(const TrainingConfig& c, Program& prog) : c_(c), prog_(prog) {}
  uint32_t count(Str s) const { return n_[s]; }
  Dep after(Str s) const { return Dep{s, n_[s]}; }
  uint32_t compute(uint32_t step, std::string label, double seconds, std::vector<Dep> deps);
  /// A collective of family `f` with that family's options (nothing for groups of one).
  void collective(Str s, Fam f, uint32_t group_size, CollectiveKind kind, double bytes, uint32_t repeat, uint32_t step,
                  std::string label, std::vector<Dep> deps);
  void p2p(Str s, bool send, int32_t peer, uint32_t tag, double bytes, uint32_t step, std::string label,
           std::vector<Dep> deps);

 private:
  uint32_t push(Op op);
  const TrainingConfig& c_;
  Program& prog_;
  uint32_t n_[kStreams] = {};
};

class StageProgram {
 public:
  StageProgram(const TrainingConfig& c, const LayerCosts& costs, const StageSizes& z, uint32_t stage, Program& prog);
  /// Adds this stage's hardware FLOPs of one step, over all its ranks, to `total` (chunk by chunk).
  void add_hardware_flops(double& total) const;
  /// Writes every training step.
  void write();

 private:
  void step(uint32_t st);
  // ZeRO-1/2 with overlap: the step's parameter gathers go first, bucket by bucket.
  void gather_params_first(uint32_t st);
  void forward(const PipeOp& po, uint32_t st);
  void backward(const PipeOp& po, uint32_t st);
  // Without overlap: every bucket's gradient reduction after the last backward pass.
  void reduce_grads_after(uint32_t st);
  // The optimizer updates the rank's parameters (its shard with ZeRO/FSDP) once every gradient
  // is reduced; without overlap ZeRO-1/2 gathers the parameters after it.
  void optimizer(uint32_t st);

  // Blocking collectives of a pass over `layers` layers (of which `moe` MoE layers).
  void layer_comm(bool forward, uint32_t layers, uint32_t moe, uint32_t step, const std::string& what);
  // Gradient reduction of `params` (dense) and `expert` parameters: over dp (and cp), expert
  // parameters over the expert-data-parallel group. DDP all-reduces; ZeRO/FSDP reduce-scatter.
  void grad_reduce(double params, double expert, uint32_t step, const std::string& what);
  void param_gather(double params, double expert, uint32_t step, const std::string& what, std::vector<Dep> deps);
  // An FSDP unit's gather waits for the compute before the one it precedes (prefetch) or for it.
  Dep fsdp_gather_dep() const;
  uint32_t buckets_of(const Chunk& ch) const;

  const TrainingConfig& c_;
  const ParallelConfig& p_;
  const LayerCosts& costs_;
  const StageSizes& z_;
  uint32_t stage_;
  OpWriter b_;
  std::vector<Chunk> chunks_;
  std::vector<PipeOp> order_;
  bool zero12_, fsdp_;
  std::vector<Dep> pending_;  // deps the next compute op takes on (parameters gathered at a step's end)
  std::vector<std::vector<uint32_t>> gathered_;  // per chunk, param-stream count after bucket k
  std::vector<bool> seen_fwd_;
};

}  // namespace gigasim::llm
