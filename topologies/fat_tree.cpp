#include "topologies/fat_tree.hpp"

#include "topologies/clos.hpp"

namespace gigasim {

Topology FatTreeBuilder::build(const ConfigNode& spec) const {
  spec.check_keys({GIGASIM_CLOS_COMMON_KEYS, "servers", "gpus_per_server"});
  ClosParams p;
  p.kind = "fat_tree";
  p.layout = ClosLayout::kContiguous;
  p.servers = static_cast<uint32_t>(spec.get_int("servers", 1, 1 << 22));
  p.gpus_per_server = static_cast<uint32_t>(spec.get_int("gpus_per_server", 8, 1, 1024));
  parse_clos_common(spec, p);
  Topology t = make_clos(p, spec);
  validate_topology(t, spec);
  return t;
}

}  // namespace gigasim
