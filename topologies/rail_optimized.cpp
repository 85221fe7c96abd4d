#include "topologies/rail_optimized.hpp"

#include <fmt/format.h>

#include "topologies/clos.hpp"

namespace gigasim {

Topology RailOptimizedBuilder::build(const ConfigNode& spec) const {
  spec.check_keys({GIGASIM_CLOS_COMMON_KEYS, "servers", "scalable_units", "servers_per_su", "gpus_per_server",
                   "rails", "pxn"});
  ClosParams p;
  p.kind = "rail_optimized";
  p.layout = ClosLayout::kRail;
  p.tiers = 0;  // as few as hold the GPUs, as in the SuperPOD reference designs
  p.gpus_per_server = static_cast<uint32_t>(spec.get_int("gpus_per_server", 8, 1, 1024));
  if (auto r = spec.find("rails")) {
    p.rails = static_cast<uint32_t>(r->as_int(1, 1024));
    if (p.gpus_per_server % p.rails != 0) {
      r->fail(fmt::format("rails ({}) must divide gpus_per_server ({})", p.rails, p.gpus_per_server));
    }
  }
  p.servers_per_su = static_cast<uint32_t>(spec.get_int("servers_per_su", 32, 1, 65536));
  const bool by_su = spec.has("scalable_units");
  if (by_su == spec.has("servers")) spec.fail("give exactly one of 'scalable_units' and 'servers'");
  if (by_su) {
    p.servers = static_cast<uint32_t>(spec.get_int("scalable_units", 1, 1 << 20)) * p.servers_per_su;
  } else {
    p.servers = static_cast<uint32_t>(spec.get_int("servers", 1, 1 << 22));
  }
  p.pxn = spec.get_bool("pxn", false);
  parse_clos_common(spec, p);
  Topology t = make_clos(p, spec);
  validate_topology(t, spec);
  return t;
}

}  // namespace gigasim
