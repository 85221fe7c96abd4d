#pragma once
// Calibration: per-algorithm, per-protocol latencies and bandwidth efficiencies of collectives,
// from one documented YAML file (sim/collectives/calibration.yaml, built into the binary). The
// `ideal` calibration has no overheads at all: the pure alpha-beta model the closed-form tests
// use. A run file can name its own file.

#include <map>
#include <string>

#include "sim/core/flow_plan.hpp"
#include "sim/core/yaml.hpp"

namespace gigasim {

struct ProtocolCalibration {
  bool available = false;
  double base_latency_s = 0;
  double step_latency_nvlink_s = 0;
  double step_latency_net_s = 0;
  double efficiency = 1;       ///< payload fraction of the bandwidth on NVLink hops
  double efficiency_net = 1;   ///< the same on hops across servers (NIC and switches)
  double channel_bw_net_Bps = 0;  ///< most payload one channel moves across servers (0: no limit)
};

class Calibration {
 public:
  /// The built-in NCCL-like calibration.
  static const Calibration& nccl();
  /// No overheads, efficiency 1, every protocol of every algorithm available.
  static const Calibration& ideal();
  /// "nccl", "ideal" or a YAML file path. Throws: ConfigError.
  static Calibration load(const std::string& name_or_path);
  static Calibration parse(const ConfigNode& root);

  const std::string& name() const { return name_; }
  /// The entry for (algorithm, protocol); `available` false when it has none.
  ProtocolCalibration get(const std::string& algorithm, Protocol p) const;
  /// This calibration with the entries of `profiles.<gpu_model>` (if any) taking precedence.
  Calibration for_profile(const std::string& gpu_model) const;
  double chunk_bytes() const { return chunk_bytes_; }
  uint32_t max_pipeline_chunks() const { return max_chunks_; }
  /// NCCL's default channel count for a server: channels_per_nic x NICs, at most max_channels.
  uint32_t default_channels(uint32_t nics_per_server) const;
  bool is_ideal() const { return ideal_; }

 private:
  static std::map<std::string, ProtocolCalibration> parse_entries(const ConfigNode& algorithms);
  std::string name_;
  bool ideal_ = false;
  double chunk_bytes_ = 1 << 20;
  uint32_t max_chunks_ = 4096;
  uint32_t channels_per_nic_ = 2;
  uint32_t max_channels_ = 32;
  std::map<std::string, ProtocolCalibration> entries_;  // "algorithm/protocol"
  std::map<std::string, std::map<std::string, ProtocolCalibration>> profiles_;
};

}  // namespace gigasim
