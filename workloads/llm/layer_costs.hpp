#pragma once
// LayerCosts: what one micro-batch costs one rank in each part of an LLM — a transformer layer
// (QKV, attention core, output projection, MLP or routed experts, the memory-bound kernels
// between them), the embedding, the output layer with its loss, and the optimizer — in time
// (from the ComputeModel) and in FLOPs, forward and backward, with activation recomputation
// (selective: the attention core again; full: the whole forward again) folded into the
// backward. Shapes follow Megatron-LM: TP splits heads and the MLP width, CP splits the
// sequence (keys and values are gathered whole), SP splits the norms' and dropouts' tokens.

#include <cstdint>
#include <string>

#include "workloads/llm/compute_model.hpp"
#include "workloads/llm/model_spec.hpp"
#include "workloads/llm/parallel_layout.hpp"

namespace gigasim {

enum class Recompute : uint8_t { kNone = 0, kSelective = 1, kFull = 2 };
bool parse_recompute(const std::string& s, Recompute& out);

struct CostOptions {
  uint64_t micro_batch = 1;  ///< sequences per micro-batch
  Recompute recompute = Recompute::kNone;
  bool flash_attention = true;  ///< false: Megatron's standard attention (GEMMs + fused softmax)
  bool causal = true;           ///< flash attention skips the masked half
  bool fp8 = false;             ///< GEMMs in FP8 (attention and the rest in BF16)
};

/// Time and FLOPs of one part for one micro-batch on one rank.
struct PassCost {
  double fwd_s = 0, bwd_s = 0;          ///< bwd includes the recomputation
  double fwd_flops = 0, bwd_flops = 0;  ///< executed (hardware) FLOPs
  PassCost& operator+=(const PassCost& o);
};

class LayerCosts {
 public:
  LayerCosts(const ModelSpec& model, const ParallelConfig& par, const CostOptions& opt, const ComputeModel& cm);

  /// Tokens of one micro-batch one rank holds (the sequence split by CP).
  double tokens() const { return tokens_; }
  PassCost layer(uint32_t index) const;
  PassCost embedding() const;
  /// Output layer (logits) and cross-entropy loss.
  PassCost head() const;
  /// Optimizer step over `params` parameters (the ones this rank updates).
  double optimizer_s(double params) const;

 private:
  PassCost attention() const;
  PassCost mlp(uint64_t ffn, double token_factor) const;
  double elementwise_bytes(uint64_t ffn) const;

  const ModelSpec& m_;
  ParallelConfig par_;
  CostOptions opt_;
  const ComputeModel& cm_;
  double tokens_ = 0;
};

}  // namespace gigasim
