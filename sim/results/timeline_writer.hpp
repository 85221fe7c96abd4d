#pragma once
// Timeline writer: a Chrome trace-event file (JSON, gzip-compressed as one stream) that Perfetto
// and chrome://tracing open, from what a TimelineRecorder kept of a sample of ranks and steps
// (sim/records/timeline_recorder.hpp). It lays the events out with pid = server and one track
// per rank and stream (compute, comm, ...), so overlapping compute and communication never share
// a track.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/topology.hpp"
#include "sim/core/workload.hpp"
#include "sim/records/replay_result.hpp"
#include "sim/records/timeline_recorder.hpp"

namespace gigasim {

/// Writes `path` (".json.gz": gzip; otherwise plain JSON) atomically. Throws: IoError.
void write_timeline(const std::string& path, const TimelineRecorder& rec, const Topology& topo, const Workload& work,
                    const ReplayResult& res);

}  // namespace gigasim
