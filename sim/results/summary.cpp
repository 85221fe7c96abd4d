#include "sim/results/summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/collectives/collective_algorithm.hpp"
#include "sim/results/slowdown.hpp"

namespace gigasim {

double quantile(std::vector<double> v, double p) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const double pos = p * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

double summary_value(const Summary& s, const std::string& key) {
  for (const auto& [k, v] : s) {
    if (k == key) return v;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double algbw_Bps(const Op& op, const CollectiveRecord& rec) {
  const double t = rec.end_s - rec.start_s;
  return t > 0 ? op.bytes / t : 0.0;
}

double busbw_Bps(const Op& op, const GroupFamily& family, const CollectiveRecord& rec) {
  return algbw_Bps(op, rec) * busbw_factor(op.collective, family.size);
}

Summary compute_summary(const Topology& topo, const Workload& work, const ReplayResult& res) {
  Summary s;
  std::vector<double> durations, compute, exposed;
  for (const StepRecord& st : res.steps) {
    if (!(st.end_s >= st.start_s)) continue;
    durations.push_back(st.duration());
    compute.push_back(st.compute_s());
    exposed.push_back(std::max(0.0, st.duration() - st.compute_s()));
  }
  auto mean = [](const std::vector<double>& v) {
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    double sum = 0;
    for (double x : v) sum += x;
    return sum / static_cast<double>(v.size());
  };
  const double step_mean = mean(durations);
  s.emplace_back("step_time_mean_s", step_mean);
  s.emplace_back("step_time_p50_s", quantile(durations, 0.5));
  s.emplace_back("step_time_p99_s", quantile(durations, 0.99));
  s.emplace_back("step_time_min_s", durations.empty() ? NAN : *std::min_element(durations.begin(), durations.end()));
  s.emplace_back("step_time_max_s", durations.empty() ? NAN : *std::max_element(durations.begin(), durations.end()));
  s.emplace_back("compute_time_mean_s", mean(compute));
  s.emplace_back("exposed_comm_mean_s", mean(exposed));
  s.emplace_back("comm_exposed_frac", step_mean > 0 ? mean(exposed) / step_mean : 0.0);
  s.emplace_back("steps", static_cast<double>(res.steps.size()));
  // The breakdown of the critical rank, averaged over the steps.
  for (size_t c = 1; c < static_cast<size_t>(TimeClass::kCount); ++c) {
    std::vector<double> v;
    for (const StepRecord& st : res.steps) {
      if (st.end_s >= st.start_s) v.push_back(st.breakdown[c]);
    }
    const auto tc = static_cast<TimeClass>(c);
    s.emplace_back(tc == TimeClass::kBubble ? std::string("bubble_mean_s")
                                            : fmt::format("exposed_{}_mean_s", to_string(tc)),
                   mean(v));
  }
  // Training throughput, where the workload knows its FLOPs.
  if (work.flops_per_step > 0 && step_mean > 0) {
    s.emplace_back("step_time_s", step_mean);
    s.emplace_back("tflops_per_gpu", work.flops_per_step / (step_mean * work.ranks) / 1e12);
    s.emplace_back("model_tflops_per_gpu", work.model_flops_per_step / (step_mean * work.ranks) / 1e12);
    s.emplace_back("mfu", work.peak_flops_per_gpu > 0
                              ? work.model_flops_per_step / (step_mean * work.ranks * work.peak_flops_per_gpu)
                              : NAN);
  }

  // Collectives: mean time and bandwidths, over the collective records.
  std::vector<double> ct, alg, bus;
  for (const CollectiveRecord& r : res.collectives) {
    if (!(r.end_s >= r.start_s)) continue;
    const Op& op = work.programs[r.program].ops[r.op];
    ct.push_back(r.end_s - r.start_s);
    alg.push_back(algbw_Bps(op, r));
    bus.push_back(busbw_Bps(op, work.families[op.family], r));
  }
  s.emplace_back("collectives", static_cast<double>(res.collectives.size()));
  s.emplace_back("collective_time_mean_s", mean(ct));
  s.emplace_back("algbw_mean_Bps", mean(alg));
  s.emplace_back("busbw_mean_Bps", mean(bus));

  // Links: utilization of switch-facing links (NICs and switch-to-switch).
  double max_util = 0, fabric_bytes = 0, fabric_busy_max = 0;
  if (res.links) {
    for (LinkId l = 0; l < res.links->links(); ++l) {
      const Cable& c = topo.cables[cable_of(l)];
      if (c.kind == LinkKind::kNvLink) continue;
      max_util = std::max(max_util, res.links->max_util(l));
      if (c.kind == LinkKind::kFabric) {
        // Folded: a shared link carried every position's copy; a private one, one position's
        // traffic, which stands for that of each of the `fold` positions.
        const bool shared = !res.link_share.empty() && res.link_share[cable_of(l)] > 1;
        fabric_bytes += res.links->bytes(l) * (shared ? 1 : res.fold);
        fabric_busy_max = std::max(fabric_busy_max, res.links->busy_s(l));
      }
    }
  }
  s.emplace_back("max_link_util", max_util);
  s.emplace_back("fabric_bytes", fabric_bytes);
  s.emplace_back("fold_factor", res.fold);
  s.emplace_back("fold_exact", res.fold_exact ? 1 : 0);
  // Collectives against their contention-free closed form, per dimension (sim/results/slowdown.hpp).
  for (const SlowdownRow& r : slowdown_table(work, res)) {
    if (r.kind != "all") continue;
    s.emplace_back("slowdown_" + r.dim + "_p50", r.p50);
    s.emplace_back("slowdown_" + r.dim + "_p90", r.p90);
    s.emplace_back("slowdown_" + r.dim + "_p99", r.p99);
    s.emplace_back("slowdown_" + r.dim + "_max", r.max);
  }
  s.emplace_back("sim_time_s", res.sim_time_s);
  s.emplace_back("flows", static_cast<double>(res.flows));
  s.emplace_back("ranks", static_cast<double>(work.ranks));
  s.emplace_back("gpus", static_cast<double>(topo.gpus));
  s.emplace_back("links", static_cast<double>(topo.link_count()));
  s.emplace_back("build_wall_s", res.build_wall_s);
  s.emplace_back("platform_wall_s", res.platform_wall_s);
  s.emplace_back("actors_wall_s", res.actors_wall_s);
  s.emplace_back("replay_wall_s", res.replay_wall_s);
  s.emplace_back("wall_us_per_flow", res.flows > 0 ? res.replay_wall_s * 1e6 / static_cast<double>(res.flows) : 0.0);
  return s;
}

}  // namespace gigasim
