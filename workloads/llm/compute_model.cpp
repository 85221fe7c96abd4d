#include "workloads/llm/compute_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "workloads/compute_calibration_data.hpp"

namespace gigasim {

ComputeModel ComputeModel::load(const std::string& gpu_model, double peak_flops, const std::string& calibration) {
  if (calibration.empty()) {
    return parse(load_yaml_string(kComputeCalibrationYaml, "workloads/llm/compute_calibration.yaml"), gpu_model,
                 peak_flops);
  }
  return parse(load_yaml_file(calibration), gpu_model, peak_flops);
}

ComputeModel ComputeModel::parse(const ConfigNode& root, const std::string& gpu_model, double peak_flops) {
  root.require_map("a compute calibration: {profiles, layer, optimizer}");
  root.check_keys({"profiles", "layer", "optimizer"});
  const ConfigNode profiles = root.at("profiles");
  profiles.require_map("profiles: one mapping per GPU model");
  auto p = profiles.find(gpu_model);
  if (!p) {
    std::string known;
    for (const auto& [k, v] : profiles.entries()) known += (known.empty() ? "" : ", ") + k;
    profiles.fail(fmt::format("no compute profile for gpu_model '{}' (known: {})", gpu_model, known));
  }
  p->check_keys({"hbm_bandwidth", "memory_efficiency", "fp8_speedup", "gemm", "flash_attention", "kernel"});
  ComputeModel m;
  GpuProfile& g = m.gpu_;
  g.name = gpu_model;
  g.peak_flops = peak_flops;
  g.hbm_Bps = p->get_bandwidth("hbm_bandwidth");
  auto fraction = [](const ConfigNode& n, std::string_view key, double def) {
    const double v = n.get_double(key, def);
    if (!(v > 0 && v <= 1)) n.at(key).fail(fmt::format("{} must be in (0, 1]", key));
    return v;
  };
  g.memory_efficiency = fraction(*p, "memory_efficiency", 1.0);
  g.fp8_speedup = p->get_double("fp8_speedup", 1.0);
  const ConfigNode gemm = p->at("gemm");
  gemm.check_keys({"max_efficiency", "half_size", "kernel"});
  g.gemm_max_efficiency = fraction(gemm, "max_efficiency", 1.0);
  g.gemm_half_size = gemm.get_double("half_size", 0.0);
  g.gemm_kernel_s = gemm.get_duration("kernel", 0.0);
  const ConfigNode fa = p->at("flash_attention");
  fa.check_keys({"forward_efficiency", "backward_efficiency"});
  g.flash_fwd_efficiency = fraction(fa, "forward_efficiency", 1.0);
  g.flash_bwd_efficiency = fraction(fa, "backward_efficiency", 1.0);
  g.kernel_s = p->get_duration("kernel", 0.0);

  LayerCalibration& l = m.layer_;
  const ConfigNode layer = root.at("layer");
  layer.check_keys({"kernels_per_layer", "elementwise", "flash_backward_flops_factor", "megatron_fused_softmax"});
  l.kernels_per_layer = layer.get_double("kernels_per_layer", 0.0);
  const ConfigNode ew = layer.at("elementwise");
  ew.check_keys({"hidden_tensors", "ffn_tensors", "gated_ffn_tensors", "backward_factor"});
  l.ew_hidden_tensors = ew.get_double("hidden_tensors", 0.0);
  l.ew_ffn_tensors = ew.get_double("ffn_tensors", 0.0);
  l.ew_gated_ffn_tensors = ew.get_double("gated_ffn_tensors", l.ew_ffn_tensors);
  l.ew_backward_factor = ew.get_double("backward_factor", 1.0);
  l.flash_backward_flops_factor = layer.get_double("flash_backward_flops_factor", 2.5);
  const ConfigNode sm = layer.at("megatron_fused_softmax");
  sm.check_keys({"passes", "backward_factor"});
  l.softmax_passes = sm.get_double("passes", 2.0);
  l.softmax_backward_factor = sm.get_double("backward_factor", 3.0);
  const ConfigNode opt = root.at("optimizer");
  opt.check_keys({"bytes_per_param", "kernels"});
  l.optimizer_bytes_per_param = opt.get_double("bytes_per_param", 0.0);
  l.optimizer_kernels = opt.get_double("kernels", 0.0);
  return m;
}

double ComputeModel::gemm_efficiency(double m, double n, double k) const {
  const double h = gpu_.gemm_half_size;
  auto g = [h](double x) { return x / (x + h); };
  return gpu_.gemm_max_efficiency * g(m) * g(n) * g(k);
}

double ComputeModel::gemm_s(double m, double n, double k, double bytes_per_element, bool fp8) const {
  if (m <= 0 || n <= 0 || k <= 0) return 0;
  const double peak = gpu_.peak_flops * (fp8 ? gpu_.fp8_speedup : 1.0);
  const double compute = 2 * m * n * k / (peak * gemm_efficiency(m, n, k));
  const double memory = (m * k + k * n + m * n) * bytes_per_element / (gpu_.hbm_Bps * gpu_.memory_efficiency);
  return gpu_.gemm_kernel_s + std::max(compute, memory);
}

double ComputeModel::memory_s(double bytes) const {
  return bytes > 0 ? gpu_.kernel_s + bytes / (gpu_.hbm_Bps * gpu_.memory_efficiency) : 0;
}

double ComputeModel::flash_s(double flops, bool backward) const {
  if (flops <= 0) return 0;
  return gpu_.kernel_s + flops / (gpu_.peak_flops * (backward ? gpu_.flash_bwd_efficiency : gpu_.flash_fwd_efficiency));
}

}  // namespace gigasim
