#pragma once
// WorkloadSource: the seam for what the GPUs do. A source reads the `workload:` YAML mapping of
// its `kind` and builds a Workload — the program template every rank runs and the group
// families its collectives use — sized to the cluster it will run on. It does not touch SimGrid.
// Sources are listed explicitly in workloads/builtin.cpp.

#include <string>
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
  std::string gpu_model = "h100";  ///< compute-calibration profile
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

/// Reads `algorithm`, `protocol`, `fidelity` and `channels` of a collective into `op` (names are
/// checked here; whether the algorithm fits the group is checked when the run is compiled, and
/// reported at op.where). Throws: ConfigError.
void parse_collective_options(const ConfigNode& spec, Op& op);

}  // namespace gigasim
