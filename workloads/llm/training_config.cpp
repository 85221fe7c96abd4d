#include "workloads/llm/training_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "sim/core/memory_budget.hpp"

namespace gigasim::llm {
namespace {

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

}  // namespace

TrainingConfig parse_training_config(const ConfigNode& spec, const ClusterInfo& cluster) {
  spec.check_keys({"kind", "model", "steps", "parallel", "micro_batch", "global_batch", "schedule", "virtual_stages",
                   "recompute", "zero", "grad_bucket", "overlap_grad_reduce", "overlap_param_gather", "grad_dtype",
                   "precision", "attention", "causal", "flops", "compute", "collectives", "fold"});
  TrainingConfig c;
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

}  // namespace gigasim::llm
