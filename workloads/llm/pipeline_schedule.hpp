#pragma once
// PipelineSchedule: the order in which one pipeline stage runs the forward and backward passes
// of a step's micro-batches, as Megatron-LM runs them. GPipe: every forward, then every backward.
// 1F1B (PipeDream-flush): p-s-1 warm-up forwards on stage s, then one forward and one backward
// in turn, then the remaining backwards. Interleaved 1F1B: each stage holds v model chunks
// (virtual stages); micro-batches go through the chunks in groups of p, which shrinks the
// bubble from (p-1)/m to (p-1)/(v m) of the ideal step. Pure and O(m v) per stage.

#include <cstdint>
#include <string>
#include <vector>

namespace gigasim {

enum class PipelineScheduleKind : uint8_t { kGPipe = 0, k1F1B = 1, kInterleaved = 2 };

struct PipeOp {
  bool forward = true;
  uint32_t microbatch = 0;
  uint32_t chunk = 0;  ///< model chunk on this stage (0 .. v-1); global chunk = chunk * p + stage
};

/// The stage's pass order. Requires: stage < stages; chunks == 1 unless interleaved;
/// interleaved needs microbatches to be a multiple of stages (Megatron's rule).
std::vector<PipeOp> pipeline_order(PipelineScheduleKind kind, uint32_t stages, uint32_t stage, uint32_t microbatches,
                                   uint32_t chunks);

/// The bubble of the schedule with equal forward (tf) and backward (tb) times per chunk and no
/// communication: (p-1)(tf+tb) / v for 1F1B and interleaved, the same for GPipe.
double pipeline_bubble_s(uint32_t stages, uint32_t chunks, double tf, double tb);

bool parse_pipeline_schedule(const std::string& s, PipelineScheduleKind& out);
const char* to_string(PipelineScheduleKind k);

}  // namespace gigasim
