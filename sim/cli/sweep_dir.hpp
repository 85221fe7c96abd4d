#pragma once
// The sweep directory (docs/conventions.md §4): DIR/manifest.csv lists the points (point_id,
// parameters, run_file, output), DIR/points/<id>.yaml holds each resolved run file,
// DIR/results/<id>.h5 its result and DIR/logs/<id>.log what its process printed. A point is ok
// when its result file says status ok, failed when it says failed or a <id>.error note beside it
// says why no result was written, missing otherwise. DIR/locks/<id>.lock says who runs a point
// now (PointLock) and DIR/runs.log which process ran which point, when.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gigasim::sweep {

struct ManifestRow {
  std::string id;
  std::string run_file;  ///< relative to the sweep directory
  std::string output;    ///< relative to the sweep directory
};

/// A CSV field, quoted when it must be.
std::string csv_field(const std::string& v);
std::vector<std::string> csv_split(const std::string& line);
/// Throws: ConfigError when `dir` is not a sweep directory.
std::vector<ManifestRow> read_manifest(const std::string& dir);

enum class PointState { kOk, kFailed, kMissing };
struct PointStatus {
  PointState state = PointState::kMissing;
  std::string error;
};
PointStatus point_status(const std::string& dir, const ManifestRow& row);
const char* to_string(PointState s);

}  // namespace gigasim::sweep

namespace gigasim::sweep {

/// A claim on one point, so that any number of `sweep run` processes on one directory (local
/// jobs, Slurm array tasks, a requeued task racing its original) run each point once: an
/// exclusive flock on DIR/locks/<id>.lock, which holds "host pid" of the claimer. The kernel
/// releases a flock when every descriptor of it is closed, so a claim dies with its process
/// (no stale lock after a crash or a SIGKILL), and the point process inherits the descriptor,
/// so the claim lives until the point's run ends even if the runner dies first. Lock files
/// are never removed (removing one would let a waiter lock an orphaned file). Across hosts it
/// relies on the shared filesystem's flock (NFSv4, Lustre and GPFS implement it).
class PointLock {
 public:
  /// Claims `row`; nullopt when a live process holds it. Throws: IoError (the lock directory).
  static std::optional<PointLock> try_claim(const std::string& dir, const ManifestRow& row);
  PointLock(PointLock&& o) noexcept;
  PointLock& operator=(PointLock&& o) noexcept;
  PointLock(const PointLock&) = delete;
  PointLock& operator=(const PointLock&) = delete;
  ~PointLock();
  int fd() const { return fd_; }

 private:
  explicit PointLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// Who runs a point now: `running` when a live process holds its lock (then host and pid).
struct PointHolder {
  bool running = false;
  std::string host;
  int64_t pid = 0;
};
PointHolder point_holder(const std::string& dir, const ManifestRow& row);

/// Appends "time host pid event point_id[ detail]" to DIR/runs.log, the audit log of which
/// process ran which point (one line per start and end, appended atomically).
void log_run_event(const std::string& dir, const std::string& event, const ManifestRow& row,
                   const std::string& detail = "");

/// This host's name.
std::string host_name();

}  // namespace gigasim::sweep
