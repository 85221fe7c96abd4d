#pragma once
// `kind: trace` — replays a trace file (workloads/trace_format.hpp): a workload exported by
// `gigasim trace export`, converted from Chakra, or written by hand. The file is named relative to
// the file that names it; `steps: N` replays only its first N steps.

#include "workloads/workload_source.hpp"

namespace gigasim {

class TraceSource final : public WorkloadSource {
 public:
  std::string_view kind() const override { return "trace"; }
  std::string_view description() const override {
    return "a trace file (gigasim-trace YAML): ops per program, groups by size and stride";
  }
  Workload build(const ConfigNode& spec, const ClusterInfo& cluster) const override;
};

}  // namespace gigasim
