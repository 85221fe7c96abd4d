#pragma once
// TrainingConfig: the `kind: llm` workload mapping, read and checked — model, parallelism,
// batch and micro-batches, pipeline schedule, recomputation, gradient/parameter sharding (DDP,
// ZeRO-1/2, FSDP) and its overlap, collective options per parallelism dimension, folding — and
// the group families and streams an LLM training program is written on.

#include <cstdint>
#include <string>

#include "sim/core/workload.hpp"
#include "sim/core/yaml.hpp"
#include "workloads/llm/layer_costs.hpp"
#include "workloads/llm/model_spec.hpp"
#include "workloads/llm/parallel_layout.hpp"
#include "workloads/llm/pipeline_schedule.hpp"
#include "workloads/workload_source.hpp"

namespace gigasim::llm {

// Group families, in this order.
enum Fam : uint32_t { kTP = 0, kCP, kPP, kDP, kEP, kEDP, kCPG, kFamilies };
// Streams, in this order.
enum Str : uint16_t { kCompute = 0, kLayer, kGrad, kParam, kSendFwd, kRecvFwd, kSendBwd, kRecvBwd, kStreams };

enum class Sharding : uint8_t { kNone = 0, kZero1 = 1, kZero2 = 2, kFsdp = 3 };

struct TrainingConfig {
  ModelSpec model;
  ParallelConfig par;
  uint32_t steps = 1;
  uint64_t micro_batch = 1, global_batch = 0;
  uint32_t microbatches = 1;  // per pipeline, per step
  PipelineScheduleKind schedule = PipelineScheduleKind::k1F1B;
  uint32_t chunks = 1;
  CostOptions cost;
  Sharding sharding = Sharding::kNone;
  bool overlap_grad = true, overlap_param = true;
  double bucket_params = 0;  // 0: Megatron's max(40M, 1M x dp)
  double grad_bytes = 2;
  std::string flops = "model";
  std::string calibration;
  std::string fold = "auto";
  Op coll[kFamilies];  // per family: the collective options
  std::string where;
};

/// Throws: ConfigError at the offending key.
TrainingConfig parse_training_config(const ConfigNode& spec, const ClusterInfo& cluster);

}  // namespace gigasim::llm
