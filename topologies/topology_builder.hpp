#pragma once
// TopologyBuilder: the seam for fabric families. A builder reads the `topology:` YAML mapping of
// its `kind`, validates it (every complaint at file:line:col) and returns a Topology: nodes,
// cables and the family's O(1) Router, from the same parameters. It does not touch SimGrid.
// Families are listed explicitly in topologies/builtin.cpp.

#include <string_view>
#include <vector>

#include "sim/core/topology.hpp"
#include "sim/core/yaml.hpp"

namespace gigasim {

class TopologyBuilder {
 public:
  virtual ~TopologyBuilder() = default;
  /// The `kind:` this builder handles.
  virtual std::string_view kind() const = 0;
  /// One line for `gigasim inspect --list`.
  virtual std::string_view description() const = 0;
  /// Requires: `spec` is a mapping with `kind` equal to kind(). Throws: ConfigError.
  virtual Topology build(const ConfigNode& spec) const = 0;
};

/// Every builder, in the order `inspect --list` shows them.
const std::vector<const TopologyBuilder*>& topology_builders();

/// Builds the topology a `topology:` mapping describes, dispatching on `kind`.
/// Throws: ConfigError (unknown kind, bad parameters, invalid fabric).
Topology build_topology(const ConfigNode& spec);

/// Reads a link class {bandwidth, latency}; missing keys take the defaults given.
LinkClass parse_link_class(const ConfigNode& node, const LinkClass& defaults);

/// Structural checks shared by all families: connected, switch radix respected, no GPU without a
/// cable. Throws: ConfigError located at `spec`.
void validate_topology(const Topology& topo, const ConfigNode& spec);

}  // namespace gigasim
