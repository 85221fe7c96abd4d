#include "workloads/llm_training.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "sim/core/memory_budget.hpp"
#include "workloads/llm/layer_costs.hpp"
#include "workloads/llm/pipeline_schedule.hpp"

namespace gigasim {
namespace {

// Group families, in this order.
enum Fam : uint32_t { kTP = 0, kCP, kPP, kDP, kEP, kEDP, kCPG, kFamilies };
// Streams, in this order.
enum Str : uint16_t { kCompute = 0, kLayer, kGrad, kParam, kSendFwd, kRecvFwd, kSendBwd, kRecvBwd, kStreams };

enum class Sharding : uint8_t { kNone = 0, kZero1 = 1, kZero2 = 2, kFsdp = 3 };

struct Config {
  ModelSpec model;
  ParallelConfig par;
  uint32_t steps = 1;
  uint64_t micro_batch = 1, global_batch = 0;
  uint32_t microbatches = 1;  // per pipeline, per step
  PipelineScheduleKind schedule = PipelineScheduleKind::k1F1B;
  uint32_t chunks = 1;
  CostOptions cost;
  Sharding sharding = Sharding::kNone;
  bool overlap_grad = true, overlap_param = true;
  double bucket_params = 0;  // 0: Megatron's max(40M, 1M x dp)
  double grad_bytes = 2;
  std::string flops = "model";
  std::string calibration;
  std::string fold = "auto";
  Op coll[kFamilies];  // per family: the collective options
  std::string where;
};

// One model chunk of one stage: its layers and what they cost per micro-batch.
struct Chunk {
  uint32_t first = 0, count = 0;
  bool embedding = false, head = false;
  PassCost cost;                    // all layers (+ embedding, head)
  std::vector<PassCost> units;      // per layer (+ embedding on the first, head on the last)
  double dense_params = 0, expert_params = 0;  // this rank's share
  uint32_t moe_layers = 0;
};

// Emits ops into one stage's program, counting ops per stream for dependencies.
class Builder {
 public:
  Builder(const Config& c, Program& prog) : c_(c), prog_(prog) {}
  uint32_t count(Str s) const { return n_[s]; }
  Dep after(Str s) const { return Dep{s, n_[s]}; }

  uint32_t compute(uint32_t step, std::string label, double seconds, std::vector<Dep> deps) {
    Op op;
    op.kind = OpKind::kCompute;
    op.stream = kCompute;
    op.step = step;
    op.label = std::move(label);
    op.seconds = seconds;
    op.deps = std::move(deps);
    return push(std::move(op));
  }
  // A collective of family `f` with that family's options (nothing for groups of one).
  void collective(Str s, Fam f, uint32_t group_size, CollectiveKind kind, double bytes, uint32_t repeat, uint32_t step,
                  std::string label, std::vector<Dep> deps) {
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
  void p2p(Str s, bool send, int32_t peer, uint32_t tag, double bytes, uint32_t step, std::string label,
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

 private:
  uint32_t push(Op op) {
    const uint32_t idx = n_[op.stream]++;
    prog_.ops.push_back(std::move(op));
    return idx;
  }
  const Config& c_;
  Program& prog_;
  uint32_t n_[kStreams] = {};
};

Sharding parse_sharding(const ConfigNode& spec) {
  auto z = spec.find("zero");
  if (!z) return Sharding::kNone;
  const std::string v = z->as_string();
  if (v == "0" || v == "none" || v == "ddp") return Sharding::kNone;
  if (v == "1") return Sharding::kZero1;
  if (v == "2") return Sharding::kZero2;
  if (v == "3" || v == "fsdp") return Sharding::kFsdp;
  z->fail(fmt::format("zero must be 0 (DDP), 1, 2 (distributed optimizer) or 3 / fsdp, got '{}'", v));
}

Config parse(const ConfigNode& spec, const ClusterInfo& cluster) {
  spec.check_keys({"kind", "model", "steps", "parallel", "micro_batch", "global_batch", "schedule", "virtual_stages",
                   "recompute", "zero", "grad_bucket", "overlap_grad_reduce", "overlap_param_gather", "grad_dtype",
                   "precision", "attention", "causal", "flops", "compute", "collectives", "fold"});
  Config c;
  c.where = spec.where().str();
  c.model = load_model(spec.at("model"));
  c.steps = static_cast<uint32_t>(spec.get_int("steps", 1, 1, 10000));

  const ConfigNode par = spec.at("parallel");
  par.require_map("a mapping {tp, cp, pp, dp, ep, sequence_parallel, order}");
  par.check_keys({"tp", "cp", "pp", "dp", "ep", "sequence_parallel", "order"});
  ParallelConfig& p = c.par;
  p.tp = static_cast<uint32_t>(par.get_int("tp", 1, 1, 1 << 20));
  p.cp = static_cast<uint32_t>(par.get_int("cp", 1, 1, 1 << 20));
  p.pp = static_cast<uint32_t>(par.get_int("pp", 1, 1, 1 << 20));
  p.ep = static_cast<uint32_t>(par.get_int("ep", 1, 1, 1 << 20));
  const uint64_t model_par = uint64_t{p.tp} * p.cp * p.pp;
  if (auto d = par.find("dp")) {
    p.dp = static_cast<uint32_t>(d->as_int(1, 1 << 20));
  } else {
    p.dp = static_cast<uint32_t>(std::max<uint64_t>(1, cluster.gpus / model_par));
  }
  const uint64_t ranks = model_par * p.dp;
  if (ranks > cluster.gpus) {
    (par.has("dp") ? par.at("dp") : par).fail(
        fmt::format("tp x cp x pp x dp = {} x {} x {} x {} = {} ranks, more than the cluster's {} GPUs", p.tp, p.cp,
                    p.pp, p.dp, ranks, cluster.gpus));
  }
  p.sequence_parallel = par.get_bool("sequence_parallel", p.tp > 1);
  if (auto o = par.find("order")) {
    o->require_sequence("a list of tp, cp, pp, dp (innermost first)");
    if (o->size() != 4) o->fail("order lists each of tp, cp, pp, dp once, innermost first");
    bool seen[4] = {};
    for (size_t i = 0; i < 4; ++i) {
      ParallelDim d;
      const ConfigNode e = o->element(i);
      if (!parse_parallel_dim(e.as_string(), d)) e.fail(fmt::format("'{}' is not tp, cp, pp or dp", e.as_string()));
      if (seen[static_cast<size_t>(d)]) e.fail(fmt::format("'{}' appears twice", e.as_string()));
      seen[static_cast<size_t>(d)] = true;
      p.order[i] = d;
    }
  }
  const ModelSpec& m = c.model;
  if (m.heads % p.tp != 0) par.at("tp").fail(fmt::format("tp = {} does not divide the {} attention heads", p.tp, m.heads));
  if (p.tp > m.kv_heads && p.tp % m.kv_heads != 0) {
    par.at("tp").fail(fmt::format("tp = {} does not fit the {} KV heads", p.tp, m.kv_heads));
  }
  if (m.seq_len % p.cp != 0) par.at("cp").fail(fmt::format("cp = {} does not divide the sequence of {}", p.cp, m.seq_len));
  if (p.ep > 1) {
    if (!m.is_moe()) par.at("ep").fail(fmt::format("ep = {} needs a mixture-of-experts model ('{}' is dense)", p.ep, m.name));
    if (p.dp % p.ep != 0) par.at("ep").fail(fmt::format("ep = {} must divide dp = {}", p.ep, p.dp));
    if (m.moe.experts % p.ep != 0) {
      par.at("ep").fail(fmt::format("ep = {} must divide the {} experts", p.ep, m.moe.experts));
    }
  }

  c.micro_batch = static_cast<uint64_t>(spec.get_int("micro_batch", 1, 1, 1 << 20));
  c.global_batch = static_cast<uint64_t>(spec.get_int("global_batch", static_cast<int64_t>(c.micro_batch * p.dp *
                                                                                          std::max(1U, 2 * p.pp)),
                                                      1, 1LL << 40));
  const uint64_t per_replica = c.micro_batch * p.dp;
  if (c.global_batch % per_replica != 0) {
    spec.at("global_batch").fail(fmt::format("global_batch = {} is not a multiple of micro_batch x dp = {} x {}",
                                             c.global_batch, c.micro_batch, p.dp));
  }
  if (c.global_batch / per_replica > 1000000) spec.at("global_batch").fail("more than 1,000,000 micro-batches per step");
  c.microbatches = static_cast<uint32_t>(c.global_batch / per_replica);

  const std::string sched = spec.get_string("schedule", p.pp > 1 ? "1f1b" : "gpipe");
  if (!parse_pipeline_schedule(sched, c.schedule)) {
    spec.at("schedule").fail(fmt::format("schedule must be gpipe, 1f1b or interleaved, got '{}'", sched));
  }
  c.chunks = static_cast<uint32_t>(spec.get_int("virtual_stages", c.schedule == PipelineScheduleKind::kInterleaved ? 2 : 1,
                                                1, 1024));
  if (c.chunks > 1 && c.schedule != PipelineScheduleKind::kInterleaved) {
    spec.at("virtual_stages").fail("virtual_stages > 1 needs schedule: interleaved");
  }
  if (c.schedule == PipelineScheduleKind::kInterleaved && c.microbatches % p.pp != 0) {
    spec.fail(fmt::format("the interleaved schedule needs micro-batches per step ({}) to be a multiple of pp ({})",
                          c.microbatches, p.pp));
  }
  if (uint64_t{p.pp} * c.chunks > m.layers) {
    (par.has("pp") ? par.at("pp") : spec)
        .fail(fmt::format("pp x virtual_stages = {} x {} model chunks, more than the {} layers", p.pp, c.chunks,
                          m.layers));
  }

  const std::string rc = spec.get_string("recompute", "none");
  if (!parse_recompute(rc, c.cost.recompute)) {
    spec.at("recompute").fail(fmt::format("recompute must be none, selective or full, got '{}'", rc));
  }
  c.cost.micro_batch = c.micro_batch;
  const std::string att = spec.get_string("attention", "flash");
  if (att != "flash" && att != "standard") spec.at("attention").fail("attention must be flash or standard");
  c.cost.flash_attention = att == "flash";
  c.cost.causal = spec.get_bool("causal", true);
  const std::string prec = spec.get_string("precision", "bf16");
  if (prec != "bf16" && prec != "fp8") spec.at("precision").fail("precision must be bf16 or fp8");
  c.cost.fp8 = prec == "fp8";

  c.sharding = parse_sharding(spec);
  {  // Before allocating: about 8 ops per pass of a micro-batch through a chunk (FSDP: per layer).
    const double passes = 2.0 * p.pp * c.chunks * c.microbatches * c.steps;
    const double per_pass = c.sharding == Sharding::kFsdp ? 8.0 * (m.layers / (p.pp * c.chunks) + 1) : 8.0;
    check_memory(spec.has("global_batch") ? spec.at("global_batch") : spec, passes * per_pass * cost::kOpBytes,
                 fmt::format("{} micro-batches per step", c.microbatches),
                 fmt::format("{} ops over {} pipeline stages and {} steps", format_count(passes * per_pass), p.pp, c.steps));
  }
  c.overlap_grad = spec.get_bool("overlap_grad_reduce", true);
  c.overlap_param = spec.get_bool("overlap_param_gather", true);
  if (auto b = spec.find("grad_bucket"); b && b->as_string() != "auto") {
    c.bucket_params = b->as_bytes() / 2;  // given in bytes of BF16 gradients
    if (!(c.bucket_params >= 1)) b->fail("grad_bucket must be positive (or auto)");
  }
  const std::string gd = spec.get_string("grad_dtype", "bf16");
  if (gd != "bf16" && gd != "fp32") spec.at("grad_dtype").fail("grad_dtype must be bf16 or fp32");
  c.grad_bytes = gd == "fp32" ? 4 : 2;
  c.flops = spec.get_string("flops", "model");
  if (c.flops != "model" && c.flops != "megatron" && c.flops != "hardware") {
    spec.at("flops").fail(fmt::format("flops must be model, megatron or hardware, got '{}'", c.flops));
  }
  if (auto cm = spec.find("compute")) {
    cm->require_map("{calibration: FILE}");
    cm->check_keys({"calibration"});
    if (auto f = cm->find("calibration")) {
      std::filesystem::path path(f->as_string());
      if (path.is_relative() && f->where().line > 0) path = std::filesystem::path(f->file()).parent_path() / path;
      if (!std::filesystem::exists(path)) f->fail(fmt::format("compute calibration '{}' not found", path.string()));
      c.calibration = path.lexically_normal().string();
    }
  }

  c.fold = spec.get_string("fold", "auto");
  if (c.fold != "auto" && c.fold != "none" && c.fold != "force") {
    spec.at("fold").fail(fmt::format("fold must be auto, none or force, got '{}'", c.fold));
  }
  // Collective options per dimension; NVLink stages are closed-form by default.
  for (Op& o : c.coll) {
    o.nvlink_analytic = true;
    o.where = c.where;
  }
  if (auto co = spec.find("collectives")) {
    co->require_map("a mapping of tp, cp, ep, dp to collective options");
    co->check_keys({"tp", "cp", "ep", "dp"});
    for (const auto& [dim, node] : co->entries()) {
      node.require_map("collective options {algorithm, protocol, fidelity, channels, nvlink}");
      node.check_keys({"algorithm", "protocol", "fidelity", "channels", "nvlink"});
      std::vector<Fam> fams;
      if (dim == "tp") fams = {kTP};
      if (dim == "cp") fams = {kCP};
      if (dim == "ep") fams = {kEP};
      if (dim == "dp") fams = {kDP, kEDP, kCPG};
      for (Fam f : fams) parse_collective_options(node, c.coll[f]);
    }
  }
  return c;
}

// Layers of global chunk g of n: as even as possible, the extra ones to the first chunks.
std::pair<uint32_t, uint32_t> chunk_layers(uint32_t layers, uint32_t n, uint32_t g) {
  const uint32_t base = layers / n, extra = layers % n;
  const uint32_t first = g * base + std::min(g, extra);
  return {first, base + (g < extra ? 1 : 0)};
}

double model_flops_per_token(const ModelSpec& m) {
  // 6 x (parameters a token goes through, output layer included) + attention (PaLM's 12 l h s).
  const double h = static_cast<double>(m.hidden);
  return 6 * (m.active_params() + h * static_cast<double>(m.vocab)) +
         12.0 * m.layers * h * static_cast<double>(m.seq_len);
}

double megatron_flops_per_step(const ModelSpec& m, uint64_t batch) {
  const double B = static_cast<double>(batch), s = static_cast<double>(m.seq_len), l = m.layers,
               h = static_cast<double>(m.hidden), V = static_cast<double>(m.vocab);
  return 96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h));
}

}  // namespace

Workload LlmTrainingSource::build(const ConfigNode& spec, const ClusterInfo& cluster) const {
  const Config c = parse(spec, cluster);
  const ModelSpec& m = c.model;
  const ParallelConfig& p = c.par;
  const ParallelLayout layout = make_layout(p);
  const ComputeModel cm = ComputeModel::load(cluster.gpu_model.empty() ? "h100" : cluster.gpu_model,
                                             cluster.gpu_flops, c.calibration);
  const LayerCosts costs(m, p, c.cost, cm);

  Workload w;
  w.kind = "llm";
  w.ranks = p.ranks();
  w.steps = c.steps;
  w.families.resize(kFamilies);
  w.families[kTP] = layout.family(ParallelDim::kTP);
  w.families[kCP] = layout.family(ParallelDim::kCP);
  w.families[kPP] = layout.family(ParallelDim::kPP);
  w.families[kDP] = layout.family(ParallelDim::kDP);
  w.families[kEP] = layout.ep_family();
  w.families[kEDP] = layout.edp_family();
  w.families[kCPG] = layout.family(ParallelDim::kCP);
  w.families[kCPG].name = "cp_grad";
  w.families[kCPG].dim = "dp";  // gradients reduced over CP ranks too: data-parallel traffic
  w.program_family = kPP;
  // TP ranks are symmetric (same program, same traffic on their own rails): one simulates all.
  if (p.tp > 1 && c.fold != "none") {
    w.fold_family = kTP;
    w.fold_forced = c.fold == "force";
  }
  w.streams = {{"compute", StreamKind::kCompute},   {"layer", StreamKind::kCollective},
               {"grad", StreamKind::kCollective},   {"param", StreamKind::kCollective},
               {"pp_send_fwd", StreamKind::kP2P},   {"pp_recv_fwd", StreamKind::kP2P},
               {"pp_send_bwd", StreamKind::kP2P},   {"pp_recv_bwd", StreamKind::kP2P}};

  const uint32_t v = c.chunks, M = c.microbatches, nchunks = p.pp * v;
  const double T = costs.tokens(), h = static_cast<double>(m.hidden);
  const double act_bytes = T * h * 2;             // one micro-batch's activations on a rank
  const double p2p_bytes = act_bytes / p.tp;      // scatter/gather: each TP rank sends its share
  const double kv_bytes = static_cast<double>(c.micro_batch) * static_cast<double>(m.seq_len) * 2 *
                          static_cast<double>(m.kv_dim()) / std::min(p.tp, m.kv_heads) * 2 /
                          std::max(1U, p.tp / m.kv_heads);
  const double a2a_bytes = m.is_moe() ? T * m.moe.top_k * m.moe.capacity_factor * h * 2 : 0;
  const uint32_t ep_size = p.ep;
  const uint32_t edp_size = p.dp / p.ep;
  const double bucket_params = c.bucket_params > 0 ? c.bucket_params : std::max(40e6, 1e6 * p.dp);

  // The model chunks, per stage.
  auto make_chunk = [&](uint32_t g) {
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
  };

  double hardware_flops = 0;
  const uint32_t ranks_per_stage = p.tp * p.cp * p.dp;
  w.programs.resize(p.pp);
  for (uint32_t s = 0; s < p.pp; ++s) {
    Program& prog = w.programs[s];
    prog.name = fmt::format("stage {}", s);
    std::vector<Chunk> chunks;
    for (uint32_t ci = 0; ci < v; ++ci) chunks.push_back(make_chunk(ci * p.pp + s));
    for (const Chunk& ch : chunks) hardware_flops += static_cast<double>(ranks_per_stage) * M * (ch.cost.fwd_flops + ch.cost.bwd_flops);
    const std::vector<PipeOp> order = pipeline_order(c.schedule, p.pp, s, M, v);
    Builder b(c, prog);
    const bool zero12 = c.sharding == Sharding::kZero1 || c.sharding == Sharding::kZero2;
    const bool fsdp = c.sharding == Sharding::kFsdp;
    // An FSDP unit's gather waits for the compute before the one it precedes (prefetch) or for it.
    auto fsdp_gather_dep = [&] {
      const uint32_t n = b.count(kCompute);
      return Dep{kCompute, c.overlap_param && n > 0 ? n - 1 : n};
    };
    auto buckets_of = [&](const Chunk& ch) {
      return static_cast<uint32_t>(std::max(1.0, std::ceil((ch.dense_params + ch.expert_params) / bucket_params)));
    };

    // Blocking collectives of a pass over `layers` layers (of which `moe` MoE layers).
    auto layer_comm = [&](bool forward, uint32_t layers, uint32_t moe, uint32_t step, const std::string& what) {
      const bool again = !forward && c.cost.recompute == Recompute::kFull;  // the recomputed forward's comm
      const uint32_t tp_n = 2 * layers * (again ? 2 : 1);
      const std::vector<Dep> deps{b.after(kCompute)};
      if (p.sequence_parallel) {
        b.collective(kLayer, kTP, p.tp, CollectiveKind::kAllGather, act_bytes, tp_n, step, "tp all_gather " + what, deps);
        b.collective(kLayer, kTP, p.tp, CollectiveKind::kReduceScatter, act_bytes, tp_n, step,
                     "tp reduce_scatter " + what, deps);
      } else {
        b.collective(kLayer, kTP, p.tp, CollectiveKind::kAllReduce, act_bytes, tp_n, step, "tp all_reduce " + what, deps);
      }
      if (forward || again) {
        b.collective(kLayer, kCP, p.cp, CollectiveKind::kAllGather, kv_bytes, layers, step, "cp all_gather kv " + what,
                     deps);
      }
      if (!forward) {
        b.collective(kLayer, kCP, p.cp, CollectiveKind::kReduceScatter, kv_bytes, layers, step,
                     "cp reduce_scatter dkv " + what, deps);
      }
      b.collective(kLayer, kEP, ep_size, CollectiveKind::kAllToAll, a2a_bytes, 2 * moe * (again ? 2 : 1), step,
                   "ep alltoall " + what, deps);
    };
    // Gradient reduction of `params` (dense) and `expert` parameters: over dp (and cp), expert
    // parameters over the expert-data-parallel group. DDP all-reduces; ZeRO/FSDP reduce-scatter.
    auto grad_reduce = [&](double params, double expert, uint32_t step, const std::string& what) {
      const std::vector<Dep> deps{b.after(kCompute)};
      const CollectiveKind kind = c.sharding == Sharding::kNone ? CollectiveKind::kAllReduce : CollectiveKind::kReduceScatter;
      for (auto [fam, size, n] : {std::tuple{kDP, p.dp, params}, std::tuple{kEDP, edp_size, expert}}) {
        const double bytes = n * c.grad_bytes;
        if (p.cp > 1) {  // hierarchically: reduce-scatter over CP, the CP share over DP, gather back
          b.collective(kGrad, kCPG, p.cp, CollectiveKind::kReduceScatter, bytes, 1, step, "cp grad rs " + what, deps);
          b.collective(kGrad, fam, size, kind, bytes / p.cp, 1, step, "grad " + what, deps);
          if (kind == CollectiveKind::kAllReduce) {
            b.collective(kGrad, kCPG, p.cp, CollectiveKind::kAllGather, bytes, 1, step, "cp grad ag " + what, deps);
          }
        } else {
          b.collective(kGrad, fam, size, kind, bytes, 1, step, "grad " + what, deps);
        }
      }
    };
    auto param_gather = [&](double params, double expert, uint32_t step, const std::string& what, std::vector<Dep> deps) {
      for (auto [fam, size, n] : {std::tuple{kDP, p.dp, params}, std::tuple{kEDP, edp_size, expert}}) {
        b.collective(kParam, fam, size, CollectiveKind::kAllGather, n * 2 / std::max(1U, p.cp), 1, step,
                     "param all_gather " + what, deps);
        if (p.cp > 1) {
          b.collective(kParam, kCPG, p.cp, CollectiveKind::kAllGather, n * 2, 1, step, "cp param ag " + what, deps);
        }
      }
    };

    std::vector<Dep> pending;  // deps the next compute op takes on (parameters gathered at a step's end)
    for (uint32_t st = 0; st < c.steps; ++st) {
      // ZeRO-1/2 with overlap: this step's parameter gathers go first; each chunk's first forward
      // waits for its own buckets (Megatron's overlap_param_gather).
      std::vector<std::vector<uint32_t>> gathered(v);  // per chunk, param-stream count after bucket k
      if (zero12 && c.overlap_param) {
        const std::vector<Dep> deps = st > 0 ? std::vector<Dep>{b.after(kCompute)} : std::vector<Dep>{};
        for (uint32_t ci = 0; ci < v; ++ci) {
          const uint32_t nb = buckets_of(chunks[ci]);
          for (uint32_t k = 0; k < nb; ++k) {
            param_gather(chunks[ci].dense_params / nb, chunks[ci].expert_params / nb, st,
                         fmt::format("c{} b{}", ci, k), deps);
            gathered[ci].push_back(b.count(kParam));
          }
        }
      }
      std::vector<bool> seen_fwd(v, false);
      for (const PipeOp& po : order) {
        const Chunk& ch = chunks[po.chunk];
        const uint32_t g = po.chunk * p.pp + s;
        const std::string tag = fmt::format("mb{} c{}", po.microbatch, po.chunk);
        if (po.forward) {
          std::vector<Dep> deps{b.after(kLayer)};
          deps.insert(deps.end(), pending.begin(), pending.end());
          pending.clear();
          if (g > 0) {
            b.p2p(kRecvFwd, false, -1, 0, p2p_bytes, st, "recv act " + tag, {b.after(kCompute), b.after(kLayer)});
            deps.push_back(b.after(kRecvFwd));
          }
          const bool first = !seen_fwd[po.chunk];
          seen_fwd[po.chunk] = true;
          if (fsdp) {
            for (size_t u = 0; u < ch.units.size(); ++u) {
              param_gather(ch.dense_params / ch.units.size(), ch.expert_params / ch.units.size(), st,
                           fmt::format("fwd {} u{}", tag, u),
                           {fsdp_gather_dep()});
              std::vector<Dep> d = deps;
              d.push_back(b.after(kParam));
              d.push_back(b.after(kLayer));
              b.compute(st, fmt::format("fwd {} u{}", tag, u), ch.units[u].fwd_s, d);
              deps.clear();
            }
          } else if (zero12 && c.overlap_param && first) {
            const uint32_t nb = static_cast<uint32_t>(gathered[po.chunk].size());
            for (uint32_t k = 0; k < nb; ++k) {
              std::vector<Dep> d = deps;
              d.push_back(Dep{kParam, gathered[po.chunk][k]});
              b.compute(st, fmt::format("fwd {} b{}", tag, k), ch.cost.fwd_s / nb, d);
              deps.clear();
            }
          } else {
            b.compute(st, "fwd " + tag, ch.cost.fwd_s, deps);
          }
          layer_comm(true, ch.count, ch.moe_layers, st, tag);
          if (g + 1 < nchunks) {
            b.p2p(kSendFwd, true, +1, 0, p2p_bytes, st, "send act " + tag, {b.after(kCompute), b.after(kLayer)});
          }
        } else {
          std::vector<Dep> deps{b.after(kLayer)};
          if (g + 1 < nchunks) {
            b.p2p(kRecvBwd, false, +1, 1, p2p_bytes, st, "recv grad " + tag, {b.after(kCompute), b.after(kLayer)});
            deps.push_back(b.after(kRecvBwd));
          }
          const bool last = po.microbatch + 1 == M;
          if (fsdp) {
            for (size_t i = ch.units.size(); i-- > 0;) {
              param_gather(ch.dense_params / ch.units.size(), ch.expert_params / ch.units.size(), st,
                           fmt::format("bwd {} u{}", tag, i),
                           {fsdp_gather_dep()});
              std::vector<Dep> d = deps;
              d.push_back(b.after(kParam));
              d.push_back(b.after(kLayer));
              b.compute(st, fmt::format("bwd {} u{}", tag, i), ch.units[i].bwd_s, d);
              deps.clear();
              if (last) grad_reduce(ch.dense_params / ch.units.size(), ch.expert_params / ch.units.size(), st,
                                    fmt::format("{} u{}", tag, i));
            }
          } else if (last && c.overlap_grad) {
            const uint32_t nb = buckets_of(ch);
            for (uint32_t k = 0; k < nb; ++k) {
              b.compute(st, fmt::format("bwd {} b{}", tag, k), ch.cost.bwd_s / nb, deps);
              deps.clear();
              grad_reduce(ch.dense_params / nb, ch.expert_params / nb, st, fmt::format("c{} b{}", po.chunk, k));
            }
          } else {
            b.compute(st, "bwd " + tag, ch.cost.bwd_s, deps);
          }
          layer_comm(false, ch.count, ch.moe_layers, st, tag);
          if (g > 0) {
            b.p2p(kSendBwd, true, -1, 1, p2p_bytes, st, "send grad " + tag, {b.after(kCompute), b.after(kLayer)});
          }
        }
      }
      if (!c.overlap_grad && !fsdp) {
        for (uint32_t ci = 0; ci < v; ++ci) {
          const uint32_t nb = buckets_of(chunks[ci]);
          for (uint32_t k = 0; k < nb; ++k) {
            grad_reduce(chunks[ci].dense_params / nb, chunks[ci].expert_params / nb, st, fmt::format("c{} b{}", ci, k));
          }
        }
      }
      // The optimizer updates this rank's parameters (its shard with ZeRO/FSDP) once every
      // gradient is reduced.
      double params = 0;
      for (const Chunk& ch : chunks) {
        params += c.sharding == Sharding::kNone ? ch.dense_params + ch.expert_params
                                                : ch.dense_params / (p.dp * p.cp) + ch.expert_params / (edp_size * p.cp);
      }
      b.compute(st, "optimizer", costs.optimizer_s(params), {b.after(kGrad), b.after(kLayer)});
      if (zero12 && !c.overlap_param) {
        for (uint32_t ci = 0; ci < v; ++ci) {
          param_gather(chunks[ci].dense_params, chunks[ci].expert_params, st, fmt::format("c{}", ci),
                       {b.after(kCompute)});
        }
        pending.push_back(b.after(kParam));
      }
    }
  }

  const double tokens = static_cast<double>(c.global_batch) * static_cast<double>(m.seq_len);
  w.model_flops_per_step = model_flops_per_token(m) * tokens * c.steps / c.steps;
  w.flops_convention = c.flops;
  w.flops_per_step = c.flops == "megatron" ? megatron_flops_per_step(m, c.global_batch)
                     : c.flops == "hardware" ? hardware_flops
                                             : w.model_flops_per_step;
  w.peak_flops_per_gpu = cluster.gpu_flops;
  return w;
}

}  // namespace gigasim
