#pragma once
// Failure targets: what a failure can hit in a Topology, by class — links (switch-to-switch
// cables), switches, NICs (a GPU's cable to its leaf), GPUs, servers — and how a name or glob
// pattern (`leaf3-spine*`, `gpu1?`, `server7`) resolves to them. GPUs, NICs and servers are
// matched by arithmetic; links and switches by their names (topology.hpp), once per pattern.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/topology.hpp"
#include "sim/failures/failure_event.hpp"

namespace gigasim {

/// Every component `pattern` names, in id order (of class `cls` only, when given).
std::vector<FailureTarget> match_targets(const Topology& topo, const std::string& pattern,
                                         std::optional<TargetKind> cls);
/// Components of a class, and the i-th of them.
uint32_t target_count(const Topology& topo, TargetKind cls);
FailureTarget target_at(const Topology& topo, TargetKind cls, uint32_t i);
std::string target_name(const Topology& topo, const FailureTarget& t);
/// The directed links a link, NIC or switch failure takes down (empty for GPUs and servers).
std::vector<LinkId> target_links(const Topology& topo, const FailureTarget& t);
/// The GPUs a GPU or server failure hits (empty for network components).
std::vector<uint32_t> target_gpus(const Topology& topo, const FailureTarget& t);

}  // namespace gigasim
