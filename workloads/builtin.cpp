// The explicit list of workload sources, and helpers they share.
#include <fmt/format.h>

#include "sim/collectives/collective_algorithm.hpp"
#include "workloads/collective_bench.hpp"
#if GIGASIM_WITH_CHAKRA
#include "workloads/chakra_import.hpp"
#endif
#include "workloads/data_parallel.hpp"
#include "workloads/llm_training.hpp"
#include "workloads/trace_source.hpp"
#include "workloads/workload_source.hpp"

namespace gigasim {

const std::vector<const WorkloadSource*>& workload_sources() {
  static const CollectiveBenchSource collective;
  static const DataParallelSource data_parallel;
  static const LlmTrainingSource llm;
  static const TraceSource trace;
#if GIGASIM_WITH_CHAKRA
  static const ChakraSource chakra;
  static const std::vector<const WorkloadSource*> all{&collective, &data_parallel, &llm, &trace, &chakra};
#else
  static const std::vector<const WorkloadSource*> all{&collective, &data_parallel, &llm, &trace};
#endif
  return all;
}

Workload build_workload(const ConfigNode& spec, const ClusterInfo& cluster) {
  spec.require_map("a mapping with a 'kind' key");
  const ConfigNode kind_node = spec.at("kind");
  const std::string kind = kind_node.as_string();
  std::vector<std::string_view> names;
  for (const WorkloadSource* s : workload_sources()) {
    if (s->kind() == kind) return s->build(spec, cluster);
    names.push_back(s->kind());
  }
#if !GIGASIM_WITH_CHAKRA
  if (kind == "chakra") {
    kind_node.fail("this gigasim was built without Chakra support: install libprotobuf-dev and protobuf-compiler "
                   "(scripts/install-deps), then reconfigure");
  }
#endif
  std::string known;
  for (auto n : names) known += (known.empty() ? "" : ", ") + std::string(n);
  const std::string hint = closest_match(kind, names);
  kind_node.fail(fmt::format("unknown workload kind '{}'{} (known: {})", kind,
                             hint.empty() ? "" : " (did you mean '" + hint + "'?)", known));
}

void parse_collective_options(const ConfigNode& spec, Op& op) {
  op.where = spec.where().str();
  op.algorithm = spec.get_string("algorithm", "auto");
  if (op.algorithm != "auto" && find_collective_algorithm(op.algorithm) == nullptr) {
    spec.at("algorithm").fail(fmt::format("unknown collective algorithm '{}' (known: auto, {})", op.algorithm,
                                          collective_algorithm_names()));
  }
  if (auto a = spec.find("algorithm")) op.where = a->where().str();
  if (auto n = spec.find("protocol"); n && n->as_string() != "auto") {
    Protocol p;
    if (!parse_protocol(n->as_string(), p)) {
      n->fail(fmt::format("protocol must be auto, simple, ll128 or ll, got '{}'", n->as_string()));
    }
    op.protocol = p;
  } else if (n) {
    op.protocol.reset();
  }
  if (auto n = spec.find("fidelity"); n && n->as_string() != "auto") {
    Fidelity f;
    if (!parse_fidelity(n->as_string(), f)) {
      n->fail(fmt::format("fidelity must be auto, stepwise, collapsed or analytic, got '{}'", n->as_string()));
    }
    op.fidelity = f;
  } else if (n) {
    op.fidelity.reset();
  }
  if (auto c = spec.find("channels"); c && c->is_scalar() && c->as_string() == "auto") {
    op.channels = 0;
  } else if (c) {
    const int64_t v = c->as_int();
    if (v < 1 || v > 64) c->fail(fmt::format("channels must be auto or 1..64 (NCCL runs at least one channel), got {}", v));
    op.channels = static_cast<uint32_t>(v);
  }
  const std::string nvlink = spec.get_string("nvlink", op.nvlink_analytic ? "analytic" : "flows");
  if (nvlink != "flows" && nvlink != "analytic") {
    spec.at("nvlink").fail(fmt::format("nvlink must be flows or analytic, got '{}'", nvlink));
  }
  op.nvlink_analytic = nvlink == "analytic";
}

}  // namespace gigasim
