#include "workloads/collective_bench.hpp"

#include <fmt/format.h>

namespace gigasim {

GroupFamily parse_group_family(const ConfigNode& spec, const ClusterInfo& cluster, const char* name,
                               const char* dim) {
  GroupFamily f;
  f.name = name;
  f.dim = dim;
  f.span = cluster.gpus;
  if (auto r = spec.find("ranks")) {
    if (r->as_string() != "all") {
      const int64_t n = r->as_int(1, INT32_MAX);
      if (n > cluster.gpus) {
        r->fail(fmt::format("ranks = {} is larger than the cluster ({} GPUs)", n, cluster.gpus));
      }
      f.span = static_cast<uint32_t>(n);
    }
  }
  f.size = f.span;
  f.stride = 1;
  if (auto g = spec.find("group")) {
    g->require_map("a mapping {size, stride}");
    g->check_keys({"size", "stride"});
    f.size = static_cast<uint32_t>(g->get_int("size", 1, INT32_MAX));
    f.stride = static_cast<uint32_t>(g->get_int("stride", 1, 1, INT32_MAX));
    const uint64_t block = uint64_t{f.size} * f.stride;
    if (block > f.span) {
      g->fail(fmt::format("a group of {} members at stride {} spans {} ranks, more than the {} available",
                          f.size, f.stride, block, f.span));
    }
    if (f.span % block != 0) {
      g->fail(fmt::format("groups of {} members at stride {} do not tile {} ranks evenly", f.size,
                          f.stride, f.span));
    }
  }
  return f;
}

Workload CollectiveBenchSource::build(const ConfigNode& spec, const ClusterInfo& cluster) const {
  spec.check_keys({"kind", "op", "size", "ranks", "group", "iterations", "algorithm", "protocol", "fidelity",
                   "channels", "nvlink", "root"});
  Workload w = Workload::two_stream("collective");
  w.families.push_back(parse_group_family(spec, cluster, "world", "custom"));
  w.ranks = w.families[0].span;
  w.steps = static_cast<uint32_t>(spec.get_int("iterations", 1, 1, 1000000));

  Op op;
  op.kind = OpKind::kCollective;
  op.stream = 1;
  const ConfigNode op_node = spec.at("op");
  if (!parse_collective_kind(op_node.as_string(), op.collective)) {
    op_node.fail(fmt::format("unknown collective '{}' (known: all_reduce, reduce_scatter, all_gather, alltoall, "
                             "broadcast, reduce, sendrecv)",
                             op_node.as_string()));
  }
  op.bytes = spec.get_bytes("size");
  op.family = 0;
  op.root = static_cast<uint32_t>(spec.get_int("root", 0, 0, w.families[0].size - 1));
  parse_collective_options(spec, op);
  for (uint32_t s = 0; s < w.steps; ++s) {
    op.step = s;
    op.label = fmt::format("{} {}", to_string(op.collective), s);
    w.ops().push_back(op);
  }
  return w;
}

}  // namespace gigasim
