#pragma once
// Router: the routing function of a fabric family. Given a source and destination GPU it writes
// the directed links of one path, chosen by the family's policy (d-mod-k, hashed ECMP, ...), in
// O(hops) with no allocation. SimGrid asks our FabricZone for a route at every flow start, and the
// zone asks the Router, so a link that is down is avoided from the next flow on: routers must
// skip links for which LinkStateView::is_up() is false while an equal-cost alternative exists.
// Directed link ids: cable c has LinkId 2c (from its lower end up) and 2c+1 (down).

#include <array>
#include <cstdint>

namespace gigasim {

using LinkId = uint32_t;
using NodeId = uint32_t;

constexpr LinkId up_link(uint32_t cable) { return cable * 2; }
constexpr LinkId down_link(uint32_t cable) { return cable * 2 + 1; }
constexpr uint32_t cable_of(LinkId l) { return l / 2; }
constexpr bool is_down_link(LinkId l) { return (l & 1U) != 0; }

/// A route: at most kMaxHops directed links, stored inline.
struct Path {
  static constexpr int kMaxHops = 12;
  std::array<LinkId, kMaxHops> hop{};
  uint8_t size = 0;

  void clear() { size = 0; }
  void push(LinkId l) { hop[size++] = l; }
  const LinkId* begin() const { return hop.data(); }
  const LinkId* end() const { return hop.data() + size; }
};

/// Which directed links are usable right now, and how loaded they are (flows in flight), for
/// adaptive routing.
class LinkStateView {
 public:
  virtual ~LinkStateView() = default;
  virtual bool is_up(LinkId link) const = 0;
  virtual double load(LinkId) const { return 0; }
};

/// Every link up (topology analysis, tests, analytic latencies).
class AllLinksUp final : public LinkStateView {
 public:
  bool is_up(LinkId) const override { return true; }
};

class Router {
 public:
  virtual ~Router() = default;
  /// Writes a path from GPU `src` to GPU `dst` into `out` (empty when src == dst).
  /// `flow_salt` distinguishes parallel flows of one pair (ECMP over several QPs).
  /// Returns false when every candidate path crosses a link that is down.
  virtual bool route(uint32_t src, uint32_t dst, uint64_t flow_salt, const LinkStateView& state,
                     Path& out) const = 0;
  /// The policy name as written in YAML ("dmodk", "ecmp", ...), for reports only: callers ask
  /// the properties below, never the name.
  virtual const char* policy() const = 0;
  /// Whether route() reads LinkStateView::load() (adaptive routing): the replay must then give
  /// the zone the flows in flight on every link.
  virtual bool needs_link_load() const { return false; }
  /// Whether a flow's path depends only on its endpoints and the links that are down (no hash,
  /// no live load): the copies of a flow that rank folding ties then meet the same contention,
  /// so folding is exact.
  virtual bool deterministic() const { return false; }
  /// Whether route() uses `flow_salt`: the caller then numbers the flows of each pair 0, 1, ...
  virtual bool uses_flow_salt() const { return false; }
  /// Distinct paths route() gives the flows of one pair as the salt varies (1 when it ignores it).
  virtual uint32_t paths_per_pair() const { return 1; }
};

}  // namespace gigasim
