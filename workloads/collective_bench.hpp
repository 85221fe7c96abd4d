#pragma once
// `kind: collective` — one collective of S bytes over a group, repeated `iterations` times
// (each iteration is one step): the building block of nccl-tests-style measurements. The group
// is the first `ranks` GPUs, or a family of equal groups (`group: {size, stride}`) that
// partitions them, every group running the collective at once.

#include "workloads/workload_source.hpp"

namespace gigasim {

class CollectiveBenchSource final : public WorkloadSource {
 public:
  std::string_view kind() const override { return "collective"; }
  std::string_view description() const override {
    return "one collective of a given size over a group (or a family of groups), repeated";
  }
  Workload build(const ConfigNode& spec, const ClusterInfo& cluster) const override;
};

/// Reads `ranks` (a count or "all") and the optional `group: {size, stride}` into a family of
/// groups over the first `ranks` GPUs. Throws: ConfigError when it does not fit the cluster.
GroupFamily parse_group_family(const ConfigNode& spec, const ClusterInfo& cluster, const char* name,
                               const char* dim);

}  // namespace gigasim
