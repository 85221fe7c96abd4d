#include "workloads/llm/stage_program.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace gigasim::llm {
namespace {

// Layers of global chunk g of n: as even as possible, the extra ones to the first chunks.
std::pair<uint32_t, uint32_t> chunk_layers(uint32_t layers, uint32_t n, uint32_t g) {
  const uint32_t base = layers / n, extra = layers % n;
  const uint32_t first = g * base + std::min(g, extra);
  return {first, base + (g < extra ? 1 : 0)};
}

}  // namespace

StageSizes stage_sizes(const TrainingConfig& c, const LayerCosts& costs) {
  const ModelSpec& m = c.model;
  const ParallelConfig& p = c.par;
  StageSizes z;
  z.chunks = c.chunks;
  z.microbatches = c.microbatches;
  z.nchunks = p.pp * c.chunks;
  const double T = costs.tokens(), h = static_cast<double>(m.hidden);
  z.act_bytes = T * h * 2;
  z.p2p_bytes = z.act_bytes / p.tp;  // scatter/gather: each TP rank sends its share
  z.kv_bytes = static_cast<double>(c.micro_batch) * static_cast<double>(m.seq_len) * 2 *
               static_cast<double>(m.kv_dim()) / std::min(p.tp, m.kv_heads) * 2 / std::max(1U, p.tp / m.kv_heads);
  z.a2a_bytes = m.is_moe() ? T * m.moe.top_k * m.moe.capacity_factor * h * 2 : 0;
  z.ep_size = p.ep;
  z.edp_size = p.dp / p.ep;
  z.bucket_params = c.bucket_params > 0 ? c.bucket_params : std::max(40e6, 1e6 * p.dp);
  return z;
}

Chunk make_chunk(const TrainingConfig& c, const LayerCosts& costs, uint32_t g, uint32_t nchunks) {
  const ModelSpec& m = c.model;
  const ParallelConfig& p = c.par;
  Chunk ch;
  std::tie(ch.first, ch.count) = chunk_layers(m.layers, nchunks, g);
  ch.embedding = g == 0;
  ch.head = g + 1 == nchunks;
  if (ch.embedding) ch.units.push_back(costs.embedding());
  for (uint32_t l = ch.first; l < ch.first + ch.count; ++l) {
    ch.units.push_back(costs.layer(l));
    ch.dense_params += m.layer_dense_params(l) / p.tp;
    ch.expert_params += m.layer_expert_params(l) / (p.tp * p.ep);
    if (m.is_moe_layer(l)) ++ch.moe_layers;
  }
  if (ch.embedding) ch.dense_params += m.embedding_params() / p.tp;
  if (ch.head) {
    ch.units.push_back(costs.head());
    ch.dense_params += m.embedding_params() / p.tp;
  }
  for (const PassCost& u : ch.units) ch.cost += u;
  return ch;
}

uint32_t OpWriter::compute(uint32_t step, std::string label, double seconds, std::vector<Dep> deps) {
  Op op;
  op.kind = OpKind::kCompute;
  op.stream = kCompute;
  op.step = step;
  op.label = std::move(label);
  op.seconds = seconds;
  op.deps = std::move(deps);
  return push(std::move(op));
}

void OpWriter::collective(Str s, Fam f, uint32_t group_size, CollectiveKind kind, double bytes, uint32_t repeat,
                          uint32_t step, std::string label, std::vector<Dep> deps) {
  if (group_size <= 1 || repeat == 0 || !(bytes > 0)) return;
  Op op = c_.coll[f];
  op.kind = OpKind::kCollective;
  op.stream = s;
  op.collective = kind;
  op.family = f;
  op.bytes = bytes;
  op.repeat = repeat;
  op.step = step;
  op.label = std::move(label);
  op.deps = std::move(deps);
  push(std::move(op));
}

void OpWriter::p2p(Str s, bool send, int32_t peer, uint32_t tag, double bytes, uint32_t step, std::string label,
                   std::vector<Dep> deps) {
  Op op;
  op.kind = send ? OpKind::kSend : OpKind::kRecv;
  op.stream = s;
  op.family = kPP;
  op.peer = peer;
  op.tag = tag;
  op.bytes = bytes;
  op.step = step;
  op.label = std::move(label);
  op.deps = std::move(deps);
  op.where = c_.where;
  push(std::move(op));
}

uint32_t OpWriter::push(Op op) {
  const uint32_t idx = n_[op.stream]++;
  prog_.ops.push_back(std::move(op));
  return idx;
}

StageProgram::StageProgram(const TrainingConfig& c, const LayerCosts& costs, const StageSizes& z, uint32_t stage,
                           Program& prog)
    : c_(c),
      p_(c.par),
      costs_(costs),
      z_(z),
      stage_(stage),
      b_(c, prog),
      zero12_(c.sharding == Sharding::kZero1 || c.sharding == Sharding::kZero2),
      fsdp_(c.sharding == Sharding::kFsdp) {
  prog.name = fmt::format("stage {}", stage);
  for (uint32_t ci = 0; ci < z.chunks; ++ci) chunks_.push_back(make_chunk(c, costs, ci * p_.pp + stage, z.nchunks));
  order_ = pipeline_order(c.schedule, p_.pp, stage, z.microbatches, z.chunks);
}

void StageProgram::add_hardware_flops(double& total) const {
  const uint32_t ranks_per_stage = p_.tp * p_.cp * p_.dp;
  for (const Chunk& ch : chunks_) {
    total += static_cast<double>(ranks_per_stage) * z_.microbatches * (ch.cost.fwd_flops + ch.cost.bwd_flops);
  }
}

void StageProgram::write() {
  for (uint32_t st = 0; st < c_.steps; ++st) step(st);
}

void StageProgram::step(uint32_t st) {
  gathered_.assign(z_.chunks, {});
  if (zero12_ && c_.overlap_param) gather_params_first(st);
  seen_fwd_.assign(z_.chunks, false);
  for (const PipeOp& po : order_) {
    if (po.forward) {
      forward(po, st);
    } else {
      backward(po, st);
    }
  }
  if (!c_.overlap_grad && !fsdp_) reduce_grads_after(st);
  optimizer(st);
}

void StageProgram::gather_params_first(uint32_t st) {
  // Each chunk's first forward waits for its own buckets (Megatron's overlap_param_gather).
  const std::vector<Dep> deps = st > 0 ? std::vector<Dep>{b_.after(kCompute)} : std::vector<Dep>{};
  for (uint32_t ci = 0; ci < z_.chunks; ++ci) {
    const uint32_t nb = buckets_of(chunks_[ci]);
    for (uint32_t k = 0; k < nb; ++k) {
      param_gather(chunks_[ci].dense_params / nb, chunks_[ci].expert_params / nb, st, fmt::format("c{} b{}", ci, k),
                   deps);
      gathered_[ci].push_back(b_.count(kParam));
    }
  }
}

void StageProgram::forward(const PipeOp& po, uint32_t st) {
  const Chunk& ch = chunks_[po.chunk];
  const uint32_t g = po.chunk * p_.pp + stage_;
  const std::string tag = fmt::format("mb{} c{}", po.microbatch, po.chunk);
  std::vector<Dep> deps{b_.after(kLayer)};
  deps.insert(deps.end(), pending_.begin(), pending_.end());
  pending_.clear();
  if (g > 0) {
    b_.p2p(kRecvFwd, false, -1, 0, z_.p2p_bytes, st, "recv act " + tag, {b_.after(kCompute), b_.after(kLayer)});
    deps.push_back(b_.after(kRecvFwd));
  }
  const bool first = !seen_fwd_[po.chunk];
  seen_fwd_[po.chunk] = true;
  if (fsdp_) {
    for (size_t u = 0; u < ch.units.size(); ++u) {
      param_gather(ch.dense_params / ch.units.size(), ch.expert_params / ch.units.size(), st,
                   fmt::format("fwd {} u{}", tag, u),
                   {fsdp_gather_dep()});
      std::vector<Dep> d = deps;
      d.push_back(b_.after(kParam));
      d.push_back(b_.after(kLayer));
      b_.compute(st, fmt::format("fwd {} u{}", tag, u), ch.units[u].fwd_s, d);
      deps.clear();
    }
  } else if (zero12_ && c_.overlap_param && first) {
    const uint32_t nb = static_cast<uint32_t>(gathered_[po.chunk].size());
    for (uint32_t k = 0; k < nb; ++k) {
      std::vector<Dep> d = deps;
      d.push_back(Dep{kParam, gathered_[po.chunk][k]});
      b_.compute(st, fmt::format("fwd {} b{}", tag, k), ch.cost.fwd_s / nb, d);
      deps.clear();
    }
  } else {
    b_.compute(st, "fwd " + tag, ch.cost.fwd_s, deps);
  }
  layer_comm(true, ch.count, ch.moe_layers, st, tag);
  if (g + 1 < z_.nchunks) {
    b_.p2p(kSendFwd, true, +1, 0, z_.p2p_bytes, st, "send act " + tag, {b_.after(kCompute), b_.after(kLayer)});
  }
}

void StageProgram::backward(const PipeOp& po, uint32_t st) {
  const Chunk& ch = chunks_[po.chunk];
  const uint32_t g = po.chunk * p_.pp + stage_;
  const std::string tag = fmt::format("mb{} c{}", po.microbatch, po.chunk);
  std::vector<Dep> deps{b_.after(kLayer)};
  if (g + 1 < z_.nchunks) {
    b_.p2p(kRecvBwd, false, +1, 1, z_.p2p_bytes, st, "recv grad " + tag, {b_.after(kCompute), b_.after(kLayer)});
    deps.push_back(b_.after(kRecvBwd));
  }
  const bool last = po.microbatch + 1 == z_.microbatches;
  if (fsdp_) {
    for (size_t i = ch.units.size(); i-- > 0;) {
      param_gather(ch.dense_params / ch.units.size(), ch.expert_params / ch.units.size(), st,
                   fmt::format("bwd {} u{}", tag, i),
                   {fsdp_gather_dep()});
      std::vector<Dep> d = deps;
      d.push_back(b_.after(kParam));
      d.push_back(b_.after(kLayer));
      b_.compute(st, fmt::format("bwd {} u{}", tag, i), ch.units[i].bwd_s, d);
      deps.clear();
      if (last) grad_reduce(ch.dense_params / ch.units.size(), ch.expert_params / ch.units.size(), st,
                            fmt::format("{} u{}", tag, i));
    }
  } else if (last && c_.overlap_grad) {
    const uint32_t nb = buckets_of(ch);
    for (uint32_t k = 0; k < nb; ++k) {
      b_.compute(st, fmt::format("bwd {} b{}", tag, k), ch.cost.bwd_s / nb, deps);
      deps.clear();
      grad_reduce(ch.dense_params / nb, ch.expert_params / nb, st, fmt::format("c{} b{}", po.chunk, k));
    }
  } else {
    b_.compute(st, "bwd " + tag, ch.cost.bwd_s, deps);
  }
  layer_comm(false, ch.count, ch.moe_layers, st, tag);
  if (g > 0) {
    b_.p2p(kSendBwd, true, -1, 1, z_.p2p_bytes, st, "send grad " + tag, {b_.after(kCompute), b_.after(kLayer)});
  }
}

void StageProgram::reduce_grads_after(uint32_t st) {
  for (uint32_t ci = 0; ci < z_.chunks; ++ci) {
    const uint32_t nb = buckets_of(chunks_[ci]);
    for (uint32_t k = 0; k < nb; ++k) {
      grad_reduce(chunks_[ci].dense_params / nb, chunks_[ci].expert_params / nb, st, fmt::format("c{} b{}", ci, k));
    }
  }
}

void StageProgram::optimizer(uint32_t st) {
  double params = 0;
  for (const Chunk& ch : chunks_) {
    params += c_.sharding == Sharding::kNone
                  ? ch.dense_params + ch.expert_params
                  : ch.dense_params / (p_.dp * p_.cp) + ch.expert_params / (z_.edp_size * p_.cp);
  }
  b_.compute(st, "optimizer", costs_.optimizer_s(params), {b_.after(kGrad), b_.after(kLayer)});
  if (zero12_ && !c_.overlap_param) {
    for (uint32_t ci = 0; ci < z_.chunks; ++ci) {
      param_gather(chunks_[ci].dense_params, chunks_[ci].expert_params, st, fmt::format("c{}", ci),
                   {b_.after(kCompute)});
    }
    pending_.push_back(b_.after(kParam));
  }
}

void StageProgram::layer_comm(bool forward, uint32_t layers, uint32_t moe, uint32_t step, const std::string& what) {
  const bool again = !forward && c_.cost.recompute == Recompute::kFull;  // the recomputed forward's comm
  const uint32_t tp_n = 2 * layers * (again ? 2 : 1);
  const std::vector<Dep> deps{b_.after(kCompute)};
  if (p_.sequence_parallel) {
    b_.collective(kLayer, kTP, p_.tp, CollectiveKind::kAllGather, z_.act_bytes, tp_n, step, "tp all_gather " + what, deps);
    b_.collective(kLayer, kTP, p_.tp, CollectiveKind::kReduceScatter, z_.act_bytes, tp_n, step,
                  "tp reduce_scatter " + what, deps);
  } else {
    b_.collective(kLayer, kTP, p_.tp, CollectiveKind::kAllReduce, z_.act_bytes, tp_n, step, "tp all_reduce " + what, deps);
  }
  if (forward || again) {
    b_.collective(kLayer, kCP, p_.cp, CollectiveKind::kAllGather, z_.kv_bytes, layers, step, "cp all_gather kv " + what,
                  deps);
  }
  if (!forward) {
    b_.collective(kLayer, kCP, p_.cp, CollectiveKind::kReduceScatter, z_.kv_bytes, layers, step,
                  "cp reduce_scatter dkv " + what, deps);
  }
  b_.collective(kLayer, kEP, z_.ep_size, CollectiveKind::kAllToAll, z_.a2a_bytes, 2 * moe * (again ? 2 : 1), step,
                "ep alltoall " + what, deps);
}

void StageProgram::grad_reduce(double params, double expert, uint32_t step, const std::string& what) {
  const std::vector<Dep> deps{b_.after(kCompute)};
  const CollectiveKind kind = c_.sharding == Sharding::kNone ? CollectiveKind::kAllReduce : CollectiveKind::kReduceScatter;
  for (auto [fam, size, n] : {std::tuple{kDP, p_.dp, params}, std::tuple{kEDP, z_.edp_size, expert}}) {
    const double bytes = n * c_.grad_bytes;
    if (p_.cp > 1) {  // hierarchically: reduce-scatter over CP, the CP share over DP, gather back
      b_.collective(kGrad, kCPG, p_.cp, CollectiveKind::kReduceScatter, bytes, 1, step, "cp grad rs " + what, deps);
      b_.collective(kGrad, fam, size, kind, bytes / p_.cp, 1, step, "grad " + what, deps);
      if (kind == CollectiveKind::kAllReduce) {
        b_.collective(kGrad, kCPG, p_.cp, CollectiveKind::kAllGather, bytes, 1, step, "cp grad ag " + what, deps);
      }
    } else {
      b_.collective(kGrad, fam, size, kind, bytes, 1, step, "grad " + what, deps);
    }
  }
}

void StageProgram::param_gather(double params, double expert, uint32_t step, const std::string& what,
                                std::vector<Dep> deps) {
  for (auto [fam, size, n] : {std::tuple{kDP, p_.dp, params}, std::tuple{kEDP, z_.edp_size, expert}}) {
    b_.collective(kParam, fam, size, CollectiveKind::kAllGather, n * 2 / std::max(1U, p_.cp), 1, step,
                  "param all_gather " + what, deps);
    if (p_.cp > 1) {
      b_.collective(kParam, kCPG, p_.cp, CollectiveKind::kAllGather, n * 2, 1, step, "cp param ag " + what, deps);
    }
  }
}

Dep StageProgram::fsdp_gather_dep() const {
  const uint32_t n = b_.count(kCompute);
  return Dep{kCompute, c_.overlap_param && n > 0 ? n - 1 : n};
}

uint32_t StageProgram::buckets_of(const Chunk& ch) const {
  return static_cast<uint32_t>(std::max(1.0, std::ceil((ch.dense_params + ch.expert_params) / z_.bucket_params)));
}

}  // namespace gigasim::llm
