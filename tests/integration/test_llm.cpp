// LLM training steps in SimGrid against what can be computed by hand: the 1F1B pipeline's step
// time from its stages' compute times (fill, steady state and drain), the pipeline bubble the
// breakdown reports, data-parallel gradient reduction hidden behind the backward pass, and the
// NVLink shortcut (tensor-parallel collectives as closed forms) against the same collectives as
// flows. Each replay is its own process.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>

#include "harness.hpp"

using namespace gigasim;
using namespace gigasim::test;

namespace {

// A small GPT-like model whose stages cost the same: a tiny vocabulary keeps the embedding and
// the output layer negligible.
const char* kModel =
    "model: {name: uniform, layers: 8, hidden: 2048, heads: 16, ffn_hidden: 8192, vocab: 16, seq_len: 4096}\n";

double stage_seconds(const Workload& w, uint32_t stage, const char* prefix) {
  double t = 0;
  for (const Op& op : w.programs[stage].ops) {
    if (op.kind == OpKind::kCompute && op.label.rfind(prefix, 0) == 0) t += op.seconds;
  }
  return t;
}

double llm_step(const std::string& extra, const std::string& topo = fat_tree(4, 8, 2, 16, "1")) {
  const auto r = replay(topo, std::string("kind: llm\n") + kModel + extra);
  REQUIRE(r.res.ok);
  return r.res.steps[0].duration();
}

}  // namespace

TEST_CASE("llm_pipeline_1f1b_closed_form") {
  // PP 4, 8 micro-batches, nothing else: 1F1B's step is the fill and drain through every stage
  // once plus (m-1) steady-state pairs on the slowest stage, plus the activations' and
  // gradients' hops (NVLink here: the four stages share a server), plus the optimizer.
  const auto r = replay(fat_tree(4, 8, 2, 16, "1"),
                        std::string("kind: llm\n") + kModel +
                            "parallel: {tp: 1, pp: 4, dp: 1}\nmicro_batch: 1\nglobal_batch: 8\nschedule: 1f1b\n");
  REQUIRE(r.res.ok);
  const uint32_t p = 4, m = 8;
  double sum = 0, slowest = 0, opt = 0;
  for (uint32_t s = 0; s < p; ++s) {
    const double pair = (stage_seconds(r.work, s, "fwd") + stage_seconds(r.work, s, "bwd")) / m;
    sum += pair;
    slowest = std::max(slowest, pair);
    opt = std::max(opt, stage_seconds(r.work, s, "optimizer"));
  }
  const double hop = r.topo.path_latency(0, 1) + 4096.0 * 2048 * 2 / 450e9;
  const double expected = sum + (m - 1) * slowest + 2 * (p - 1) * hop + opt;
  const StepRecord& st = r.res.steps[0];
  const double sim = st.duration();
  std::printf("1F1B, p=4, m=8: step %.6f s, closed form %.6f s (fill/drain %.6f, steady %.6f), error %+.2e\n", sim,
              expected, sum, (m - 1) * slowest, rel_err(sim, expected));
  CHECK(std::fabs(rel_err(sim, expected)) < 0.01);
  // The critical rank's breakdown: its compute plus the bubble (and a few hops) is the step.
  const double bubble = st.breakdown[static_cast<size_t>(TimeClass::kBubble)];
  const double pp = st.breakdown[static_cast<size_t>(TimeClass::kPP)];
  std::printf("breakdown: compute %.6f, bubble %.6f, pp %.6f (bubble (p-1)(tf+tb) = %.6f)\n", st.compute_s(), bubble,
              pp, (p - 1) * slowest);
  CHECK(st.compute_s() + bubble + pp == doctest::Approx(sim).epsilon(1e-6));
  CHECK(bubble == doctest::Approx((p - 1) * slowest).epsilon(0.03));
}

TEST_CASE("sub_llm_dp_overlap" * doctest::skip()) {
  std::printf("RESULT %.12g\n", llm_step("parallel: {tp: 8, dp: 4}\nglobal_batch: 16\noverlap_grad_reduce: true\ngrad_bucket: 10MiB\n"));
}
TEST_CASE("sub_llm_dp_no_overlap" * doctest::skip()) {
  std::printf("RESULT %.12g\n", llm_step("parallel: {tp: 8, dp: 4}\nglobal_batch: 16\noverlap_grad_reduce: false\ngrad_bucket: 10MiB\n"));
}

TEST_CASE("llm_dp_overlap_hides_gradient_reduction") {
  // DP 4 across servers (TP 8 fills each): the gradient all-reduce runs in buckets during the
  // last micro-batch's backward, or all after it. Overlap saves most of the reduction time.
  const double with = child_result("sub_llm_dp_overlap"), without = child_result("sub_llm_dp_no_overlap");
  // Gradients: this rank's share of the model (1/8 of it with TP 8), in BF16; a ring over 4
  // servers moves 2 (n-1)/n of it through each 400 Gb/s NIC.
  const double params = 8 * (4.0 * 2048 * 2048 + 2.0 * 2048 * 8192 + 4 * 2048) / 8 + 2 * 16 * 2048 / 8;
  const double reduce = 2 * 0.75 * params * 2 / 50e9;
  std::printf("step with overlap %.6f s, without %.6f s: saved %.6f s of a %.6f s reduction\n", with, without,
              without - with, reduce);
  CHECK(without > with);
  CHECK(without - with > 0.5 * reduce);
  CHECK(without - with < 1.01 * reduce);
}

TEST_CASE("sub_llm_tp_flows" * doctest::skip()) {
  std::printf("RESULT %.12g\n",
              llm_step("parallel: {tp: 8, pp: 2, dp: 2}\nglobal_batch: 8\ncollectives: {tp: {nvlink: flows}}\n"));
}
TEST_CASE("sub_llm_tp_analytic" * doctest::skip()) {
  std::printf("RESULT %.12g\n",
              llm_step("parallel: {tp: 8, pp: 2, dp: 2}\nglobal_batch: 8\ncollectives: {tp: {nvlink: analytic}}\n"));
}

TEST_CASE("llm_tp_analytic_matches_flows") {
  // Tensor parallelism inside a server: its collectives as closed forms (the default) or as
  // NVLink flows. Nothing else crosses NVLink here, so the two agree.
  const double flows = child_result("sub_llm_tp_flows"), analytic = child_result("sub_llm_tp_analytic");
  std::printf("TP 8 x PP 2 x DP 2 step: NVLink flows %.6f s, analytic %.6f s, error %+.2e\n", flows, analytic,
              rel_err(analytic, flows));
  CHECK(std::fabs(rel_err(analytic, flows)) < 0.005);
}
