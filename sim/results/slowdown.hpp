#pragma once
// Slowdown: how much longer each collective ran than its contention-free closed form on the
// same group and fabric (simulated duration / closed form: 1 when nothing else shared its links,
// more when other traffic did). Collected per collective kind and parallelism dimension (tp,
// pp, dp, ep, cp) as quantiles: the /slowdown table and the summary's slowdown_<dim>_p50/p90/
// p99/max.

#include <string>
#include <vector>

#include "sim/core/workload.hpp"
#include "sim/records/replay_result.hpp"

namespace gigasim {

struct SlowdownRow {
  std::string kind;  ///< collective kind ("all_reduce"...), or "all" for a dimension's total
  std::string dim;   ///< the group family's dimension
  size_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};

/// Simulated duration over closed form; NaN when the collective did not complete or has no
/// closed form.
double slowdown_of(const CollectiveRecord& r);

/// One row per (kind, dimension) present, then one "all" row per dimension.
std::vector<SlowdownRow> slowdown_table(const Workload& work, const ReplayResult& res);

}  // namespace gigasim
