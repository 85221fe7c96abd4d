// Chakra ET import, without an engine: ET files written with our schema, read back as workloads.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sim/core/error.hpp"
#include "tests/tools/chakra_et_writer.hpp"
#include "workloads/workload_source.hpp"

using namespace gigasim;
using namespace gigasim::test;

namespace {

const ClusterInfo kCluster{16, 8, 989.4e12};

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("gigasim_chakra_" + std::to_string(getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string prefix(const std::string& name) const { return (path / name).string(); }
};

Workload import(const std::string& yaml) { return build_workload(load_yaml_string(yaml, "w.yaml"), kCluster); }

std::string error_of(const std::string& yaml) {
  try {
    import(yaml);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// ASTRA-sim-style microbenchmark: each rank computes, then all-reduces.
void microbenchmark(const std::string& prefix, uint32_t ranks, et::CollectiveCommType type = et::ALL_REDUCE) {
  for (uint32_t r = 0; r < ranks; ++r) {
    write_et(prefix + "." + std::to_string(r) + ".et", {compute(1, "GEMM", 100), collective(2, "AR", type, 1 << 20, {1})});
  }
}

}  // namespace

TEST_CASE("chakra: a microbenchmark template replicated over the cluster") {
  TempDir d;
  microbenchmark(d.prefix("ar"), 4);
  const Workload w = import("kind: chakra\nprefix: " + d.prefix("ar") + "\ntemplate_ranks: 4\n");
  CHECK(w.kind == "chakra");
  CHECK(w.ranks == 16);  // 4 replicas
  REQUIRE(w.programs.size() == 1);  // identical traces share one program
  CHECK(w.program_family == -1);
  REQUIRE(w.ops().size() == 2);
  CHECK(w.ops()[0].kind == OpKind::kCompute);
  CHECK(w.ops()[0].seconds == doctest::Approx(100e-6));
  const Op& ar = w.ops()[1];
  CHECK(ar.kind == OpKind::kCollective);
  CHECK(ar.collective == CollectiveKind::kAllReduce);
  CHECK(ar.bytes == 1 << 20);
  REQUIRE(ar.deps.size() == 1);
  CHECK(ar.deps[0].stream == 0);
  CHECK(ar.deps[0].count == 1);
  const GroupFamily& g = w.families[ar.family];
  CHECK(g.size == 4);
  CHECK(g.stride == 1);
  CHECK(g.group_count() == 4);
  CHECK(ar.where.find("ar.0.et node 2") != std::string::npos);

  // comm_size is one rank's input: an all-gather's buffer is n times it.
  microbenchmark(d.prefix("ag"), 4, et::ALL_GATHER);
  const Workload ag = import("kind: chakra\nprefix: " + d.prefix("ag") + "\ntemplate_ranks: 4\nreplicas: 2\n");
  CHECK(ag.ranks == 8);
  CHECK(ag.ops()[1].collective == CollectiveKind::kAllGather);
  CHECK(ag.ops()[1].bytes == 4.0 * (1 << 20));
}

TEST_CASE("chakra: dependencies through placeholders become stream counts") {
  TempDir d;
  et::Node cpu = compute(1, "aten::linear", 50);
  cpu.mutable_attr(0)->set_bool_val(true);  // is_cpu_op: a placeholder
  et::Node invalid = node(7, "marker", et::INVALID_NODE, {5});
  // File order is not dependency order: node 3 comes before node 2 it depends on.
  write_et(d.prefix("g") + ".0.et",
           {cpu, collective(3, "grad AR", et::ALL_REDUCE, 4096, {2}), compute(2, "fwd", 10, {1}),
            compute(4, "independent", 20, {1}), compute(5, "after AR", 30, {3}), invalid,
            collective(8, "after marker", et::BROADCAST, 8, {7}), compute(9, "zero", 0, {8}), compute(10, "last", 1, {9})});
  const Workload w = import("kind: chakra\nprefix: " + d.prefix("g") + "\ntemplate_ranks: 1\nreplicas: 1\n");
  const std::vector<Op>& ops = w.ops();
  REQUIRE(ops.size() == 6);
  CHECK(ops[0].label == "fwd");
  CHECK(ops[0].deps.empty());           // on a placeholder only
  CHECK(ops[1].label == "grad AR");
  REQUIRE(ops[1].deps.size() == 1);
  CHECK(ops[1].deps[0].stream == 0);
  CHECK(ops[1].deps[0].count == 1);
  CHECK(ops[2].label == "independent");
  CHECK(ops[2].deps.empty());
  CHECK(ops[3].label == "after AR");
  REQUIRE(ops[3].deps.size() == 1);     // on its own stream: implied by order
  CHECK(ops[3].deps[0].stream == 1);
  CHECK(ops[3].deps[0].count == 1);
  CHECK(ops[4].label == "after marker");  // through the INVALID node to "after AR"
  REQUIRE(ops[4].deps.size() == 1);
  CHECK(ops[4].deps[0].stream == 0);
  CHECK(ops[4].deps[0].count == 3);
  CHECK(ops[5].label == "last");        // through the zero-duration compute to "after marker"
  REQUIRE(ops[5].deps.size() == 1);
  CHECK(ops[5].deps[0].stream == 1);
  CHECK(ops[5].deps[0].count == 2);

  // Two steps: the second repeats the first after it, counts shifted.
  const Workload two = import("kind: chakra\nprefix: " + d.prefix("g") + "\ntemplate_ranks: 1\nreplicas: 1\nsteps: 2\n");
  REQUIRE(two.ops().size() == 12);
  CHECK(two.ops()[6].step == 1);
  CHECK(two.ops()[6].label == "fwd");
  REQUIRE(two.ops()[6].deps.size() == 1);  // the first compute op of step 1 waits for step 0's collectives
  CHECK(two.ops()[6].deps[0].stream == 1);
  CHECK(two.ops()[6].deps[0].count == 2);
  CHECK(two.ops()[7].deps.at(0).count == 1 + 4);  // "grad AR": step 0's 4 compute ops + its own
}

TEST_CASE("chakra: sends and receives, one program per rank, and programs_by") {
  TempDir d;
  write_et(d.prefix("pp") + ".0.et", {compute(1, "stage0", 10), p2p(2, "send act", true, 1, 1000, {1}, 5)});
  write_et(d.prefix("pp") + ".1.et", {p2p(1, "recv act", false, 0, 1000, {}, 5), compute(2, "stage1", 10, {1})});
  const Workload w = import("kind: chakra\nprefix: " + d.prefix("pp") + "\ntemplate_ranks: 2\n");
  CHECK(w.ranks == 16);
  REQUIRE(w.programs.size() == 2);
  CHECK(w.program_family == 0);
  CHECK(w.program_of(5) == 1);
  const Op& send = w.programs[0].ops[1];
  CHECK(send.kind == OpKind::kSend);
  CHECK(w.streams[send.stream].name == "send");
  CHECK(send.peer == 1);
  CHECK(send.tag == 5);
  CHECK(send.bytes == 1000);
  const Op& recv = w.programs[1].ops[0];
  CHECK(recv.kind == OpKind::kRecv);
  CHECK(w.streams[recv.stream].name == "recv");
  CHECK(recv.peer == -1);
  CHECK(w.programs[1].ops[1].deps.at(0).stream == recv.stream);

  // A 2x2 template (tp inside pp): programs_by pp reads ranks 0 and 2 only; dp runs across replicas.
  for (uint32_t r : {0U, 2U}) {
    write_et(d.prefix("tp") + "." + std::to_string(r) + ".et",
             {compute(1, "layer", 10 + r), collective(2, "tp AR", et::ALL_REDUCE, 64, {1}, "tp"),
              collective(3, "dp AR", et::ALL_REDUCE, 128, {2}, "dp")});
  }
  const std::string spec = "kind: chakra\nprefix: " + d.prefix("tp") +
                           "\ntemplate_ranks: 4\ngroups: {tp: {size: 2, dim: tp}, pp: {size: 2, stride: 2, dim: pp}, "
                           "dp: replicas}\n";
  const Workload tp = import(spec + "programs_by: pp\n");
  REQUIRE(tp.programs.size() == 2);
  CHECK(tp.families[static_cast<size_t>(tp.program_family)].name == "pp");
  CHECK(tp.program_of(3) == 1);
  CHECK(tp.programs[1].ops[0].seconds == doctest::Approx(12e-6));
  const GroupFamily& dp = tp.families[tp.programs[0].ops[2].family];
  CHECK(dp.name == "dp");
  CHECK(dp.dim == "dp");
  CHECK(dp.size == 4);
  CHECK(dp.stride == 4);
  // Without programs_by the files of ranks 1 and 3 are needed.
  CHECK(error_of(spec).find("tp.1.et' not found") != std::string::npos);
}

TEST_CASE("chakra: bad traces and specs name the file and what to do") {
  TempDir d;
  const std::string p = d.prefix("bad");
  const std::string spec = "kind: chakra\nprefix: " + p + "\ntemplate_ranks: 1\n";
  CHECK(error_of(spec).find("w.yaml:2:9: error: Chakra trace '" + p + ".0.et' not found") == 0);
  write_et(p + ".0.et", {collective(1, "AR", et::ALL_REDUCE, 64, {}, "tp")});
  CHECK(error_of(spec).find(p + ".0.et: error: node 1 ('AR'): process group 'tp' is not in the workload's 'groups'") ==
        0);
  write_et(p + ".0.et", {compute(1, "a", 1, {2}), compute(2, "b", 1, {1})});
  CHECK(error_of(spec).find("is part of a dependency cycle") != std::string::npos);
  write_et(p + ".0.et", {compute(1, "a", 1, {9})});
  CHECK(error_of(spec).find("node 1 ('a') depends on node 9, which is not in the file") != std::string::npos);
  write_et(p + ".0.et", {node(1, "c", et::COMM_COLL_NODE)});
  CHECK(error_of(spec).find("COMM_COLL_NODE needs the attribute 'comm_type'") != std::string::npos);
  write_et(p + ".0.et", {collective(1, "gather", et::GATHER, 64)});
  CHECK(error_of(spec).find("comm_type 3 (GATHER) is not supported") != std::string::npos);
  write_et(p + ".0.et", {compute(1, "a", 1), compute(2, "b", 1)});
  std::filesystem::resize_file(p + ".0.et", std::filesystem::file_size(p + ".0.et") - 3);
  CHECK(error_of(spec).find("message 2 (") != std::string::npos);
  CHECK(error_of(spec + "template_ranks_: 2\n").find("w.yaml:4:1: error: unknown key 'template_ranks_'") == 0);
  CHECK(error_of("kind: chakra\nprefix: " + p + "\ntemplate_ranks: 32\n").find("w.yaml:3:17: error: template_ranks = 32") == 0);
  // Ranks whose traces differ cannot share a collective inside the template.
  write_et(p + ".0.et", {compute(1, "a", 1), collective(2, "AR", et::ALL_REDUCE, 64, {1})});
  write_et(p + ".1.et", {compute(1, "a", 2), collective(2, "AR", et::ALL_REDUCE, 64, {1})});
  CHECK(error_of("kind: chakra\nprefix: " + p + "\ntemplate_ranks: 2\n").find("whose traces differ: give 'programs_by") !=
        std::string::npos);
}

TEST_CASE("chakra: gzip-compressed traces read the same") {
  TempDir d;
  write_et(d.prefix("z") + ".0.et", {compute(1, "GEMM", 100), collective(2, "AR", et::ALL_REDUCE, 1 << 20, {1})},
           "1.0.0", true);
  std::ifstream in(d.prefix("z") + ".0.et", std::ios::binary);
  CHECK(in.get() == 0x1f);
  const Workload w = import("kind: chakra\nprefix: " + d.prefix("z") + "\ntemplate_ranks: 1\n");
  REQUIRE(w.ops().size() == 2);
  CHECK(w.ops()[1].bytes == 1 << 20);
}
