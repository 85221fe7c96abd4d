#include "sim/collectives/calibration.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sim/collectives/calibration_data.hpp"

namespace gigasim {

const Calibration& Calibration::nccl() {
  static const Calibration c = [] {
    Calibration k = parse(load_yaml_string(kDefaultCalibrationYaml, "sim/collectives/calibration.yaml"));
    k.name_ = "nccl";
    return k;
  }();
  return c;
}

const Calibration& Calibration::ideal() {
  static const Calibration c = [] {
    Calibration k;
    k.name_ = "ideal";
    k.ideal_ = true;
    return k;
  }();
  return c;
}

Calibration Calibration::load(const std::string& name_or_path) {
  if (name_or_path == "nccl") return nccl();
  if (name_or_path == "ideal") return ideal();
  Calibration c = parse(load_yaml_file(name_or_path));
  c.name_ = name_or_path;
  return c;
}

Calibration Calibration::parse(const ConfigNode& root) {
  Calibration c;
  root.require_map("a calibration: chunk_bytes, max_pipeline_chunks, algorithms");
  root.check_keys({"chunk_bytes", "max_pipeline_chunks", "channels_per_nic", "max_channels", "algorithms", "profiles"});
  c.chunk_bytes_ = root.get_bytes("chunk_bytes", c.chunk_bytes_);
  if (!(c.chunk_bytes_ > 0)) root.at("chunk_bytes").fail("chunk_bytes must be positive");
  c.max_chunks_ = static_cast<uint32_t>(root.get_int("max_pipeline_chunks", c.max_chunks_, 1, 4096));
  c.channels_per_nic_ = static_cast<uint32_t>(root.get_int("channels_per_nic", c.channels_per_nic_, 1, 64));
  c.max_channels_ = static_cast<uint32_t>(root.get_int("max_channels", c.max_channels_, 1, 64));
  c.entries_ = parse_entries(root.at("algorithms"));
  if (auto profiles = root.find("profiles")) {
    for (const auto& [gpu, algos] : profiles->entries()) c.profiles_[gpu] = parse_entries(algos);
  }
  return c;
}

std::map<std::string, ProtocolCalibration> Calibration::parse_entries(const ConfigNode& algorithms) {
  std::map<std::string, ProtocolCalibration> out;
  for (const auto& [algo, protos] : algorithms.entries()) {
    for (const auto& [proto_name, e] : protos.entries()) {
      Protocol p;
      if (!parse_protocol(proto_name, p)) {
        e.fail(fmt::format("unknown protocol '{}' (known: simple, ll128, ll)", proto_name));
      }
      e.check_keys({"base_latency", "step_latency_nvlink", "step_latency_net", "efficiency", "efficiency_net",
                    "channel_bw_net"});
      ProtocolCalibration pc;
      pc.available = true;
      pc.base_latency_s = e.get_duration("base_latency", 0.0);
      pc.step_latency_nvlink_s = e.get_duration("step_latency_nvlink", 0.0);
      pc.step_latency_net_s = e.get_duration("step_latency_net", 0.0);
      pc.efficiency = e.get_double("efficiency", 1.0);
      if (!(pc.efficiency > 0 && pc.efficiency <= 1)) e.at("efficiency").fail("efficiency must be in (0, 1]");
      pc.efficiency_net = e.get_double("efficiency_net", pc.efficiency);
      if (!(pc.efficiency_net > 0 && pc.efficiency_net <= 1)) {
        e.at("efficiency_net").fail("efficiency_net must be in (0, 1]");
      }
      if (auto b = e.find("channel_bw_net")) pc.channel_bw_net_Bps = b->as_bandwidth();
      out[algo + "/" + proto_name] = pc;
    }
  }
  return out;
}

Calibration Calibration::for_profile(const std::string& gpu_model) const {
  Calibration c = *this;
  auto it = profiles_.find(gpu_model);
  if (it == profiles_.end()) return c;
  for (const auto& [key, value] : it->second) c.entries_[key] = value;
  c.name_ = name_ + "/" + gpu_model;
  return c;
}

uint32_t Calibration::default_channels(uint32_t nics_per_server) const {
  return std::clamp(channels_per_nic_ * std::max(1U, nics_per_server), 1U, max_channels_);
}

ProtocolCalibration Calibration::get(const std::string& algorithm, Protocol p) const {
  if (ideal_) return ProtocolCalibration{true, 0, 0, 0, 1, 1, 0};
  auto it = entries_.find(algorithm + "/" + to_string(p));
  return it == entries_.end() ? ProtocolCalibration{} : it->second;
}

}  // namespace gigasim
