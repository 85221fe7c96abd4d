#pragma once
// NetworkModelSpec: which SimGrid network model shares bandwidth among flows, from the run
// file's `network:` mapping. The default is CM02 without cross-traffic and without a TCP window
// bound: a pure max-min fluid model whose single-flow time is exactly latency + size/bandwidth,
// the α–β model collectives are reasoned in (LV08's TCP corrections give ×1.27–1.53 on the same
// ring; see docs/simgrid.md, CM02). Applied before the platform exists and
// recorded in every result file.

#include <string>
#include <vector>

#include "sim/core/yaml.hpp"

namespace gigasim {

struct NetworkModelSpec {
  std::string model = "CM02";      ///< SimGrid network/model: CM02, LV08, SMPI, IB, Constant
  bool crosstraffic = false;       ///< network/crosstraffic
  double tcp_gamma = 0;            ///< network/TCP-gamma in bytes; 0 = no window bound
  double bandwidth_factor = 1.0;   ///< network/bandwidth-factor
  double latency_factor = 1.0;     ///< network/latency-factor
  std::vector<std::string> extra;  ///< raw "key:value" pairs (--sg-cfg)

  /// "key:value" strings for Engine::set_config, in order.
  std::vector<std::string> simgrid_config() const;
};

/// Reads `network:` (may be absent: defaults). Throws: ConfigError.
NetworkModelSpec parse_network_model(const ConfigNode* node);

}  // namespace gigasim
