// The explicit list of collective algorithms, and names shared by the collective layer.
#include <string_view>

#include "sim/collectives/collective_algorithm.hpp"
#include "sim/collectives/ring.hpp"

namespace gigasim {

const std::vector<const CollectiveAlgorithm*>& collective_algorithms() {
  static const RingAlgorithm ring;
  static const std::vector<const CollectiveAlgorithm*> all{&ring};
  return all;
}

const CollectiveAlgorithm* find_collective_algorithm(std::string_view name) {
  for (const CollectiveAlgorithm* a : collective_algorithms()) {
    if (a->name() == name) return a;
  }
  return nullptr;
}

FlowPlan plan_collective(const Op& op, const GroupFamily& family) { return plan_collective(op, family, op.fidelity); }

FlowPlan plan_collective(const Op& op, const GroupFamily& family, Fidelity fidelity) {
  const CollectiveAlgorithm* algo = find_collective_algorithm(op.algorithm);
  FlowPlan p = algo->plan(op.collective, family.size, op.bytes, fidelity);
  for (Phase& ph : p.phases) ph.channels = op.channels;
  return p;
}

double busbw_factor(CollectiveKind kind, uint32_t n) {
  if (n <= 1) return 0;
  switch (kind) {
    case CollectiveKind::kAllReduce: return 2.0 * (n - 1) / n;
    case CollectiveKind::kReduceScatter:
    case CollectiveKind::kAllGather: return static_cast<double>(n - 1) / n;
  }
  return 1;
}

}  // namespace gigasim
