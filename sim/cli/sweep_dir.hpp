#pragma once
// The sweep directory (docs/conventions.md §4): DIR/manifest.csv lists the points (point_id,
// parameters, run_file, output), DIR/points/<id>.yaml holds each resolved run file,
// DIR/results/<id>.h5 its result and DIR/logs/<id>.log what its process printed. A point is ok
// when its result file says status ok, failed when it says failed or a <id>.error note beside it
// says why no result was written, missing otherwise.

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
