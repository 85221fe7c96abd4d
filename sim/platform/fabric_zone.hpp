#pragma once
// FabricZone: how SimGrid sees a gigasim Topology — one routing zone (a NetZoneImpl subclass,
// the platform's root) holding one host per GPU and one split-duplex link per cable, whose
// get_local_route asks the topology's Router. SimGrid calls it at every flow start and does not
// cache the answer, so routes are O(1) arithmetic with no tables (built-in FatTree zones take
// 71 s at 98k hosts; Floyd/Dijkstra take one path and no ECMP), and a link turned off is avoided
// by the next flow. Uses kernel internals (protected constructor, Route::link_list_), pinned to
// SimGrid 3.32; keep this class small.

#include <simgrid/kernel/routing/NetZoneImpl.hpp>
#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/Link.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <unordered_map>

#include "sim/core/comm_group.hpp"
#include "sim/core/topology.hpp"

namespace gigasim {

class FabricZone final : public simgrid::kernel::routing::NetZoneImpl {
 public:
  /// Called with every route handed to SimGrid: src GPU, dst GPU, the flow's path and, under
  /// folding, the other positions' shared links it also consumes (a link once per time met).
  using RouteObserver = std::function<void(uint32_t, uint32_t, const Path&, std::span<const LinkId>)>;

  /// Rank folding (sim/plan/rank_program.hpp): the flow of a simulated rank (fold position 0)
  /// stands for the same flow of each of its `family.size` positions. Its route is its own path
  /// plus, for every other position, the links of that position's path that several positions
  /// can cross (`share[cable] > 1`): a shared link carries every position's copy of the traffic,
  /// each hashed on its own path (a link met k times is consumed k times, as k flows would).
  /// The copies then move at one rate, the slowest of their paths.
  struct Folding {
    GroupFamily family;
    std::vector<uint8_t> share;  ///< per cable: fold positions that can cross it (link_shares())
  };

  /// Requires: no platform exists yet (the first zone created becomes the root).
  FabricZone(const std::string& name, const Topology& topo, std::optional<Folding> fold = std::nullopt);

  /// Creates hosts and links and seals the zone.
  void build();
  void set_route_observer(RouteObserver obs) { observer_ = std::move(obs); }
  /// Flows in flight per directed link, for adaptive routing (nullptr: all zero).
  void set_load_source(std::function<double(LinkId)> load) { load_ = std::move(load); }

  simgrid::s4u::Host* host(uint32_t gpu) const { return hosts_[gpu]; }
  simgrid::s4u::Link* link(LinkId l) const { return links_[l]; }
  /// Turns link l off or on. Links change state only through here: while none is off, routing
  /// skips the per-candidate state checks.
  void set_link_up(LinkId l, bool up);
  uint64_t route_calls() const { return route_calls_; }
  /// Whether src has a live path to dst now (links that are off avoided).
  bool reachable(uint32_t src, uint32_t dst) const;
  /// The latency of the route src -> dst now (links that are off avoided; 0 without a live
  /// route, which fails at once anyway).
  double route_latency(uint32_t src, uint32_t dst) const;
  /// Whether routes given to SimGrid carry their latency (default), or the senders and
  /// receivers charge it themselves (then SimGrid sees none: sim/replay/rank.hpp says why).
  void set_latency_in_routes(bool on) { latency_in_routes_ = on; }
  /// Routes that found no live path (the flow is sent over a dead link and fails).
  uint64_t unreachable_routes() const { return unreachable_; }

 protected:
  void get_local_route(const simgrid::kernel::routing::NetPoint* src,
                       const simgrid::kernel::routing::NetPoint* dst,
                       simgrid::kernel::routing::Route* into, double* latency) override;

 private:
  class LiveLinks;

  const Topology& topo_;
  std::optional<Folding> fold_;
  std::vector<simgrid::s4u::Host*> hosts_;
  std::vector<uint32_t> gpu_of_netpoint_;
  std::vector<simgrid::s4u::Link*> links_;
  std::vector<simgrid::kernel::resource::StandardLinkImpl*> impls_;
  simgrid::s4u::Link* dead_link_ = nullptr;
  RouteObserver observer_;
  std::function<double(LinkId)> load_;
  // Flows started per (src, dst) pair, for routers that spread a pair's flows over queue pairs.
  std::unordered_map<uint64_t, uint32_t> pair_flows_;
  std::vector<LinkId> copies_;  // folded positions' shared links of the route being built (reused)
  uint32_t links_off_ = 0;
  uint64_t route_calls_ = 0;
  uint64_t unreachable_ = 0;
  bool latency_in_routes_ = true;
};

}  // namespace gigasim
