#include "workloads/llm/model_spec.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "workloads/model_presets_data.hpp"

namespace gigasim {

double ModelSpec::attention_params() const {
  const double h = static_cast<double>(hidden);
  return h * (h + 2.0 * static_cast<double>(kv_dim())) + h * h;
}

double ModelSpec::mlp_params(uint64_t ffn) const {
  return (gated_mlp ? 3.0 : 2.0) * static_cast<double>(hidden) * static_cast<double>(ffn);
}

double ModelSpec::layer_dense_params(uint32_t layer) const {
  double p = attention_params() + 4.0 * static_cast<double>(hidden);  // + two norms (scale, bias)
  if (!is_moe_layer(layer)) return p + mlp_params(ffn_hidden);
  p += mlp_params(moe.expert_ffn_hidden) * moe.shared_experts;
  p += static_cast<double>(hidden) * moe.experts;  // router
  return p;
}

double ModelSpec::layer_expert_params(uint32_t layer) const {
  return is_moe_layer(layer) ? mlp_params(moe.expert_ffn_hidden) * moe.experts : 0.0;
}

double ModelSpec::total_params() const {
  double p = 2 * embedding_params();
  for (uint32_t l = 0; l < layers; ++l) p += layer_dense_params(l) + layer_expert_params(l);
  return p;
}

double ModelSpec::active_params() const {
  double p = 0;
  for (uint32_t l = 0; l < layers; ++l) {
    p += layer_dense_params(l);
    if (is_moe_layer(l)) p += mlp_params(moe.expert_ffn_hidden) * moe.top_k;
  }
  return p;
}

const std::vector<std::pair<std::string, std::string>>& model_presets() {
  static const std::vector<std::pair<std::string, std::string>> all = [] {
    std::vector<std::pair<std::string, std::string>> v;
    for (const auto& [name, text] : kModelPresets) v.emplace_back(name, text);
    return v;
  }();
  return all;
}

ModelSpec parse_model(const ConfigNode& m) {
  m.require_map("a model: a mapping with layers, hidden, heads, ...");
  m.check_keys({"name", "description", "layers", "hidden", "heads", "kv_heads", "ffn_hidden", "gated_mlp", "vocab",
                "seq_len", "moe"});
  ModelSpec s;
  s.name = m.get_string("name", "model");
  s.layers = static_cast<uint32_t>(m.get_int("layers", 1, 100000));
  s.hidden = static_cast<uint64_t>(m.get_int("hidden", 1, 1 << 24));
  s.heads = static_cast<uint32_t>(m.get_int("heads", 1, 1 << 16));
  if (s.hidden % s.heads != 0) {
    m.at("heads").fail(fmt::format("hidden ({}) must be a multiple of heads ({})", s.hidden, s.heads));
  }
  s.kv_heads = static_cast<uint32_t>(m.get_int("kv_heads", s.heads, 1, s.heads));
  if (s.heads % s.kv_heads != 0) {
    m.at("kv_heads").fail(fmt::format("heads ({}) must be a multiple of kv_heads ({})", s.heads, s.kv_heads));
  }
  s.ffn_hidden = static_cast<uint64_t>(m.get_int("ffn_hidden", 4 * static_cast<int64_t>(s.hidden), 1, 1LL << 26));
  s.gated_mlp = m.get_bool("gated_mlp", false);
  s.vocab = static_cast<uint64_t>(m.get_int("vocab", 1, 1LL << 24));
  s.seq_len = static_cast<uint64_t>(m.get_int("seq_len", 1, 1LL << 24));
  if (auto moe = m.find("moe")) {
    moe->require_map("{experts, top_k, expert_ffn_hidden, shared_experts, dense_layers, capacity_factor}");
    moe->check_keys({"experts", "top_k", "expert_ffn_hidden", "shared_experts", "dense_layers", "capacity_factor"});
    s.moe.experts = static_cast<uint32_t>(moe->get_int("experts", 1, 1 << 16));
    s.moe.top_k = static_cast<uint32_t>(moe->get_int("top_k", 1, 1, s.moe.experts));
    s.moe.expert_ffn_hidden =
        static_cast<uint64_t>(moe->get_int("expert_ffn_hidden", static_cast<int64_t>(s.ffn_hidden), 1, 1LL << 26));
    s.moe.shared_experts = static_cast<uint32_t>(moe->get_int("shared_experts", 0, 0, 64));
    s.moe.dense_layers = static_cast<uint32_t>(moe->get_int("dense_layers", 0, 0, s.layers));
    s.moe.capacity_factor = moe->get_double("capacity_factor", 1.0);
    if (!(s.moe.capacity_factor >= 1.0 && s.moe.capacity_factor <= 16.0)) {
      moe->at("capacity_factor").fail("capacity_factor must be in [1, 16]");
    }
  }
  return s;
}

ModelSpec load_model(const ConfigNode& spec) {
  if (spec.is_map()) return parse_model(spec);
  const std::string ref = spec.as_string();
  for (const auto& [name, text] : model_presets()) {
    if (name == ref) return parse_model(load_yaml_string(text, "workloads/presets/models/" + name + ".yaml"));
  }
  namespace fs = std::filesystem;
  fs::path p(ref);
  if (p.is_relative() && spec.where().line > 0) p = fs::path(spec.file()).parent_path() / p;
  if (ref.find(".yaml") != std::string::npos || ref.find('/') != std::string::npos) {
    if (!fs::exists(p)) spec.fail(fmt::format("model file '{}' not found", p.string()));
    return parse_model(load_yaml_file(p.lexically_normal().string()));
  }
  std::vector<std::string_view> names;
  std::string known;
  for (const auto& [name, text] : model_presets()) {
    names.push_back(name);
    known += (known.empty() ? "" : ", ") + name;
  }
  const std::string hint = closest_match(ref, names);
  spec.fail(fmt::format("unknown model '{}'{}: a preset ({}), a .yaml file or a mapping", ref,
                        hint.empty() ? "" : " (did you mean '" + hint + "'?)", known));
}

}  // namespace gigasim
