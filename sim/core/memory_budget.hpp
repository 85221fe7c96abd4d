#pragma once
// Memory budget: what one simulation may use, and what its parts cost. A run that would not fit
// is refused before it allocates, with an estimate, instead of being killed by the OOM killer
// at hour six. The limit is process-wide, like a resource limit: this machine's physical memory
// (or the cgroup's limit when lower: a Slurm job's --mem), or what `--max-memory` says.
// Builders that size things from a few numbers (a fabric's GPUs, a workload's ops) check their
// estimate here before allocating; sim/plan/cost_estimate.hpp estimates a whole run.
// The costs are measured (docs/simgrid.md, "Contexts", and gigasim runs checked by
// tests/python/test_hardening.py).

#include <cstdint>
#include <string>

#include "sim/core/yaml.hpp"

namespace gigasim {

/// Bytes per part of a run, as measured (peak RSS of real runs, 12 KiB actor stacks).
namespace cost {
constexpr double kProcessBytes = 48e6;     ///< an empty run: binary, SimGrid, HDF5, YAML
constexpr double kActorBytes = 5e3;        ///< a rank actor beyond its stack (context, state)
constexpr double kHostBytes = 1.5e3;       ///< a SimGrid host (one per GPU)
constexpr double kLinkBytes = 1.1e3;       ///< a directed link: SimGrid's LinkImpl and its statistics
constexpr double kFlowBytes = 2e3;         ///< a flow in flight (comm activity, mailbox, route)
constexpr double kNodeBytes = 48;          ///< a topology node (model and routing tables)
constexpr double kCableBytes = 64;         ///< a topology cable
constexpr double kOpBytes = 400;           ///< a program op, its compiled form and its record
/// Wall time per flow: 16-25 us uncontended, 35-60 us under contention and at 100k ranks.
constexpr double kFlowWallLowS = 16e-6, kFlowWallHighS = 60e-6;
constexpr double kLinkWallS = 2.5e-6;      ///< building one directed link in SimGrid
constexpr double kActorWallS = 4e-6;       ///< spawning one rank actor
}  // namespace cost

struct MemoryLimit {
  double bytes = 0;
  /// Where the limit comes from, for messages: "this machine's 23.4 GiB", "--max-memory 8 GiB".
  std::string source;
};

/// The limit in force: set_memory_limit's, or this machine's (see above).
const MemoryLimit& memory_limit();
/// Requires: bytes > 0.
void set_memory_limit(double bytes, std::string source);
/// This machine's physical memory, or the cgroup's memory.max when lower.
MemoryLimit machine_memory_limit();

/// Throws: ConfigError at `where` when `bytes` exceeds the limit: "<what> needs an estimated
/// <bytes> (<detail>), more than <limit>; ...". `what` starts the sentence ("800000000 GPUs").
void check_memory(const ConfigNode& where, double bytes, const std::string& what, const std::string& detail);
/// The same check for a whole run (no line to point at): "<file>: error: ...".
void check_memory(const std::string& file, double bytes, const std::string& what, const std::string& detail);

/// "950", "12.3k", "4.19M", "2.40G": counts in estimates.
std::string format_count(double n);

}  // namespace gigasim
