#include "workloads/llm/layer_costs.hpp"

#include <algorithm>

namespace gigasim {

bool parse_recompute(const std::string& s, Recompute& out) {
  if (s == "none") out = Recompute::kNone;
  else if (s == "selective") out = Recompute::kSelective;
  else if (s == "full") out = Recompute::kFull;
  else return false;
  return true;
}

PassCost& PassCost::operator+=(const PassCost& o) {
  fwd_s += o.fwd_s;
  bwd_s += o.bwd_s;
  fwd_flops += o.fwd_flops;
  bwd_flops += o.bwd_flops;
  return *this;
}

LayerCosts::LayerCosts(const ModelSpec& model, const ParallelConfig& par, const CostOptions& opt,
                       const ComputeModel& cm)
    : m_(model), par_(par), opt_(opt), cm_(cm) {
  tokens_ = static_cast<double>(opt.micro_batch) * static_cast<double>(model.seq_len) / par.cp;
}

namespace {
// A GEMM's forward and its backward (data and weight gradients: twice the work, same shapes).
PassCost gemm(const ComputeModel& cm, double m, double n, double k, bool fp8) {
  const double bytes = fp8 ? 1 : 2;
  const double t = cm.gemm_s(m, n, k, bytes, fp8);
  const double f = 2 * m * n * k;
  return PassCost{t, 2 * t, f, 2 * f};
}
}  // namespace

PassCost LayerCosts::attention() const {
  const double T = tokens_, h = static_cast<double>(m_.hidden), t = par_.tp;
  const double hd = static_cast<double>(m_.head_dim());
  const double heads = m_.heads / t;
  PassCost c = gemm(cm_, T, (h + 2.0 * static_cast<double>(m_.kv_dim())) / t, h, opt_.fp8);  // QKV
  c += gemm(cm_, T, h, h / t, opt_.fp8);                                                      // output projection
  // The core: scores over the whole (gathered) sequence for this rank's queries.
  const double b = static_cast<double>(opt_.micro_batch), sq = T / b, sk = static_cast<double>(m_.seq_len);
  const double core_flops = 4 * b * sq * sk * hd * heads;  // QK^T and AV
  PassCost core;
  const LayerCalibration& lc = cm_.layer();
  if (opt_.flash_attention) {
    const double work = core_flops * (opt_.causal ? 0.5 : 1.0);
    core.fwd_s = cm_.flash_s(work, false);
    core.bwd_s = cm_.flash_s(work * lc.flash_backward_flops_factor, true);
    core.fwd_flops = work;
    core.bwd_flops = work * lc.flash_backward_flops_factor;
  } else {
    // Batched GEMMs per head (one kernel each), and the fused scale-mask-softmax.
    const double batch = b * heads;
    auto batched = [&](double m, double n, double k) {
      return cm_.gpu().gemm_kernel_s +
             std::max(batch * 2 * m * n * k / (cm_.gpu().peak_flops * cm_.gemm_efficiency(m, n, k)),
                      batch * (m * k + k * n + m * n) * 2 / (cm_.gpu().hbm_Bps * cm_.gpu().memory_efficiency));
    };
    const double qk = batched(sq, sk, hd), av = batched(sq, hd, sk);
    const double scores_bytes = batch * sq * sk * 2;
    const double softmax = cm_.memory_s(scores_bytes * lc.softmax_passes);
    core.fwd_s = qk + av + softmax;
    core.bwd_s = 2 * (qk + av) + cm_.memory_s(scores_bytes * lc.softmax_passes * lc.softmax_backward_factor);
    core.fwd_flops = core_flops;
    core.bwd_flops = 2 * core_flops;
  }
  if (opt_.recompute == Recompute::kSelective) {
    core.bwd_s += core.fwd_s;
    core.bwd_flops += core.fwd_flops;
  }
  c += core;
  return c;
}

PassCost LayerCosts::mlp(uint64_t ffn, double token_factor) const {
  const double T = tokens_ * token_factor, h = static_cast<double>(m_.hidden), f = static_cast<double>(ffn) / par_.tp;
  PassCost c = gemm(cm_, T, (m_.gated_mlp ? 2 : 1) * f, h, opt_.fp8);  // up (and gate, fused)
  c += gemm(cm_, T, h, f, opt_.fp8);                                  // down
  return c;
}

double LayerCosts::elementwise_bytes(uint64_t ffn) const {
  const LayerCalibration& lc = cm_.layer();
  const double h_split = par_.sequence_parallel ? par_.tp : 1.0;
  const double ffn_tensors = m_.gated_mlp ? lc.ew_gated_ffn_tensors : lc.ew_ffn_tensors;
  return tokens_ * 2 *
         (lc.ew_hidden_tensors * static_cast<double>(m_.hidden) / h_split +
          ffn_tensors * static_cast<double>(ffn) / par_.tp);
}

PassCost LayerCosts::layer(uint32_t index) const {
  PassCost c = attention();
  uint64_t ew_ffn = m_.ffn_hidden;
  if (m_.is_moe_layer(index)) {
    const MoeSpec& e = m_.moe;
    // Router, then each token through top_k routed experts (load balanced across the EP group,
    // up to the capacity factor) and the shared experts.
    c += gemm(cm_, tokens_, e.experts, static_cast<double>(m_.hidden), false);
    const double local_experts = static_cast<double>(e.experts) / par_.ep;
    const double per_expert = tokens_ * e.top_k * e.capacity_factor / local_experts;
    PassCost expert = mlp(e.expert_ffn_hidden, per_expert / tokens_);
    expert.fwd_s *= local_experts, expert.bwd_s *= local_experts;
    expert.fwd_flops *= local_experts, expert.bwd_flops *= local_experts;
    c += expert;
    for (uint32_t s = 0; s < e.shared_experts; ++s) c += mlp(e.expert_ffn_hidden, 1.0);
    ew_ffn = e.expert_ffn_hidden * (e.top_k + e.shared_experts);
  } else {
    c += mlp(m_.ffn_hidden, 1.0);
  }
  const LayerCalibration& lc = cm_.layer();
  const double ew = elementwise_bytes(ew_ffn);
  const double ew_fwd = cm_.memory_s(ew) + (lc.kernels_per_layer - 1) * cm_.gpu().kernel_s;
  c.fwd_s += ew_fwd;
  c.bwd_s += ew_fwd * lc.ew_backward_factor;
  if (opt_.recompute == Recompute::kFull) {
    c.bwd_s += c.fwd_s;
    c.bwd_flops += c.fwd_flops;
  }
  return c;
}

PassCost LayerCosts::embedding() const {
  // A gather of token rows; the backward scatters gradients into the table (fp32).
  const double bytes = tokens_ * static_cast<double>(m_.hidden) * 2 / (par_.sequence_parallel ? par_.tp : 1.0);
  return PassCost{cm_.memory_s(bytes), cm_.memory_s(3 * bytes), 0, 0};
}

PassCost LayerCosts::head() const {
  const double T = tokens_, h = static_cast<double>(m_.hidden), v = static_cast<double>(m_.vocab) / par_.tp;
  PassCost c = gemm(cm_, T, v, h, opt_.fp8);
  // Cross-entropy over the rank's vocabulary shard: fp32 logits read a few times.
  const double loss = cm_.memory_s(T * v * 4 * 3);
  c.fwd_s += loss;
  c.bwd_s += loss;
  return c;
}

double LayerCosts::optimizer_s(double params) const {
  const LayerCalibration& lc = cm_.layer();
  return params > 0 ? cm_.memory_s(params * lc.optimizer_bytes_per_param) + (lc.optimizer_kernels - 1) * cm_.gpu().kernel_s
                    : 0;
}

}  // namespace gigasim
