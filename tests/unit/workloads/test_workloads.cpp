#include <doctest/doctest.h>

#include "sim/core/error.hpp"
#include "workloads/workload_source.hpp"

using namespace gigasim;

namespace {
const ClusterInfo kCluster{128, 8, 989.4e12};
Workload build(const std::string& y) { return build_workload(load_yaml_string(y, "w.yaml"), kCluster); }
std::string err(const std::string& y) {
  try {
    build(y);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("data_parallel: buckets, dependencies and bytes per step") {
  const Workload w = build(
      "kind: data_parallel\nsteps: 2\ncompute: {forward: 10ms, backward: 20ms, optimizer: 1ms}\n"
      "gradients: 100MiB\nbucket_size: 25MiB\n");
  CHECK(w.ranks == 128);
  CHECK(w.steps == 2);
  REQUIRE(w.families.size() == 1);
  CHECK(w.families[0].size == 128);
  size_t computes = 0, comms = 0;
  double bytes = 0, compute_s = 0;
  for (const Op& op : w.ops()) {
    if (op.kind == OpKind::kCompute) {
      ++computes;
      compute_s += op.seconds;
    } else {
      ++comms;
      bytes += op.bytes;
      CHECK(op.collective == CollectiveKind::kAllReduce);
    }
  }
  CHECK(comms == 2 * 4);
  CHECK(computes == 2 * (1 + 4 + 1));
  CHECK(bytes == doctest::Approx(2 * 100.0 * 1048576));
  CHECK(compute_s == doctest::Approx(2 * 0.031));
  // With overlap each bucket waits only for its own backward slice.
  CHECK(w.ops()[2].kind == OpKind::kCollective);
  REQUIRE(w.ops()[2].deps.size() == 1);
  CHECK(w.ops()[2].deps[0].stream == 0);
  CHECK(w.ops()[2].deps[0].count == 2);  // forward + backward[0]
  // The next step's forward waits for every all-reduce of this step (through the optimizer).
  const Op& opt = w.ops()[9];
  CHECK(opt.label == "optimizer");
  REQUIRE(opt.deps.size() == 1);
  CHECK(opt.deps[0].stream == 1);
  CHECK(opt.deps[0].count == 4);
}

TEST_CASE("data_parallel without overlap reduces after the whole backward pass") {
  const Workload w = build("kind: data_parallel\ncompute: {time: 30ms}\ngradients: 50MiB\noverlap: false\n");
  for (const Op& op : w.ops()) {
    if (op.kind == OpKind::kCollective) CHECK(op.deps.at(0).count == 3);
  }
}

TEST_CASE("data_parallel compute from FLOPs at an efficiency of the GPU peak") {
  const Workload w = build("kind: data_parallel\ncompute: {flops: 989.4TFLOP, efficiency: 0.5}\ngradients: 1MiB\n");
  double t = 0;
  for (const Op& op : w.ops()) t += op.kind == OpKind::kCompute ? op.seconds : 0;
  CHECK(t == doctest::Approx(2.0));
}

TEST_CASE("collective workload: groups, fidelity auto and errors") {
  const Workload w = build("kind: collective\nop: all_reduce\nsize: 1GiB\nranks: 64\ngroup: {size: 8, stride: 1}\niterations: 3\n");
  CHECK(w.ops().size() == 3);
  CHECK(w.families[0].group_count() == 8);
  CHECK(!w.ops()[0].fidelity);
  const Workload big = build("kind: collective\nop: all_reduce\nsize: 1GiB\n");
  CHECK(big.ops()[0].algorithm == "auto");
  const Workload forced = build("kind: collective\nop: all_gather\nsize: 1GiB\nfidelity: collapsed\n");
  CHECK(forced.ops()[0].fidelity == Fidelity::kCollapsed);

  CHECK(err("kind: collective\nop: all_reduce\nsize: 1GiB\nranks: 256\n").find("w.yaml:4:8: error: ranks = 256 is larger than the cluster") == 0);
  CHECK(err("kind: collective\nop: allreduce\nsize: 1GiB\n").find("unknown collective 'allreduce'") != std::string::npos);
  CHECK(err("kind: collective\nop: all_reduce\nsize: 1GiB\ngroup: {size: 48}\n").find("do not tile") != std::string::npos);
  CHECK(err("kind: collective\nop: all_reduce\nsize: 1GiB\nalgorithm: trees\n").find("unknown collective algorithm 'trees'") != std::string::npos);
  CHECK(err("kind: collectiv\n").find("did you mean 'collective'") != std::string::npos);
  CHECK(err("kind: collective\nop: all_reduce\nsize: -1GiB\n").find("must not be negative") != std::string::npos);
}

TEST_CASE("group families partition ranks by arithmetic") {
  GroupFamily f{"dp", "dp", 4, 8, 64};
  CHECK(f.group_count() == 16);
  CHECK(f.position(19) == 2);
  CHECK(f.member(19, 0) == 3);
  CHECK(f.peer(19, 1) == 27);
  CHECK(f.peer(27, 1) == 3);
  CHECK(f.peer(3, -1) == 27);
  CHECK(f.group_index(19) != f.group_index(20));
  CHECK(f.group_index(19) == f.group_index(27));
}
