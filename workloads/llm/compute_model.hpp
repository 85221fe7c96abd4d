#pragma once
// ComputeModel: how long the kernels of a training step take on one GPU, as a roofline with a
// shape-dependent GEMM efficiency. A GEMM of m x n x k runs at max_efficiency * g(m) g(n) g(k)
// of the peak (g(x) = x / (x + half_size): tile and wave quantization leave SMs idle on small
// dimensions) unless its operands' memory traffic takes longer; memory-bound kernels (norms,
// activations, softmax, the optimizer) run at the measured STREAM fraction of the HBM bandwidth;
// every kernel pays a fixed launch cost. All constants live in one documented file,
// workloads/llm/compute_calibration.yaml (compiled in), one profile per GPU model.

#include <string>

#include "sim/core/yaml.hpp"

namespace gigasim {

struct GpuProfile {
  std::string name;              ///< "h100", "a100", ...
  double peak_flops = 0;         ///< dense BF16/FP16 tensor FLOP/s (the topology's gpu_flops)
  double fp8_speedup = 1;        ///< FP8 GEMM peak / BF16 peak (1: no FP8)
  double hbm_Bps = 0;
  double memory_efficiency = 1;
  double gemm_max_efficiency = 1;
  double gemm_half_size = 0;
  double gemm_kernel_s = 0;
  double flash_fwd_efficiency = 1, flash_bwd_efficiency = 1;
  double kernel_s = 0;           ///< launch cost of a memory-bound kernel
};

/// Constants of the per-layer and optimizer cost model (the `layer:` and `optimizer:` sections).
struct LayerCalibration {
  double kernels_per_layer = 0;
  double ew_hidden_tensors = 0, ew_ffn_tensors = 0, ew_gated_ffn_tensors = 0, ew_backward_factor = 1;
  double flash_backward_flops_factor = 2.5;
  double softmax_passes = 2, softmax_backward_factor = 3;
  double optimizer_bytes_per_param = 0, optimizer_kernels = 0;
};

class ComputeModel {
 public:
  /// `gpu_model` selects the profile; `peak_flops` is the topology's gpu_flops.
  /// `calibration` is "" (the built-in file) or a YAML file path. Throws: ConfigError.
  static ComputeModel load(const std::string& gpu_model, double peak_flops, const std::string& calibration = "");
  static ComputeModel parse(const ConfigNode& root, const std::string& gpu_model, double peak_flops);

  const GpuProfile& gpu() const { return gpu_; }
  const LayerCalibration& layer() const { return layer_; }
  /// Achieved fraction of peak of an m x n x k GEMM before the memory bound (shape law only).
  double gemm_efficiency(double m, double n, double k) const;
  /// One GEMM, `bytes_per_element` per operand element; `fp8` uses the FP8 peak.
  double gemm_s(double m, double n, double k, double bytes_per_element = 2, bool fp8 = false) const;
  /// A memory-bound kernel moving `bytes`.
  double memory_s(double bytes) const;
  /// Flash attention doing `flops` (forward or backward efficiency).
  double flash_s(double flops, bool backward) const;

 private:
  GpuProfile gpu_;
  LayerCalibration layer_;
};

}  // namespace gigasim
