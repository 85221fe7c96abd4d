#pragma once
// What every gigasim-results file shares, whatever it holds (a run, a goodput estimate): the root
// attributes that identify it (schema, versions, host, time, command line, status, seed); files
// are written atomically (sim/core/atomic_file.hpp). Used by the writers in sim/results only.

#include <functional>
#include <string>

#include "sim/core/atomic_file.hpp"
#include "sim/results/h5.hpp"
#include "sim/results/results_writer.hpp"

namespace gigasim {

/// schema, schema_version, gigasim_version, git_sha, simgrid_version, hdf5_version, created_utc,
/// hostname, command_line, status (+ error), wall_time_s, seed.
void write_root_attrs(const h5::File& f, const RunMeta& meta);


}  // namespace gigasim
