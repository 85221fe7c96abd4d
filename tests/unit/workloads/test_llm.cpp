// The LLM workload's parts without an engine: model presets (parameter counts against the
// published sizes), pipeline schedules (every pass once, in dependency order, the warm-up
// depths and the bubble of Megatron-LM), the compute model against the measured GEMM points of
// workloads/llm/compute_calibration.yaml (printed with their errors), executed FLOPs against the
// Megatron formula, and the shape of the generated programs (one per stage, op counts that do
// not grow with DP, sends matching receives).
#include <doctest/doctest.h>

#include <cstdio>
#include <map>
#include <set>

#include "sim/core/error.hpp"
#include "workloads/llm/compute_model.hpp"
#include "workloads/llm/layer_costs.hpp"
#include "workloads/llm/model_spec.hpp"
#include "workloads/llm/parallel_layout.hpp"
#include "workloads/llm/pipeline_schedule.hpp"
#include "workloads/workload_source.hpp"

using namespace gigasim;

namespace {

ModelSpec preset(const std::string& name) { return load_model(load_yaml_string(name, "w.yaml")); }

Workload build(const std::string& y, uint32_t gpus = 1024) {
  return build_workload(load_yaml_string(y, "w.yaml"), ClusterInfo{gpus, 8, 989.4e12, "h100"});
}

std::string err(const std::string& y, uint32_t gpus = 1024) {
  try {
    build(y, gpus);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("model presets: parameter counts match the published sizes") {
  struct Row {
    const char* name;
    double published;
    double tolerance;
  };
  // Megatron's table counts 12 l h^2 (1 + 13/(12h) + (V+s)/(12lh)): a tied embedding and
  // position embeddings, so our untied count is larger by about V h; compare like with like.
  for (const Row& r : {Row{"gpt3-175b", 175e9, 0.02}, Row{"llama3-8b", 8.03e9, 0.02}, Row{"llama3-70b", 70.6e9, 0.02},
                       Row{"llama3-405b", 405.8e9, 0.02}, Row{"mixtral-8x7b", 46.7e9, 0.02}}) {
    const ModelSpec m = preset(r.name);
    const double p = m.total_params();
    std::printf("%-14s %8.2f B parameters, published %8.2f B, error %+.2f %%\n", r.name, p / 1e9, r.published / 1e9,
                100 * (p / r.published - 1));
    CHECK(std::fabs(p / r.published - 1) < r.tolerance);
  }
  const ModelSpec mx = preset("mixtral-8x7b");
  std::printf("mixtral-8x7b active %.2f B (published 12.9 B incl. embeddings)\n",
              (mx.active_params() + 2 * mx.embedding_params()) / 1e9);
  CHECK((mx.active_params() + 2 * mx.embedding_params()) / 12.9e9 == doctest::Approx(1).epsilon(0.03));
  for (const char* name : {"megatron-gpt-1.7b", "megatron-gpt-18.4b", "megatron-gpt-145.6b", "megatron-gpt-1008b"}) {
    const ModelSpec m = preset(name);
    const double l = m.layers, h = static_cast<double>(m.hidden), V = static_cast<double>(m.vocab),
                 s = static_cast<double>(m.seq_len);
    const double formula = 12 * l * h * h * (1 + 13 / (12 * h) + (V + s) / (12 * l * h));
    const double ours = m.total_params() - m.embedding_params() + s * h;  // tied, plus positions
    std::printf("%-20s %8.1f B, Megatron's formula %8.1f B\n", name, ours / 1e9, formula / 1e9);
    CHECK(ours / formula == doctest::Approx(1).epsilon(0.001));
  }
}

TEST_CASE("model presets: every preset parses; errors point at the key") {
  CHECK(model_presets().size() >= 16);
  for (const auto& [name, text] : model_presets()) CHECK(preset(name).layers > 0);
  try {
    preset("llama3-4O5b");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("did you mean 'llama3-405b'") != std::string::npos);
  }
  try {
    parse_model(load_yaml_string("layers: 2\nhidden: 100\nheads: 3\nvocab: 10\nseq_len: 8\n", "m.yaml"));
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("m.yaml:3:8") != std::string::npos);
  }
}

TEST_CASE("pipeline schedules: every pass once, backward after forward, Megatron's warm-up") {
  for (auto kind : {PipelineScheduleKind::kGPipe, PipelineScheduleKind::k1F1B, PipelineScheduleKind::kInterleaved}) {
    const uint32_t p = 4, m = 8, v = kind == PipelineScheduleKind::kInterleaved ? 3 : 1;
    for (uint32_t s = 0; s < p; ++s) {
      const auto order = pipeline_order(kind, p, s, m, v);
      CHECK(order.size() == 2 * m * v);
      std::set<std::tuple<bool, uint32_t, uint32_t>> seen;
      for (const PipeOp& op : order) {
        CHECK(seen.insert({op.forward, op.microbatch, op.chunk}).second);
        if (!op.forward) CHECK(seen.count({true, op.microbatch, op.chunk}) == 1);
      }
      // Warm-up: forwards before the first backward.
      size_t warm = 0;
      while (order[warm].forward) ++warm;
      const size_t expect = kind == PipelineScheduleKind::kGPipe  ? m
                            : kind == PipelineScheduleKind::k1F1B ? p - s
                                                                  : (p - s - 1) * 2 + (v - 1) * p + 1;
      CHECK(warm == expect);
    }
  }
  // Interleaved: forwards visit chunk 0 for micro-batches 0..p-1, then chunk 1, ...
  const auto il = pipeline_order(PipelineScheduleKind::kInterleaved, 2, 0, 4, 2);
  CHECK(il[0].chunk == 0);
  CHECK(il[1].chunk == 0);
  CHECK(il[2].chunk == 1);
  CHECK(il[2].microbatch == 0);
  CHECK(pipeline_bubble_s(8, 2, 1.0, 2.0) == doctest::Approx(7 * 3.0 / 2));
}

// The measured points: Azure/AI-benchmarking-guide, Azure_Results/ND_H100_v5_results.md (FP8
// cuBLASLt) and ND_A100_v4_results.md (FP16); the BF16 8192^3 point is the 770-800 TFLOP/s
// measured on one H100 SXM (see workloads/llm/compute_calibration.yaml).
TEST_CASE("compute model: the measured GEMM points (sources above)") {
  struct Point {
    const char* gpu;
    double peak, n, measured;
    bool fp8;
  };
  double worst = 0;
  for (const Point& pt : {Point{"h100", 989.4e12, 8192, 780e12, false}, Point{"h100", 989.4e12, 32768, 1382e12, true},
                          Point{"h100", 989.4e12, 8192, 1290e12, true}, Point{"h100", 989.4e12, 1024, 274e12, true},
                          Point{"a100", 312e12, 16384, 256.5e12, false}}) {
    const ComputeModel cm = ComputeModel::load(pt.gpu, pt.peak);
    const double t = cm.gemm_s(pt.n, pt.n, pt.n, pt.fp8 ? 1 : 2, pt.fp8);
    const double rate = 2 * pt.n * pt.n * pt.n / t;
    const double e = rate / pt.measured - 1;
    worst = std::max(worst, std::fabs(e));
    std::printf("%s %s GEMM %5.0f^3: model %7.1f TFLOP/s, measured %7.1f, error %+.1f %%\n", pt.gpu,
                pt.fp8 ? "FP8 " : "BF16", pt.n, rate / 1e12, pt.measured / 1e12, 100 * e);
    CHECK(std::fabs(e) < 0.05);
  }
  std::printf("worst GEMM error %.1f %%\n", 100 * worst);
  // Small GEMMs run far below peak; memory-bound ones at the HBM roofline.
  const ComputeModel cm = ComputeModel::load("h100", 989.4e12);
  CHECK(cm.gemm_efficiency(256, 256, 256) < 0.5 * cm.gemm_efficiency(8192, 8192, 8192));
  CHECK(cm.gemm_s(1, 16384, 16384) >= 16384.0 * 16384 * 2 / (3.35e12 * 0.89));
  try {
    ComputeModel::load("tpu9", 1e15);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("no compute profile for gpu_model 'tpu9'") != std::string::npos);
  }
}

TEST_CASE("executed FLOPs equal the Megatron formula for GPT models with full recomputation") {
  // With standard attention (no causal skipping) and full recomputation, the work per layer is
  // 4 (24 B s h^2 + 4 B s^2 h) and the output layer 6 B s h V: the paper's 96 B s l h^2 (...).
  for (const char* name : {"megatron-gpt-1.7b", "megatron-gpt-39.1b", "gpt3-175b"}) {
    const ModelSpec m = preset(name);
    ParallelConfig par;
    par.tp = 8;
    CostOptions opt;
    opt.micro_batch = 2;
    opt.recompute = Recompute::kFull;
    opt.flash_attention = false;
    const ComputeModel cm = ComputeModel::load("a100", 312e12);
    const LayerCosts lc(m, par, opt, cm);
    double f = 0;
    for (uint32_t l = 0; l < m.layers; ++l) f += lc.layer(l).fwd_flops + lc.layer(l).bwd_flops;
    f += lc.head().fwd_flops + lc.head().bwd_flops;
    f *= par.tp;  // every TP rank does 1/tp
    const double B = 2, s = static_cast<double>(m.seq_len), L = m.layers, h = static_cast<double>(m.hidden),
                 V = static_cast<double>(m.vocab);
    const double megatron = 96 * B * s * L * h * h * (1 + s / (6 * h) + V / (16 * L * h));
    std::printf("%-18s executed %.4e FLOP per 2 sequences, Megatron's formula %.4e, error %+.2e\n", name, f, megatron,
                f / megatron - 1);
    CHECK(f / megatron == doctest::Approx(1).epsilon(1e-9));
  }
}

TEST_CASE("parallel layout: mixed radix, TP innermost by default; EP inside DP") {
  ParallelConfig c;
  c.tp = 8, c.cp = 2, c.pp = 4, c.dp = 8, c.ep = 4;
  const ParallelLayout l = make_layout(c);
  CHECK(l.stride[0] == 1);
  CHECK(l.stride[1] == 8);
  CHECK(l.stride[2] == 16);
  CHECK(l.stride[3] == 64);
  const uint32_t r = 3 + 8 * 1 + 16 * 2 + 64 * 5;
  CHECK(l.coord(r, ParallelDim::kTP) == 3);
  CHECK(l.coord(r, ParallelDim::kCP) == 1);
  CHECK(l.coord(r, ParallelDim::kPP) == 2);
  CHECK(l.coord(r, ParallelDim::kDP) == 5);
  // EP group of r: DP indices 4..7; expert-DP group: DP indices 1 and 5.
  const GroupFamily ep = l.ep_family(), edp = l.edp_family();
  CHECK(ep.position(r) == 1);
  CHECK(ep.member(r, 0) == r - 64);
  CHECK(edp.size == 2);
  CHECK(edp.member(r, 0) == r - 4 * 64);
  ParallelConfig o = c;
  o.order = {ParallelDim::kDP, ParallelDim::kTP, ParallelDim::kCP, ParallelDim::kPP};
  CHECK(make_layout(o).stride[3] == 1);
  CHECK(make_layout(o).stride[0] == 8);
}

TEST_CASE("llm workload: one program per stage; op count independent of DP; sends match receives") {
  const std::string base =
      "kind: llm\nmodel: llama3-8b\nmicro_batch: 1\nschedule: interleaved\nvirtual_stages: 2\nzero: 1\n";
  const Workload small = build(base + "parallel: {tp: 8, pp: 4, dp: 2}\nglobal_batch: 16\n", 1024);
  const Workload big = build(base + "parallel: {tp: 8, pp: 4, dp: 32}\nglobal_batch: 256\n", 1024);
  CHECK(small.programs.size() == 4);
  CHECK(big.ranks == 1024);
  CHECK(small.program_family >= 0);
  for (size_t s = 0; s < 4; ++s) {
    // The same micro-batches per replica (8): the programs are as long at DP 32 as at DP 2.
    CHECK(small.programs[s].ops.size() == big.programs[s].ops.size());
  }
  // Every activation sent by stage s is received by stage s+1 (cyclically for interleaving).
  std::map<std::pair<size_t, uint32_t>, int> sent, received;
  for (size_t s = 0; s < 4; ++s) {
    for (const Op& op : small.programs[s].ops) {
      if (op.kind == OpKind::kSend) ++sent[{(s + 4 + op.peer) % 4, op.tag}];
      if (op.kind == OpKind::kRecv) ++received[{s, op.tag}];
    }
  }
  CHECK(sent == received);
  CHECK(sent[{1, 0}] == 16);  // 8 micro-batches x 2 chunks into stage 1
  CHECK(sent[{0, 0}] == 8);   // stage 3's chunk 0 feeds stage 0's chunk 1
  CHECK(small.flops_per_step > 0);
  CHECK(small.model_flops_per_step == doctest::Approx(small.flops_per_step));
}

TEST_CASE("llm workload: bad parallel configurations are refused at the key") {
  const std::string m = "kind: llm\nmodel: llama3-8b\n";
  CHECK(err(m + "parallel: {tp: 8, pp: 4, dp: 64}\n").find("more than the cluster's 1024 GPUs") != std::string::npos);
  CHECK(err(m + "parallel: {tp: 8, pp: 40}\n").find("more than the 32 layers") != std::string::npos);
  CHECK(err(m + "parallel: {tp: 3}\n").find("does not divide the 32 attention heads") != std::string::npos);
  CHECK(err(m + "parallel: {tp: 8, ep: 2}\n").find("needs a mixture-of-experts model") != std::string::npos);
  CHECK(err(m + "parallel: {tp: 8, dp: 4}\nglobal_batch: 10\n").find("not a multiple of micro_batch x dp") !=
        std::string::npos);
  CHECK(err(m + "parallel: {tp: 8, pp: 4, dp: 2}\nschedule: interleaved\nglobal_batch: 6\n")
            .find("multiple of pp") != std::string::npos);
  CHECK(err(m + "parallel: {tp: 8, order: [tp, pp, pp, dp]}\n").find("w.yaml:3:35: error: 'pp' appears twice") !=
        std::string::npos);
  CHECK(err(m + "parallel: {tp: 8}\nrecompute: most\n").find("recompute must be none, selective or full") !=
        std::string::npos);
}
