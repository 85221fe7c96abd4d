#pragma once
// SweepSpec: a batch of runs as one file — a base run file and axes over any config key path
// (the `--set` syntax): `grid` (every combination), `zip` (lists advanced together) and `seeds`.
// expand() lists the points in a fixed order with stable ids ("00042-3fa9c1d2": position, then a
// hash of the parameters), so re-planning the same sweep names the same points.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/yaml.hpp"

namespace gigasim {

struct SweepPoint {
  std::string id;
  uint32_t index = 0;
  int64_t seed = 1;
  /// (key path, value as YAML text), axis order: zip axes, grid axes.
  std::vector<std::pair<std::string, std::string>> params;

  /// The `--set` overrides that turn the base run into this point: section files (`topology`,
  /// `workload` axes) first, then `extra` (given for every point), then the other axes, the seed.
  std::vector<std::string> overrides(const std::vector<std::string>& extra) const;
  /// "00003-1a2b3c4d (topology.servers=64 seed=2)", for messages.
  std::string describe() const;
  /// Rethrows `e`, raised while loading this point of `sweep_file`, naming the point and keeping
  /// its kind (an IoError stays exit 3, anything else becomes a ConfigError at the sweep file).
  [[noreturn]] void rethrow(const std::string& sweep_file, const Error& e) const;
};

struct SweepSpec {
  std::string path;         ///< the sweep file
  std::string name;
  std::string base;         ///< the base run file (absolute or relative to cwd)
  std::vector<std::pair<std::string, std::vector<std::string>>> grid;
  std::vector<std::vector<std::pair<std::string, std::vector<std::string>>>> zips;
  std::vector<int64_t> seeds;  ///< empty: the base run's seed

  /// Throws: ConfigError (file:line:col) for malformed sweeps.
  static SweepSpec load(const std::string& path);
  std::vector<SweepPoint> expand() const;
};

}  // namespace gigasim
