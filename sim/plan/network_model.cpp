#include "sim/plan/network_model.hpp"

#include <fmt/format.h>

namespace gigasim {

std::vector<std::string> NetworkModelSpec::simgrid_config() const {
  std::vector<std::string> cfg{
      "network/model:" + model,
      std::string("network/crosstraffic:") + (crosstraffic ? "1" : "0"),
      // SimGrid bounds a flow by min(its rate, gamma / 2 latency); gamma 0 makes that bound 0,
      // which it reads as "none" and then drops a flow's own rate cap (Comm::set_rate) too.
      fmt::format("network/TCP-gamma:{}", tcp_gamma > 0 ? tcp_gamma : 1e30),
  };
  if (model == "CM02" || model == "LV08" || bandwidth_factor != 1.0 || latency_factor != 1.0) {
    cfg.push_back(fmt::format("network/bandwidth-factor:{}", bandwidth_factor));
    cfg.push_back(fmt::format("network/latency-factor:{}", latency_factor));
  }
  cfg.insert(cfg.end(), extra.begin(), extra.end());
  return cfg;
}

NetworkModelSpec parse_network_model(const ConfigNode* node) {
  NetworkModelSpec s;
  if (node == nullptr || node->is_null()) return s;
  node->require_map();
  node->check_keys({"model", "crosstraffic", "tcp_gamma", "bandwidth_factor", "latency_factor"});
  if (auto m = node->find("model")) {
    s.model = m->as_string();
    static const char* known[] = {"CM02", "LV08", "SMPI", "IB", "Constant"};
    bool ok = false;
    for (const char* k : known) ok = ok || s.model == k;
    if (!ok) m->fail(fmt::format("unknown network model '{}' (known: CM02, LV08, SMPI, IB, Constant)", s.model));
    if (s.model == "LV08") {
      // LV08's calibrated factors unless the file gives its own.
      s.bandwidth_factor = 0.97;
      s.latency_factor = 13.01;
      s.crosstraffic = true;
      s.tcp_gamma = 4194304;
    }
  }
  s.crosstraffic = node->get_bool("crosstraffic", s.crosstraffic);
  if (auto g = node->find("tcp_gamma")) s.tcp_gamma = g->as_bytes();
  s.bandwidth_factor = node->get_double("bandwidth_factor", s.bandwidth_factor);
  s.latency_factor = node->get_double("latency_factor", s.latency_factor);
  if (!(s.bandwidth_factor > 0)) node->at("bandwidth_factor").fail("bandwidth_factor must be positive");
  if (!(s.latency_factor >= 0)) node->at("latency_factor").fail("latency_factor must not be negative");
  return s;
}

}  // namespace gigasim
