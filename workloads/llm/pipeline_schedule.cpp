#include "workloads/llm/pipeline_schedule.hpp"

#include <algorithm>

namespace gigasim {

std::vector<PipeOp> pipeline_order(PipelineScheduleKind kind, uint32_t p, uint32_t s, uint32_t m, uint32_t v) {
  std::vector<PipeOp> out;
  out.reserve(2 * size_t{m} * v);
  if (kind == PipelineScheduleKind::kGPipe) {
    for (uint32_t j = 0; j < m; ++j) out.push_back(PipeOp{true, j, 0});
    for (uint32_t j = 0; j < m; ++j) out.push_back(PipeOp{false, j, 0});
    return out;
  }
  if (kind == PipelineScheduleKind::k1F1B) {
    const uint32_t warm = std::min(p - s - 1, m);
    for (uint32_t j = 0; j < warm; ++j) out.push_back(PipeOp{true, j, 0});
    for (uint32_t j = 0; j + warm < m; ++j) {
      out.push_back(PipeOp{true, j + warm, 0});
      out.push_back(PipeOp{false, j, 0});
    }
    for (uint32_t j = m - warm; j < m; ++j) out.push_back(PipeOp{false, j, 0});
    return out;
  }
  // Interleaved (megatron/core/pipeline_parallel/schedules.py): virtual micro-batch k runs chunk
  // (k mod pv) / p, micro-batch (k / pv) p + k mod p; backwards visit the chunks in reverse.
  const uint32_t total = m * v;
  auto virt = [&](uint32_t k, bool forward) {
    const uint32_t in_group = k % (p * v);
    uint32_t chunk = in_group / p;
    if (!forward) chunk = v - 1 - chunk;
    return PipeOp{forward, (k / (p * v)) * p + k % p, chunk};
  };
  const uint32_t warm = std::min(total, (p - s - 1) * 2 + (v - 1) * p);
  for (uint32_t k = 0; k < warm; ++k) out.push_back(virt(k, true));
  for (uint32_t i = 0; i + warm < total; ++i) {
    out.push_back(virt(warm + i, true));
    out.push_back(virt(i, false));
  }
  for (uint32_t k = total - warm; k < total; ++k) out.push_back(virt(k, false));
  return out;
}

double pipeline_bubble_s(uint32_t p, uint32_t v, double tf, double tb) { return (p - 1.0) * (tf + tb) / v; }

bool parse_pipeline_schedule(const std::string& s, PipelineScheduleKind& out) {
  if (s == "gpipe") out = PipelineScheduleKind::kGPipe;
  else if (s == "1f1b") out = PipelineScheduleKind::k1F1B;
  else if (s == "interleaved") out = PipelineScheduleKind::kInterleaved;
  else return false;
  return true;
}

const char* to_string(PipelineScheduleKind k) {
  switch (k) {
    case PipelineScheduleKind::kGPipe: return "gpipe";
    case PipelineScheduleKind::k1F1B: return "1f1b";
    case PipelineScheduleKind::kInterleaved: return "interleaved";
  }
  return "?";
}

}  // namespace gigasim
