#include "sim/results/timeline_writer.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "sim/core/error.hpp"
#include "sim/core/version.hpp"

namespace gigasim {

TimelineRecorder::TimelineRecorder(std::vector<uint32_t> ranks, uint32_t first_step, uint32_t last_step)
    : ranks_(std::move(ranks)), first_step_(first_step), last_step_(last_step) {
  std::sort(ranks_.begin(), ranks_.end());
  ranks_.erase(std::unique(ranks_.begin(), ranks_.end()), ranks_.end());
}

bool TimelineRecorder::wants(uint32_t rank, uint32_t step) const {
  return step >= first_step_ && step <= last_step_ && std::binary_search(ranks_.begin(), ranks_.end(), rank);
}

void TimelineRecorder::record(uint32_t rank, uint32_t op, uint32_t stream, double start_s, double end_s) {
  events_.push_back(Event{rank, op, stream, start_s, end_s});
}

std::vector<uint32_t> parse_rank_list(const std::string& spec, uint32_t limit) {
  std::vector<uint32_t> out;
  size_t pos = 0;
  while (pos <= spec.size()) {
    const size_t comma = spec.find(',', pos);
    const std::string part = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (!part.empty()) {
      const size_t dash = part.find('-');
      try {
        const unsigned long a = std::stoul(part.substr(0, dash));
        const unsigned long b = dash == std::string::npos ? a : std::stoul(part.substr(dash + 1));
        if (b < a) throw std::invalid_argument("range");
        for (unsigned long r = a; r <= b && r < limit; ++r) out.push_back(static_cast<uint32_t>(r));
      } catch (const std::exception&) {
        throw ConfigError(fmt::format("--timeline-ranks '{}': expected ranks like 0-63,128", spec));
      }
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  if (out.empty()) throw ConfigError(fmt::format("--timeline-ranks '{}' selects no rank below {}", spec, limit));
  return out;
}

std::vector<uint32_t> default_timeline_ranks(uint32_t ranks, uint32_t gpus_per_server) {
  std::vector<uint32_t> out;
  for (uint32_t r = 0; r < std::min(ranks, gpus_per_server); ++r) out.push_back(r);
  if (ranks > gpus_per_server) {
    const uint32_t step = std::max(1U, ranks / 16);
    for (uint32_t r = step; r < ranks; r += step) out.push_back(r);
  }
  return out;
}

namespace {

class Sink {
 public:
  Sink(const std::string& path, bool gzip) : gzip_(gzip) {
    if (gzip_) {
      gz_ = gzopen(path.c_str(), "wb6");
      ok_ = gz_ != nullptr;
    } else {
      f_ = std::fopen(path.c_str(), "wb");
      ok_ = f_ != nullptr;
    }
  }
  ~Sink() { close(); }
  bool ok() const { return ok_; }
  void write(const std::string& s) {
    if (!ok_ || s.empty()) return;
    if (gzip_) ok_ = gzwrite(gz_, s.data(), static_cast<unsigned>(s.size())) == static_cast<int>(s.size());
    else ok_ = std::fwrite(s.data(), 1, s.size(), f_) == s.size();
  }
  bool close() {
    if (gzip_ && gz_ != nullptr) ok_ = gzclose(gz_) == Z_OK && ok_, gz_ = nullptr;
    if (!gzip_ && f_ != nullptr) ok_ = std::fclose(f_) == 0 && ok_, f_ = nullptr;
    return ok_;
  }

 private:
  bool gzip_;
  gzFile gz_ = nullptr;
  FILE* f_ = nullptr;
  bool ok_ = false;
};

}  // namespace

void write_timeline(const std::string& path, const TimelineRecorder& rec, const Topology& topo, const Workload& work,
                    const ReplayResult& res) {
  const bool gzip = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  const std::string tmp = path + ".tmp";
  {
    Sink out(tmp, gzip);
    if (!out.ok()) throw IoError(fmt::format("{}: error: cannot write the timeline", path));
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
    if (!out.close()) {
      std::remove(tmp.c_str());
      throw IoError(fmt::format("{}: error: cannot write the timeline", path));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw IoError(fmt::format("{}: error: cannot rename the timeline into place", path));
  }
}

}  // namespace gigasim
