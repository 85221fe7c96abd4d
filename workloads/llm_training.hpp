#pragma once
// `kind: llm` — training steps of a decoder-only transformer with five-dimensional parallelism:
// tensor parallelism (with sequence parallelism), pipeline parallelism (GPipe, 1F1B or
// interleaved 1F1B), data parallelism (DDP, ZeRO-1/2 distributed optimizer, or FSDP), expert
// parallelism (all-to-all dispatch and combine) and context parallelism (keys and values
// all-gathered). Compute times come from the roofline compute model (workloads/llm/); the
// communication is real collectives and point-to-point transfers replayed on the fabric.
//
// Scale: one program per pipeline stage, shared by every rank of that stage (TP, CP and DP
// ranks run the same program), and a stage's forward or backward over one model chunk is one
// compute op (split only where a gradient bucket or a parameter gather needs the boundary), so
// the workload is O(stages x micro-batches) ops whatever the number of GPUs.

#include "workloads/workload_source.hpp"

namespace gigasim {

class LlmTrainingSource final : public WorkloadSource {
 public:
  std::string_view kind() const override { return "llm"; }
  std::string_view description() const override {
    return "LLM training steps: TP/SP, PP (1F1B, interleaved), DP (ZeRO, FSDP), EP, CP; roofline compute model";
  }
  Workload build(const ConfigNode& spec, const ClusterInfo& cluster) const override;
};

}  // namespace gigasim
