// The explicit list of workload sources, and helpers they share.
#include <fmt/format.h>

#include "sim/collectives/collective_algorithm.hpp"
#include "workloads/collective_bench.hpp"
#include "workloads/data_parallel.hpp"
#include "workloads/workload_source.hpp"

namespace gigasim {

const std::vector<const WorkloadSource*>& workload_sources() {
  static const CollectiveBenchSource collective;
  static const DataParallelSource data_parallel;
  static const std::vector<const WorkloadSource*> all{&collective, &data_parallel};
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
  std::string known;
  for (auto n : names) known += (known.empty() ? "" : ", ") + std::string(n);
  const std::string hint = closest_match(kind, names);
  kind_node.fail(fmt::format("unknown workload kind '{}'{} (known: {})", kind,
                             hint.empty() ? "" : " (did you mean '" + hint + "'?)", known));
}

void parse_algorithm_and_fidelity(const ConfigNode& spec, const GroupFamily& family, uint64_t count, Op& op) {
  op.algorithm = spec.get_string("algorithm", "ring");
  const CollectiveAlgorithm* algo = find_collective_algorithm(op.algorithm);
  if (algo == nullptr) {
    std::string known;
    for (const auto* a : collective_algorithms()) known += (known.empty() ? "" : ", ") + std::string(a->name());
    spec.at("algorithm").fail(fmt::format("unknown collective algorithm '{}' (known: {})", op.algorithm, known));
  }
  if (!algo->supports(op.collective)) {
    spec.at("algorithm").fail(fmt::format("algorithm '{}' does not implement {}", op.algorithm,
                                          to_string(op.collective)));
  }
  op.channels = static_cast<uint32_t>(spec.get_int("channels", 1, 1, 64));
  const std::string f = spec.get_string("fidelity", "auto");
  if (f == "stepwise") {
    op.fidelity = Fidelity::kStepwise;
  } else if (f == "collapsed") {
    op.fidelity = Fidelity::kCollapsed;
  } else if (f == "auto") {
    const FlowPlan p = plan_collective(op, family, Fidelity::kStepwise);
    const uint64_t flows = p.flows_per_member() * family.span * count;
    op.fidelity = flows <= kAutoStepwiseFlowLimit ? Fidelity::kStepwise : Fidelity::kCollapsed;
  } else {
    spec.at("fidelity").fail(fmt::format("fidelity must be auto, stepwise or collapsed, got '{}'", f));
  }
}

}  // namespace gigasim
