#pragma once
// The goodput result file (`gigasim goodput -o goodput.h5`): the root attributes of every
// gigasim-results file (result_kind = "goodput"), a /goodput group whose attributes hold the
// headline numbers and every input, and the tables /goodput/causes (one row per cause),
// /goodput/replicas (one row per Monte Carlo replica) and, when curves were asked for,
// /goodput/curves. Documented for readers in analysis/README.md; written atomically.

#include <string>

#include "sim/failures/goodput.hpp"
#include "sim/results/results_writer.hpp"

namespace gigasim {

/// Writes `path` atomically. Throws: IoError (nothing is left under `path`).
void write_goodput(const std::string& path, const RunMeta& meta, const GoodputEstimate& estimate);

}  // namespace gigasim
