#include "sim/core/flow_plan.hpp"

namespace gigasim {

const char* to_string(Fidelity f) { return f == Fidelity::kStepwise ? "stepwise" : "collapsed"; }

const char* to_string(CollectiveKind k) {
  switch (k) {
    case CollectiveKind::kAllReduce: return "all_reduce";
    case CollectiveKind::kReduceScatter: return "reduce_scatter";
    case CollectiveKind::kAllGather: return "all_gather";
  }
  return "?";
}

bool parse_collective_kind(std::string_view s, CollectiveKind& out) {
  for (auto k : {CollectiveKind::kAllReduce, CollectiveKind::kReduceScatter, CollectiveKind::kAllGather}) {
    if (s == to_string(k)) {
      out = k;
      return true;
    }
  }
  return false;
}

}  // namespace gigasim
