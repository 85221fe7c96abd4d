#include "sim/results/timeline_writer.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>

#include "sim/core/atomic_file.hpp"
#include "sim/core/error.hpp"
#include "sim/core/version.hpp"

namespace gigasim {


namespace {

// A plain or gzip file; the first failure's errno is kept (0: none).
class Sink {
 public:
  Sink(const std::string& path, bool gzip) : gzip_(gzip) {
    errno = 0;
    if (gzip_) {
      gz_ = gzopen(path.c_str(), "wb6");
      if (gz_ == nullptr) fail();
    } else {
      f_ = std::fopen(path.c_str(), "wb");
      if (f_ == nullptr) fail();
    }
  }
  ~Sink() { close(); }
  int error() const { return err_; }
  void write(const std::string& s) {
    if (err_ != 0 || s.empty()) return;
    errno = 0;
    if (gzip_ ? gzwrite(gz_, s.data(), static_cast<unsigned>(s.size())) != static_cast<int>(s.size())
              : std::fwrite(s.data(), 1, s.size(), f_) != s.size()) {
      fail();
    }
  }
  int close() {
    errno = 0;
    if (gzip_ && gz_ != nullptr && gzclose(gz_) != Z_OK) fail();
    if (!gzip_ && f_ != nullptr && std::fclose(f_) != 0) fail();
    gz_ = nullptr, f_ = nullptr;
    return err_;
  }

 private:
  void fail() {
    if (err_ == 0) err_ = errno != 0 ? errno : EIO;
  }
  bool gzip_;
  gzFile gz_ = nullptr;
  FILE* f_ = nullptr;
  int err_ = 0;
};

}  // namespace

void write_timeline(const std::string& path, const TimelineRecorder& rec, const Topology& topo, const Workload& work,
                    const ReplayResult& res) {
  const bool gzip = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  write_atomically(path, "the timeline", [&](const std::string& tmp) {
    Sink out(tmp, gzip);
    if (out.error() != 0) throw IoError("cannot write the timeline", out.error());
    nlohmann::json other{{"gigasim_version", kGigasimVersion},
                         {"topology_kind", topo.kind},
                         {"workload_kind", work.kind},
                         {"gpus", topo.gpus},
                         {"sim_time_s", res.sim_time_s},
                         {"sampled_ranks", rec.ranks().size()},
                         {"status", res.ok ? "ok" : "failed"}};
    out.write("{\"displayTimeUnit\":\"ns\",\"otherData\":" + other.dump() + ",\"traceEvents\":[\n");
    bool first = true;
    auto emit = [&](const nlohmann::json& e) {
      out.write((first ? "" : ",\n") + e.dump());
      first = false;
    };
    // Track names: pid = server, tid = rank * streams + stream.
    const uint64_t ns = work.streams.size();
    std::map<uint32_t, bool> servers;
    for (uint32_t r : rec.ranks()) {
      const uint32_t server = topo.server_of(r);
      if (!servers[server]) {
        servers[server] = true;
        emit({{"ph", "M"}, {"name", "process_name"}, {"pid", server}, {"args", {{"name", fmt::format("server {}", server)}}}});
        emit({{"ph", "M"}, {"name", "process_sort_index"}, {"pid", server}, {"args", {{"sort_index", server}}}});
      }
      for (uint64_t stream = 0; stream < ns; ++stream) {
        const uint64_t tid = ns * r + stream;
        emit({{"ph", "M"}, {"name", "thread_name"}, {"pid", server}, {"tid", tid},
              {"args", {{"name", fmt::format("rank {} {}", r, work.streams[stream].name)}}}});
        emit({{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", server}, {"tid", tid}, {"args", {{"sort_index", tid}}}});
      }
    }
    // Collective records by (program, op), for algorithm and fidelity.
    std::map<std::pair<uint32_t, uint32_t>, const CollectiveRecord*> coll;
    for (const CollectiveRecord& c : res.collectives) coll[{c.program, c.op}] = &c;
    for (const TimelineRecorder::Event& e : rec.events()) {
      const uint32_t program = work.program_of(e.rank);
      const Op& op = work.programs[program].ops[e.op];
      const bool compute = op.kind == OpKind::kCompute;
      nlohmann::json args{{"step", op.step}, {"op_id", e.op}};
      if (work.programs.size() > 1) args["program"] = program;
      std::string cat = "compute";
      if (!compute) {
        args["bytes"] = op.bytes;
        args["group"] = work.families[op.family].name;
        cat = op.kind == OpKind::kCollective ? to_string(op.collective) : op.kind == OpKind::kSend ? "send" : "recv";
        if (auto it = coll.find({program, e.op}); it != coll.end()) {
          args["algorithm"] = it->second->algorithm;
          args["protocol"] = it->second->protocol;
          args["fidelity"] = it->second->fidelity;
        }
      }
      emit({{"ph", "X"}, {"name", op.label}, {"cat", cat}, {"pid", topo.server_of(e.rank)}, {"tid", ns * e.rank + e.stream},
            {"ts", e.start_s * 1e6}, {"dur", (e.end_s - e.start_s) * 1e6}, {"args", args}});
    }
    out.write("\n]}\n");
    if (out.close() != 0) throw IoError("cannot write the timeline", out.error());
  });
}

}  // namespace gigasim
