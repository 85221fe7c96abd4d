#pragma once
// ResultsWriter: the one definition of the gigasim-results HDF5 schema (docs/conventions.md §1,
// documented for readers in analysis/README.md). A run's file holds root attributes (schema,
// versions, status, network model, fidelity), /config (the resolved YAML, so the file alone
// re-runs the point), /summary (scalars) and the tables /steps, /collectives, /groups, /nodes and
// /links. It is written to "<path>.tmp" and renamed when complete, so a file under the final
// name is always whole.

#include <string>
#include <utility>
#include <vector>

#include "sim/core/topology.hpp"
#include "sim/core/workload.hpp"
#include "sim/plan/network_model.hpp"
#include "sim/records/replay_result.hpp"
#include "sim/results/summary.hpp"

namespace gigasim {

inline constexpr const char* kSchemaName = "gigasim-results";
inline constexpr const char* kSchemaVersion = "1.0";

struct RunMeta {
  std::string status = "ok";     ///< "ok" | "failed"
  std::string error;             ///< why it failed
  double wall_time_s = 0;
  int64_t seed = 0;
  std::string command_line;
  std::string simgrid_version;
  NetworkModelSpec network;
  /// ("run_yaml", text), ("topology_yaml", text), ("workload_yaml", text)
  std::vector<std::pair<std::string, std::string>> config;
  /// Flat sweep parameters ("topology.servers" -> "32"); empty outside sweeps.
  std::vector<std::pair<std::string, std::string>> params;
  bool record_nvlink = false;    ///< include NVLink links in /links
  double expected_bytes = 0;     ///< what the file will weigh, about (0: unknown), for error messages
};

/// "stepwise", "collapsed" or "mixed" over the run's collectives ("none" without any).
std::string run_fidelity(const ReplayResult& res);

/// Writes the result file atomically. Throws: IoError (nothing is left under `path`).
void write_results(const std::string& path, const RunMeta& meta, const Topology& topo, const Workload& work,
                   const ReplayResult& res, const Summary& summary);

}  // namespace gigasim
