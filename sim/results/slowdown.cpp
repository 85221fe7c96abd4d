#include "sim/results/slowdown.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/results/summary.hpp"

namespace gigasim {

double slowdown_of(const CollectiveRecord& r) {
  const double d = r.end_s - r.start_s;
  if (!(r.end_s >= r.start_s) || !(r.estimate_s > 0)) return std::nan("");
  return d / r.estimate_s;
}

std::vector<SlowdownRow> slowdown_table(const Workload& work, const ReplayResult& res) {
  std::map<std::pair<std::string, std::string>, std::vector<double>> by_kind;
  std::map<std::string, std::vector<double>> by_dim;
  for (const CollectiveRecord& r : res.collectives) {
    const double s = slowdown_of(r);
    if (std::isnan(s)) continue;
    const Op& op = work.programs[r.program].ops[r.op];
    const std::string& dim = work.families[op.family].dim;
    by_kind[{to_string(op.collective), dim}].push_back(s);
    by_dim[dim].push_back(s);
  }
  std::vector<SlowdownRow> rows;
  auto row = [](std::string kind, std::string dim, const std::vector<double>& v) {
    return SlowdownRow{std::move(kind), std::move(dim), v.size(), quantile(v, 0.5), quantile(v, 0.9), quantile(v, 0.99),
                       *std::max_element(v.begin(), v.end())};
  };
  for (const auto& [key, v] : by_kind) rows.push_back(row(key.first, key.second, v));
  for (const auto& [dim, v] : by_dim) rows.push_back(row("all", dim, v));
  return rows;
}

}  // namespace gigasim
