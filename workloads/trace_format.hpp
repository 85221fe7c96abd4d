#pragma once
// Trace files: a Workload written out as a YAML document (`format: gigasim-trace`, versioned), so a
// workload can be exported from any source, inspected, edited and replayed (`kind: trace`). The
// document is as compact as the Workload itself: group families by their four numbers, one op
// list per program (not per rank), streams and groups referred to by name, fields at their
// defaults left out. This file pair is the only place the format is written and read: a field
// added to Op goes into write_op/read_op here, and a change readers of older files cannot
// follow bumps kTraceVersion. The format is documented in workloads/presets/README.md.

#include <ostream>
#include <string>

#include "sim/core/workload.hpp"
#include "sim/core/yaml.hpp"

namespace gigasim {

constexpr int kTraceVersion = 2;  ///< 2: fold_by, fold_forced

/// Writes `w` as a trace document.
void write_trace(const Workload& w, std::ostream& out);
/// Writes `path` atomically (path.tmp, renamed when complete). Throws: IoError (nothing is left
/// under either name).
void write_trace_file(const Workload& w, const std::string& path);

/// Reads and checks a trace document: format and version, keys (did-you-mean), types and units,
/// group and stream names, ops on streams of their kind, steps, dependencies in range.
/// Op::where points into the document. Throws: ConfigError at file:line:col.
Workload read_trace(const ConfigNode& doc);

}  // namespace gigasim
