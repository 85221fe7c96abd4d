#pragma once
// `kind: rail_only` — rail-only networks (Wang et al., "Rail-only", 2023): one switch fabric per
// rail joins NIC r of every server, and nothing joins two rails. Traffic between GPUs on
// different rails first crosses NVLink to the source server's GPU on the destination's rail.
// Each rail's fabric is a 2- or 3-tier Clos sized for the servers. Keys: presets/README.md.

#include "topologies/topology_builder.hpp"

namespace gigasim {

class RailOnlyBuilder final : public TopologyBuilder {
 public:
  std::string_view kind() const override { return "rail_only"; }
  std::string_view description() const override {
    return "one Clos per rail, no spine between rails; cross-rail traffic forwarded over NVLink";
  }
  Topology build(const ConfigNode& spec) const override;
};

}  // namespace gigasim
