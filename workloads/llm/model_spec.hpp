#pragma once
// ModelSpec: the shape of a decoder-only transformer — layers, hidden size, attention heads
// (with grouped-query KV heads), MLP width (plain 4h GeLU or gated SwiGLU), vocabulary, sequence
// length and, for mixture-of-experts models, the experts. Everything the compute model and the
// communication volumes of an LLM training step derive from. Given as a preset name
// (workloads/presets/models/*.yaml, compiled in), a file, or an inline mapping.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/yaml.hpp"

namespace gigasim {

struct MoeSpec {
  uint32_t experts = 0;          ///< routed experts per MoE layer (0: dense model)
  uint32_t top_k = 1;            ///< experts each token is routed to
  uint64_t expert_ffn_hidden = 0;
  uint32_t shared_experts = 0;   ///< always-active experts of the same width
  uint32_t dense_layers = 0;     ///< the first layers keep a dense MLP
  double capacity_factor = 1.0;  ///< tokens an expert takes relative to a perfectly even split
};

struct ModelSpec {
  std::string name;
  uint32_t layers = 0;
  uint64_t hidden = 0;
  uint32_t heads = 0;
  uint32_t kv_heads = 0;         ///< = heads without grouped-query attention
  uint64_t ffn_hidden = 0;       ///< dense MLP width
  bool gated_mlp = false;        ///< SwiGLU: three h x ffn matrices instead of two
  uint64_t vocab = 0;
  uint64_t seq_len = 0;
  MoeSpec moe;

  bool is_moe() const { return moe.experts > 0; }
  bool is_moe_layer(uint32_t layer) const { return is_moe() && layer >= moe.dense_layers; }
  uint64_t head_dim() const { return hidden / heads; }
  uint64_t kv_dim() const { return kv_heads * head_dim(); }
  /// Parameters of one layer's attention block (QKV and output projections).
  double attention_params() const;
  /// Parameters of one dense MLP of width `ffn`.
  double mlp_params(uint64_t ffn) const;
  /// Parameters of layer `layer` (attention + MLP or experts + norms): dense and expert parts.
  double layer_dense_params(uint32_t layer) const;
  double layer_expert_params(uint32_t layer) const;
  /// Input embedding (and, untied, the output layer): vocab x hidden each.
  double embedding_params() const { return static_cast<double>(vocab) * static_cast<double>(hidden); }
  /// All parameters (embedding and output layer untied).
  double total_params() const;
  /// Parameters one token goes through (MoE: top_k routed + shared experts), embedding excluded.
  double active_params() const;
};

/// `spec` is a preset name, a path (relative to the file that names it) or a mapping.
/// Throws: ConfigError at the offending key.
ModelSpec load_model(const ConfigNode& spec);
ModelSpec parse_model(const ConfigNode& map);
/// The compiled-in presets: (name, YAML text), sorted by name.
const std::vector<std::pair<std::string, std::string>>& model_presets();

}  // namespace gigasim
