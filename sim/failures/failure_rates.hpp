#pragma once
// Failure rates: the unexpected job interruptions of a training cluster, per cause, in
// interruptions per 1,000 node-days (node = a server of `gpus_per_node` GPUs), as large-cluster
// reports give them. The built-in table (failure_rates.yaml, compiled in) is derived from the
// Llama 3 405B run; a user table has the same form. A job's interruptions are the superposition of
// its servers' (or GPUs') failure processes: rate = node-equivalents x total rate.
// Pure: no SimGrid, no HDF5.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/yaml.hpp"

namespace gigasim {

/// One root-cause category.
struct FailureCause {
  std::string name;                  ///< "gpu", "network", ... ("all" for a single rate)
  double rate_per_1000_node_days = 0;
  bool per_gpu = false;              ///< scales with the job's GPUs (else with its servers)
  bool replace_node = false;         ///< the failed server must be swapped before a restart
  std::string components;            ///< what the category groups (documentation)
};

class FailureRates {
 public:
  /// The documented default table (sim/failures/failure_rates.yaml).
  static const FailureRates& builtin();
  /// A table from a YAML file of the same form. Throws: IoError, ConfigError (file:line:col).
  static FailureRates load(const std::string& path);
  static FailureRates parse(const ConfigNode& root);
  /// One cause "all" of `rate_per_1000_node_days` per server (needs a replacement server).
  /// Requires: rate >= 0 and finite.
  static FailureRates single(double rate_per_1000_node_days, const std::string& source);

  /// Every rate times `factor` (>= 0); the source says so.
  FailureRates scaled(double factor) const;

  const std::string& source() const { return source_; }
  /// GPUs per node the table's rates refer to (8 for the built-in table).
  uint32_t gpus_per_node() const { return gpus_per_node_; }
  const std::vector<FailureCause>& causes() const { return causes_; }
  double total_per_1000_node_days() const;

 private:
  std::string source_;
  uint32_t gpus_per_node_ = 8;
  std::vector<FailureCause> causes_;
};

}  // namespace gigasim
