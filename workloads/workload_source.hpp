#pragma once
// WorkloadSource: the seam for what the GPUs do. A source reads the `workload:` YAML mapping of
// its `kind` and builds a Workload — the program template every rank runs and the group
// families its collectives use — sized to the cluster it will run on. It does not touch SimGrid.
// Sources are listed explicitly in workloads/builtin.cpp.

#include <string_view>
#include <vector>

#include "sim/core/workload.hpp"
#include "sim/core/yaml.hpp"

namespace gigasim {

/// What a workload may know about the machine.
struct ClusterInfo {
  uint32_t gpus = 0;
  uint32_t gpus_per_server = 0;
  double gpu_flops = 0;  ///< peak FLOP/s per GPU
};

class WorkloadSource {
 public:
  virtual ~WorkloadSource() = default;
  virtual std::string_view kind() const = 0;
  virtual std::string_view description() const = 0;
  /// Throws: ConfigError.
  virtual Workload build(const ConfigNode& spec, const ClusterInfo& cluster) const = 0;
};

const std::vector<const WorkloadSource*>& workload_sources();
/// Dispatches on `kind`. Throws: ConfigError.
Workload build_workload(const ConfigNode& spec, const ClusterInfo& cluster);

/// Largest stepwise expansion `fidelity: auto` accepts: flows over all the workload's
/// collectives of one kind (about 5 s of wall time). Beyond it they run collapsed.
constexpr uint64_t kAutoStepwiseFlowLimit = 1U << 20;

/// Reads `algorithm` and `fidelity` (auto | stepwise | collapsed) of a collective over `family`
/// into `op`; `count` is how many such collectives the workload runs (for auto).
/// Throws: ConfigError for unknown names or unsupported kinds.
void parse_algorithm_and_fidelity(const ConfigNode& spec, const GroupFamily& family, uint64_t count, Op& op);

}  // namespace gigasim
