#pragma once
// RunSpec: a parsed run file — which topology, which workload, which network model, the seed and
// the output — with `topology:` and `workload:` given inline or as paths to their own YAML files
// (relative to the run file), and `--set key.path=value` overrides applied on the merged tree.
// Every value keeps the file and line it came from; the resolved texts go into the result file.

#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "sim/core/yaml.hpp"

namespace gigasim {

struct RunSpec {
  std::string path;                ///< the run file
  ConfigNode root;
  ConfigNode topology;
  ConfigNode workload;
  std::optional<ConfigNode> network;
  std::optional<ConfigNode> failures;  ///< `failures:` inline or from the file it names
  int64_t seed = 1;
  std::string calibration = "nccl"; ///< "nccl", "ideal" or a file (resolved against the run file)
  /// Written by `gigasim sweep plan` into each point's run file: the point and its parameters.
  std::string point_id;
  std::vector<std::pair<std::string, std::string>> params;
  std::string output;              ///< from `output:`; the CLI's -o wins
  std::string run_yaml;            ///< resolved texts
  std::string topology_yaml;
  std::string workload_yaml;
  std::string failures_yaml;       ///< empty without failures
};

/// Throws: ConfigError (exit 2), IoError for unreadable files (exit 3).
RunSpec load_run_spec(const std::string& path, const std::vector<std::string>& overrides);

/// For `inspect`: a file that is either a topology (has `kind`) or a run file (has
/// `topology`). Returns the topology node, overrides applied.
ConfigNode load_topology_or_run(const std::string& path, const std::vector<std::string>& overrides);

}  // namespace gigasim
