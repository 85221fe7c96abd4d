#pragma once
// `kind: data_parallel` — plain data-parallel training (PyTorch DDP): each step runs the forward
// pass, then the backward pass in as many slices as there are gradient buckets; each bucket is
// all-reduced over the data-parallel group as soon as its slice is done (`overlap: true`) or
// after the whole backward pass, and the optimizer waits for every bucket. Compute is given as
// time, or as FLOPs at an efficiency of the GPU's peak.

#include "workloads/workload_source.hpp"

namespace gigasim {

class DataParallelSource final : public WorkloadSource {
 public:
  std::string_view kind() const override { return "data_parallel"; }
  std::string_view description() const override {
    return "DDP training steps: forward, backward with bucketed gradient all-reduce, optimizer";
  }
  Workload build(const ConfigNode& spec, const ClusterInfo& cluster) const override;
};

}  // namespace gigasim
