#include "topologies/rail_only.hpp"

#include "topologies/clos.hpp"

namespace gigasim {

Topology RailOnlyBuilder::build(const ConfigNode& spec) const {
  spec.check_keys({GIGASIM_CLOS_COMMON_KEYS, "servers", "gpus_per_server", "rails"});
  ClosParams p;
  p.kind = "rail_only";
  p.layout = ClosLayout::kRailOnly;
  p.tiers = 0;
  p.servers = static_cast<uint32_t>(spec.get_int("servers", 1, 1 << 22));
  p.gpus_per_server = static_cast<uint32_t>(spec.get_int("gpus_per_server", 8, 2, 1024));
  p.rails = static_cast<uint32_t>(spec.get_int("rails", p.gpus_per_server, 1, 1024));
  if (p.gpus_per_server % p.rails != 0) spec.at("rails").fail("rails must divide gpus_per_server");
  parse_clos_common(spec, p);
  if (p.planes > 1) spec.at("dual_plane").fail("rail_only has no dual-plane variant");
  Topology t = make_clos(p, spec);
  validate_topology(t, spec);
  return t;
}

}  // namespace gigasim
