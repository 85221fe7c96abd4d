#include "workloads/data_parallel.hpp"

#include <fmt/format.h>

#include <cmath>

#include "sim/core/memory_budget.hpp"
#include "workloads/collective_bench.hpp"

namespace gigasim {
namespace {

struct ComputeTimes {
  double forward = 0;
  double backward = 0;
  double optimizer = 0;
};

// compute: {forward, backward} | {time} | {flops, efficiency}; optimizer is optional in all forms.
ComputeTimes parse_compute(const ConfigNode& c, const ClusterInfo& cluster) {
  c.require_map("a mapping: {forward, backward}, {time} or {flops, efficiency}");
  c.check_keys({"forward", "backward", "time", "flops", "efficiency", "gpu_flops", "optimizer"});
  ComputeTimes t;
  const bool split = c.has("forward") || c.has("backward");
  const bool total = c.has("time");
  const bool flops = c.has("flops");
  if (int(split) + int(total) + int(flops) != 1) {
    c.fail("give compute as exactly one of {forward, backward}, {time} or {flops, efficiency}");
  }
  if (split) {
    t.forward = c.get_duration("forward");
    t.backward = c.get_duration("backward");
  } else {
    double seconds = 0;
    if (total) {
      seconds = c.get_duration("time");
    } else {
      const double f = c.at("flops").as_flops();
      double peak = cluster.gpu_flops;
      if (auto g = c.find("gpu_flops")) peak = g->as_flop_rate();
      const double eff = c.get_double("efficiency", 0.5);
      if (!(eff > 0 && eff <= 1)) c.at("efficiency").fail("efficiency must be in (0, 1]");
      seconds = f / (peak * eff);
    }
    // Backward costs twice the forward (two GEMMs per forward GEMM).
    t.forward = seconds / 3;
    t.backward = seconds - t.forward;
  }
  t.optimizer = c.get_duration("optimizer", 0.0);
  return t;
}

}  // namespace

Workload DataParallelSource::build(const ConfigNode& spec, const ClusterInfo& cluster) const {
  spec.check_keys({"kind", "steps", "ranks", "group", "compute", "gradients", "bucket_size", "overlap",
                   "algorithm", "protocol", "fidelity", "channels", "nvlink"});
  Workload w = Workload::two_stream("data_parallel");
  w.families.push_back(parse_group_family(spec, cluster, "dp", "dp"));
  const GroupFamily& dp = w.families[0];
  w.ranks = dp.span;
  w.steps = static_cast<uint32_t>(spec.get_int("steps", 1, 1, 100000));
  const ComputeTimes ct = parse_compute(spec.at("compute"), cluster);
  const double grad_bytes = spec.get_bytes("gradients");
  const double bucket = spec.get_bytes("bucket_size", 25.0 * 1024 * 1024);
  if (!(bucket > 0)) spec.at("bucket_size").fail("bucket_size must be positive");
  const bool overlap = spec.get_bool("overlap", true);
  const double nb_exact = std::ceil(grad_bytes / bucket);
  // Before allocating: a backward slice and an all-reduce per bucket, per step.
  const double ops = w.steps * (2 * std::max(1.0, nb_exact) + 2);
  check_memory(spec.at("gradients"), ops * cost::kOpBytes,
               fmt::format("{} gradient buckets in each of {} steps", format_count(nb_exact), w.steps), fmt::format("{} ops", format_count(ops)));
  if (nb_exact > 100000) {
    spec.at("bucket_size").fail(fmt::format("{} gradient buckets per step is too many (at most 100000)", nb_exact));
  }
  const auto buckets = static_cast<uint32_t>(std::max(1.0, nb_exact));

  Op coll;
  coll.kind = OpKind::kCollective;
  coll.stream = 1;
  coll.collective = CollectiveKind::kAllReduce;
  coll.family = 0;
  coll.bytes = std::min(bucket, grad_bytes);
  parse_collective_options(spec, coll);

  uint32_t computes = 0;  // program-wide counts, for dependencies
  uint32_t comms = 0;
  for (uint32_t s = 0; s < w.steps; ++s) {
    Op fwd;
    fwd.step = s;
    fwd.label = "forward";
    fwd.seconds = ct.forward;
    if (comms > 0) fwd.deps = {Dep{1, comms}};  // the previous step's gradients are reduced
    w.ops().push_back(fwd);
    ++computes;
    const uint32_t first_bwd = computes;
    std::vector<Op> pending;
    double left = grad_bytes;
    for (uint32_t b = 0; b < buckets; ++b) {
      const double bytes = b + 1 == buckets ? left : std::min(bucket, left);
      left -= bytes;
      Op bwd;
      bwd.step = s;
      bwd.label = fmt::format("backward[{}]", b);
      bwd.seconds = grad_bytes > 0 ? ct.backward * bytes / grad_bytes : ct.backward / buckets;
      w.ops().push_back(bwd);
      ++computes;
      if (grad_bytes <= 0) continue;
      Op ar = coll;
      ar.step = s;
      ar.bytes = bytes;
      ar.label = fmt::format("grad all_reduce[{}]", b);
      ar.deps = {Dep{0, overlap ? computes : first_bwd + buckets}};
      w.ops().push_back(ar);
      ++comms;
    }
    if (ct.optimizer > 0) {
      Op opt;
      opt.step = s;
      opt.label = "optimizer";
      opt.seconds = ct.optimizer;
      opt.deps = {Dep{1, comms}};
      w.ops().push_back(opt);
      ++computes;
    }
  }
  return w;
}

}  // namespace gigasim
