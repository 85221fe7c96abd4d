#pragma once
// The sweep runner: each point of a sweep runs as its own `gigasim run` process (SimGrid allows
// one engine per process), its output in the point's log; when a process ends its outcome is
// recorded (an .error note beside the missing result says why).

#include <sys/types.h>

#include <string>

#include "sim/cli/sweep_dir.hpp"

namespace gigasim::sweep {

/// This executable's path (to start point processes with).
std::string self_exe();
/// Starts `gigasim run` for one point; its output goes to the point's log, and it inherits
/// `lock_fd` (the point's PointLock, -1: none) so the claim lives as long as it runs, and
/// GIGASIM_SWEEP_DIR (it logs its own start in DIR/runs.log). Returns the pid. Throws: IoError.
pid_t spawn_point(const std::string& dir, const ManifestRow& row, int lock_fd = -1);
/// After a point's process ended with `wstatus`: leave an .error note unless its result file
/// says it all.
void record_outcome(const std::string& dir, const ManifestRow& row, int wstatus);

}  // namespace gigasim::sweep
