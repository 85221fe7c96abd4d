#pragma once
// Topology: one concrete fabric — its nodes (GPUs, NVSwitches, switches by tier), its cables with
// bandwidth and latency, and the Router that picks paths over them. It is built by a
// TopologyBuilder (topologies/) from YAML, lowered into SimGrid by sim/platform, and analysed
// through TopologyGraph (Boost.Graph). Node ids 0..gpus-1 are the GPUs, in rank order.
// Storage is flat (a few tens of bytes per node and cable) so 100k GPUs cost megabytes; names are
// computed on demand, not stored.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/router.hpp"

namespace gigasim {

/// kTrunk nodes are not hardware: they stand for a set of parallel switches when a family models
/// ideal packet spraying as one trunk per stage (see Cable::kind kTrunk).
enum class NodeKind : uint8_t { kGpu = 0, kNvSwitch = 1, kSwitch = 2, kTrunk = 3 };
/// Link classes: NVLink inside a server, the GPU's NIC cable to its leaf, switch-to-switch, and
/// trunks (the summed bandwidth of one stage's parallel cables, used only by `spray` routing).
enum class LinkKind : uint8_t { kNvLink = 0, kNic = 1, kFabric = 2, kTrunk = 3 };

const char* to_string(NodeKind k);
const char* to_string(LinkKind k);

struct Node {
  NodeKind kind = NodeKind::kGpu;
  uint8_t tier = 0;      ///< 0 for GPUs and NVSwitches, 1 leaf, 2 spine, 3 core
  int16_t copy = -1;     ///< which plane or rail network a switch belongs to (-1: the only one)
  int32_t pod = -1;      ///< pod of a switch or GPU, -1 where it has none
  uint32_t index = 0;    ///< index among the nodes of the same kind, tier and copy
};

struct Cable {
  NodeId a = 0;          ///< lower end (GPU side); LinkId 2c goes a -> b
  NodeId b = 0;          ///< upper end
  LinkKind kind = LinkKind::kFabric;
  uint8_t tier = 0;      ///< tier of the upper end (0 for NVLink: the NVSwitch)
  uint16_t parallel = 0; ///< index among parallel cables between the same two nodes
  double bw_Bps = 0;     ///< per direction
  double latency_s = 0;
};

/// Bandwidth and latency of one link class.
struct LinkClass {
  double bw_Bps = 0;
  double latency_s = 0;
};

class Topology {
 public:
  std::string kind;                 ///< registry name, e.g. "fat_tree"
  uint32_t gpus = 0;
  uint32_t gpus_per_server = 0;
  uint32_t servers = 0;
  uint32_t tiers = 0;               ///< switch tiers
  std::vector<uint32_t> radix;      ///< per switch tier (index 0 = leaf)
  double gpu_flops = 0;             ///< peak FLOP/s of one GPU
  bool nvls = false;                ///< NVSwitches reduce in-network (NVLS collectives)
  bool sharp = false;               ///< switches reduce in-network (InfiniBand SHARP: collnet)
  std::string gpu_model = "h100";   ///< selects the collective calibration profile
  std::vector<std::string> tier_names;  ///< index 1..tiers: "leaf", "spine", "core"
  std::string copy_name;            ///< "plane" or "rail" when the fabric has several copies
  uint32_t copies = 1;              ///< independent switch fabrics (dual-plane: 2, rail-only: rails)
  std::vector<Node> nodes;
  std::vector<Cable> cables;
  /// Node names given in the file (small `kind: graph` fabrics only); empty otherwise.
  std::vector<std::string> names;
  std::unique_ptr<Router> router;

  uint32_t server_of(uint32_t gpu) const { return gpu / gpus_per_server; }
  uint32_t link_count() const { return static_cast<uint32_t>(cables.size() * 2); }
  NodeId link_source(LinkId l) const;
  NodeId link_target(LinkId l) const;
  std::string node_name(NodeId n) const;
  std::string cable_name(uint32_t c) const;
  /// "<cable name>_UP" / "_DOWN", as SimGrid names split-duplex halves.
  std::string link_name(LinkId l) const;

  /// True for the physical parts (not spray trunks): what inspect counts and graphs analyse.
  bool is_physical(const Cable& c) const { return c.kind != LinkKind::kTrunk; }

  /// Sum of link latencies on the route src -> dst with every link up.
  double path_latency(uint32_t src, uint32_t dst) const;
  /// Smallest link bandwidth on that route (infinity when src == dst).
  double path_bandwidth(uint32_t src, uint32_t dst) const;
};

}  // namespace gigasim
