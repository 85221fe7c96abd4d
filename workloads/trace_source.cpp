#include "workloads/trace_source.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "workloads/trace_format.hpp"

namespace gigasim {

Workload TraceSource::build(const ConfigNode& spec, const ClusterInfo& cluster) const {
  spec.check_keys({"kind", "file", "steps", "fold"});
  const ConfigNode file = spec.at("file");
  const std::string path = file.as_path();
  if (!std::filesystem::is_regular_file(path)) file.fail(fmt::format("trace file '{}' not found", path));
  Workload w = read_trace(load_yaml_file(path));
  if (w.ranks > cluster.gpus) {
    file.fail(fmt::format("the trace '{}' has {} ranks, more than the cluster's {} GPUs", path, w.ranks,
                          cluster.gpus));
  }
  if (auto f = spec.find("fold")) {
    // As for kind: llm. The trace's fold_by names the symmetric family (exported LLM steps: tp).
    const std::string mode = f->as_string();
    if (mode != "auto" && mode != "none" && mode != "force") {
      f->fail(fmt::format("fold must be auto, none or force, got '{}'", mode));
    }
    if (mode == "none") w.fold_family = -1;
    if (mode == "force") {
      if (w.fold_family < 0) f->fail(fmt::format("fold: force, but the trace '{}' names no fold_by group", path));
      w.fold_forced = true;
    }
    if (mode == "auto") w.fold_forced = false;
  }
  if (auto s = spec.find("steps")) {
    // The first N steps: what an op waits for must then be inside them.
    const auto steps = static_cast<uint32_t>(s->as_int(1, w.steps));
    for (Program& p : w.programs) {
      std::erase_if(p.ops, [&](const Op& op) { return op.step >= steps; });
      std::vector<uint32_t> per_stream(w.streams.size(), 0);
      for (const Op& op : p.ops) ++per_stream[op.stream];
      for (const Op& op : p.ops) {
        for (const Dep& d : op.deps) {
          if (d.count > per_stream[d.stream]) {
            s->fail(fmt::format("op '{}' of step {} (at {}) waits for ops of a later step: the trace cannot be "
                                "cut at {} steps",
                                op.label, op.step, op.where, steps));
          }
        }
      }
    }
    w.steps = steps;
  }
  return w;
}

}  // namespace gigasim
