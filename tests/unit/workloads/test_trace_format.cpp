#include <doctest/doctest.h>

#include <sstream>

#include "sim/core/error.hpp"
#include "workloads/trace_format.hpp"

using namespace gigasim;

namespace {

// Two pipeline stages of 4 tensor-parallel ranks, 2 data-parallel replicas: every kind of op,
// every stream kind, deps across streams, fields away from their defaults.
Workload sample() {
  Workload w;
  w.kind = "hand";
  w.ranks = 16;
  w.steps = 2;
  w.model_flops_per_step = 1.5e18;
  w.flops_per_step = 2e18;
  w.flops_convention = "megatron";
  w.peak_flops_per_gpu = 989.4e12;
  w.families = {GroupFamily{"tp", "tp", 4, 1, 16, 0}, GroupFamily{"pp", "pp", 2, 4, 16, 0},
                GroupFamily{"dp", "dp", 2, 8, 16, 0}, GroupFamily{"upper", "custom", 4, 2, 8, 8}};
  w.streams = {Stream{"compute", StreamKind::kCompute}, Stream{"tp", StreamKind::kCollective},
               Stream{"dp", StreamKind::kCollective}, Stream{"pp send", StreamKind::kP2P},
               Stream{"pp_recv", StreamKind::kP2P}};
  w.program_family = 1;
  for (uint32_t stage = 0; stage < 2; ++stage) {
    Program p;
    p.name = stage == 0 ? "stage 0" : "";
    for (uint32_t step = 0; step < 2; ++step) {
      Op recv;
      recv.kind = OpKind::kRecv;
      recv.stream = 4;
      recv.step = step;
      recv.family = 1;
      recv.bytes = 3.25e6;
      recv.peer = -1;
      recv.tag = 7;
      recv.label = "recv \"act\": yes";
      if (stage == 1) p.ops.push_back(recv);
      Op fwd;
      fwd.step = step;
      fwd.label = "forward[0]";
      fwd.seconds = 0.1 + 0.2;  // not a short decimal
      if (stage == 1) fwd.deps = {Dep{4, step + 1}};
      p.ops.push_back(fwd);
      Op ag;
      ag.kind = OpKind::kCollective;
      ag.collective = CollectiveKind::kAllGather;
      ag.stream = 1;
      ag.step = step;
      ag.family = 0;
      ag.bytes = 1 << 20;
      ag.repeat = 48;
      ag.algorithm = "ring";
      ag.protocol = Protocol::kLL128;
      ag.fidelity = Fidelity::kAnalytic;
      ag.channels = 4;
      ag.nvlink_analytic = true;
      ag.deps = {Dep{0, 2 * step + 1}};
      p.ops.push_back(ag);
      Op send = recv;
      send.kind = OpKind::kSend;
      send.stream = 3;
      send.peer = 1;
      send.label = "send\tä";
      send.deps = {Dep{1, step + 1}, Dep{0, 2 * step + 1}};
      if (stage == 0) p.ops.push_back(send);
      Op bwd = fwd;
      bwd.label = "backward";
      bwd.seconds = 2e-5;
      bwd.deps = {Dep{1, step + 1}};
      p.ops.push_back(bwd);
      Op bc;
      bc.kind = OpKind::kCollective;
      bc.collective = CollectiveKind::kBroadcast;
      bc.stream = 2;
      bc.step = step;
      bc.family = 2;
      bc.bytes = 0;
      bc.root = 1;
      bc.deps = {Dep{0, 2 * step + 2}};
      p.ops.push_back(bc);
    }
    w.programs.push_back(p);
  }
  return w;
}

std::string text_of(const Workload& w) {
  std::ostringstream out;
  write_trace(w, out);
  return out.str();
}

Workload read_text(const std::string& text) { return read_trace(load_yaml_string(text, "t.yaml")); }

std::string error_of(const std::string& text) {
  try {
    read_text(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

void check_same(const Op& a, const Op& b) {
  CHECK(a.kind == b.kind);
  CHECK(a.stream == b.stream);
  CHECK(a.step == b.step);
  CHECK(a.label == b.label);
  REQUIRE(a.deps.size() == b.deps.size());
  for (size_t i = 0; i < a.deps.size(); ++i) {
    CHECK(a.deps[i].stream == b.deps[i].stream);
    CHECK(a.deps[i].count == b.deps[i].count);
  }
  CHECK(a.seconds == b.seconds);  // exact: numbers are written to round-trip
  CHECK(a.family == b.family);
  CHECK(a.bytes == b.bytes);
  CHECK(a.collective == b.collective);
  CHECK(a.root == b.root);
  CHECK(a.repeat == b.repeat);
  CHECK(a.algorithm == b.algorithm);
  CHECK(a.protocol == b.protocol);
  CHECK(a.fidelity == b.fidelity);
  CHECK(a.channels == b.channels);
  CHECK(a.nvlink_analytic == b.nvlink_analytic);
  CHECK(a.peer == b.peer);
  CHECK(a.tag == b.tag);
}

// A valid trace to break one line at a time.
const std::string kSmall =
    "format: gigasim-trace\n"
    "version: 1\n"
    "ranks: 8\n"
    "groups:\n"
    "  - {name: dp, dim: dp, size: 8}\n"
    "streams:\n"
    "  - {name: compute, kind: compute}\n"
    "  - {name: comm, kind: collective}\n"
    "programs:\n"
    "  - ops:\n"
    "      - {kind: compute, seconds: 10ms}\n"
    "      - {kind: all_reduce, group: dp, bytes: 25MiB, deps: {compute: 1}}\n";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("trace: a multi-program, multi-stream workload round-trips field by field") {
  const Workload w = sample();
  const std::string text = text_of(w);
  const Workload r = read_text(text);
  CHECK(r.kind == w.kind);
  CHECK(r.ranks == w.ranks);
  CHECK(r.steps == w.steps);
  CHECK(r.program_family == w.program_family);
  CHECK(r.model_flops_per_step == w.model_flops_per_step);
  CHECK(r.flops_per_step == w.flops_per_step);
  CHECK(r.flops_convention == w.flops_convention);
  CHECK(r.peak_flops_per_gpu == w.peak_flops_per_gpu);
  REQUIRE(r.families.size() == w.families.size());
  for (size_t i = 0; i < w.families.size(); ++i) {
    CHECK(r.families[i].name == w.families[i].name);
    CHECK(r.families[i].dim == w.families[i].dim);
    CHECK(r.families[i].size == w.families[i].size);
    CHECK(r.families[i].stride == w.families[i].stride);
    CHECK(r.families[i].span == w.families[i].span);
    CHECK(r.families[i].base == w.families[i].base);
  }
  REQUIRE(r.streams.size() == w.streams.size());
  for (size_t i = 0; i < w.streams.size(); ++i) {
    CHECK(r.streams[i].name == w.streams[i].name);
    CHECK(r.streams[i].kind == w.streams[i].kind);
  }
  REQUIRE(r.programs.size() == w.programs.size());
  for (size_t p = 0; p < w.programs.size(); ++p) {
    CHECK(r.programs[p].name == w.programs[p].name);
    REQUIRE(r.programs[p].ops.size() == w.programs[p].ops.size());
    for (size_t i = 0; i < w.programs[p].ops.size(); ++i) check_same(r.programs[p].ops[i], w.programs[p].ops[i]);
  }
  // Late errors (at replay) point into the trace.
  CHECK(r.programs[0].ops[0].where.rfind("t.yaml:", 0) == 0);
  // Writing what was read gives the same text.
  CHECK(text_of(r) == text);
  MESSAGE("trace of the sample workload:\n" << text);
}

TEST_CASE("trace: defaults are left out and hand-written units are read") {
  const std::string text = text_of(sample());
  CHECK(text.find("step: 0") == std::string::npos);
  CHECK(text.find("stream: compute") == std::string::npos);  // the first compute stream
  CHECK(text.find("stream: pp_recv") != std::string::npos);
  const Workload w = read_text(kSmall);
  CHECK(w.kind == "trace");
  CHECK(w.steps == 1);
  CHECK(w.program_family == -1);
  CHECK(w.ops()[0].seconds == doctest::Approx(0.01));
  CHECK(w.ops()[1].bytes == 25.0 * 1048576);
  CHECK(w.ops()[1].stream == 1);
  CHECK(w.families[0].span == 8);
}

TEST_CASE("trace: bad input gives file:line:col and what to do") {
  CHECK(error_of(kSmall).empty());
  CHECK(error_of(replace(kSmall, "seconds: 10ms", "secnds: 10ms"))
            .find("t.yaml:11:25: error: unknown key 'secnds' in 'programs[0].ops[0]' (did you mean 'seconds'?)") == 0);
  CHECK(error_of(replace(kSmall, "group: dp,", "group: dq,"))
            .find("t.yaml:12:35: error: unknown group 'dq' (did you mean 'dp'?) (groups: dp)") == 0);
  CHECK(error_of(replace(kSmall, "{compute: 1}", "{compute: 2}"))
            .find("t.yaml:12:69: error: waits for 2 ops of stream 'compute', but program 0 has 1") == 0);
  CHECK(error_of(replace(kSmall, "{compute: 1}", "{compte: 1}")).find("t.yaml:12:60: error: unknown stream 'compte'") == 0);
  CHECK(error_of(replace(kSmall, "kind: all_reduce", "kind: allreduce"))
            .find("t.yaml:12:16: error: unknown op kind 'allreduce' (did you mean 'all_reduce'?)") == 0);
  CHECK(error_of(replace(kSmall, "bytes: 25MiB", "bytes: 25MiB, stream: compute"))
            .find("t.yaml:12:61: error: all_reduce ops cannot run on stream 'compute' (a compute stream)") == 0);
  CHECK(error_of(replace(kSmall, "seconds: 10ms", "seconds: ten")).find("t.yaml:11:34: error:") == 0);
  CHECK(error_of(replace(kSmall, "size: 8}", "size: 3}")).find("t.yaml:5:5: error: groups of 3 members") == 0);
  CHECK(error_of(replace(kSmall, "version: 1", "version: 3")).find("t.yaml:2:10: error: trace version 3") == 0);
  CHECK(error_of(replace(kSmall, "ranks: 8\n", "ranks: 8\nfold_by: tq\n")).find("t.yaml:4:10: error: unknown group") == 0);
  CHECK(error_of(replace(kSmall, "ranks: 8\n", "ranks: 8\nfold_forced: true\n")).find("t.yaml:4:14: error: fold_forced without fold_by") == 0);
  CHECK(error_of(replace(kSmall, "format: gigasim-trace", "format: chakra")).find("t.yaml:1:9: error:") == 0);
  CHECK(error_of(replace(kSmall, "ranks: 8\n", "ranks: 8\nstesp: 2\n"))
            .find("t.yaml:4:1: error: unknown key 'stesp' (did you mean 'steps'?)") == 0);
  CHECK(error_of(replace(kSmall, "ranks: 8\n", "ranks: 8\nprograms_by: dp\n"))
            .find("t.yaml:4:14: error: programs_by group 'dp' must cover all 8 ranks with one position per program") ==
        0);
  CHECK(error_of(replace(kSmall, "{kind: compute, seconds", "{kind: compute, step: 1, seconds")).find("t.yaml:11:") ==
        0);
}
