#include "workloads/llm_training.hpp"

#include "workloads/llm/layer_costs.hpp"
#include "workloads/llm/stage_program.hpp"
#include "workloads/llm/training_config.hpp"

namespace gigasim {
namespace {

using namespace llm;

double model_flops_per_token(const ModelSpec& m) {
  // 6 x (parameters a token goes through, output layer included) + attention (PaLM's 12 l h s).
  const double h = static_cast<double>(m.hidden);
  return 6 * (m.active_params() + h * static_cast<double>(m.vocab)) +
         12.0 * m.layers * h * static_cast<double>(m.seq_len);
}

double megatron_flops_per_step(const ModelSpec& m, uint64_t batch) {
  const double B = static_cast<double>(batch), s = static_cast<double>(m.seq_len), l = m.layers,
               h = static_cast<double>(m.hidden), V = static_cast<double>(m.vocab);
  return 96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h));
}

// The group families and streams LLM programs are written on (training_config.hpp's order).
void add_families_and_streams(Workload& w, const TrainingConfig& c) {
  const ParallelConfig& p = c.par;
  const ParallelLayout layout = make_layout(p);
  w.families.resize(kFamilies);
  w.families[kTP] = layout.family(ParallelDim::kTP);
  w.families[kCP] = layout.family(ParallelDim::kCP);
  w.families[kPP] = layout.family(ParallelDim::kPP);
  w.families[kDP] = layout.family(ParallelDim::kDP);
  w.families[kEP] = layout.ep_family();
  w.families[kEDP] = layout.edp_family();
  w.families[kCPG] = layout.family(ParallelDim::kCP);
  w.families[kCPG].name = "cp_grad";
  w.families[kCPG].dim = "dp";  // gradients reduced over CP ranks too: data-parallel traffic
  w.program_family = kPP;
  // TP ranks are symmetric (same program, same traffic on their own rails): one simulates all.
  if (p.tp > 1 && c.fold != "none") {
    w.fold_family = kTP;
    w.fold_forced = c.fold == "force";
  }
  w.streams = {{"compute", StreamKind::kCompute},   {"layer", StreamKind::kCollective},
               {"grad", StreamKind::kCollective},   {"param", StreamKind::kCollective},
               {"pp_send_fwd", StreamKind::kP2P},   {"pp_recv_fwd", StreamKind::kP2P},
               {"pp_send_bwd", StreamKind::kP2P},   {"pp_recv_bwd", StreamKind::kP2P}};
}

}  // namespace

Workload LlmTrainingSource::build(const ConfigNode& spec, const ClusterInfo& cluster) const {
  const TrainingConfig c = parse_training_config(spec, cluster);
  const ModelSpec& m = c.model;
  const ComputeModel cm = ComputeModel::load(cluster.gpu_model.empty() ? "h100" : cluster.gpu_model,
                                             cluster.gpu_flops, c.calibration);
  const LayerCosts costs(m, c.par, c.cost, cm);

  Workload w;
  w.kind = "llm";
  w.ranks = c.par.ranks();
  w.steps = c.steps;
  add_families_and_streams(w, c);

  // One program per pipeline stage.
  const StageSizes sizes = stage_sizes(c, costs);
  double hardware_flops = 0;
  w.programs.resize(c.par.pp);
  for (uint32_t s = 0; s < c.par.pp; ++s) {
    StageProgram stage(c, costs, sizes, s, w.programs[s]);
    stage.add_hardware_flops(hardware_flops);
    stage.write();
  }

  const double tokens = static_cast<double>(c.global_batch) * static_cast<double>(m.seq_len);
  w.model_flops_per_step = model_flops_per_token(m) * tokens * c.steps / c.steps;
  w.flops_convention = c.flops;
  w.flops_per_step = c.flops == "megatron" ? megatron_flops_per_step(m, c.global_batch)
                     : c.flops == "hardware" ? hardware_flops
                                             : w.model_flops_per_step;
  w.peak_flops_per_gpu = cluster.gpu_flops;
  return w;
}

}  // namespace gigasim
