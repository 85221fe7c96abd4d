#include "sim/replay/rank_program.hpp"

#include <algorithm>

#include "sim/collectives/collective_algorithm.hpp"
#include "sim/core/error.hpp"

namespace gigasim {

RankProgram RankProgram::compile(const Workload& work, const Topology& topo) {
  RankProgram p;
  p.work = &work;
  p.step_op_count.assign(work.steps, 0);
  for (uint32_t i = 0; i < work.ops.size(); ++i) {
    const Op& op = work.ops[i];
    GIGASIM_ASSERT(op.step < work.steps, "op step out of range");
    ++p.step_op_count[op.step];
    if (op.kind == OpKind::kCompute) {
      p.compute_ops.push_back(i);
    } else {
      p.comm_ops.push_back(i);
      GIGASIM_ASSERT(find_collective_algorithm(op.algorithm) != nullptr, "algorithm resolved by the workload source");
      p.plans.push_back(plan_collective(op, work.families[op.family]));
    }
  }
  // α of a family: the slowest ring hop. O(span) routes, once.
  for (const GroupFamily& f : work.families) {
    double alpha = 0;
    if (f.size > 1) {
      for (uint32_t r = 0; r < f.span; ++r) alpha = std::max(alpha, topo.path_latency(r, f.peer(r, 1)));
    }
    p.family_alpha_s.push_back(alpha);
  }
  return p;
}

}  // namespace gigasim
