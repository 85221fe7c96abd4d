#pragma once
// LinkStats: exact per-link traffic accounting, fed by the routing zone at every flow start (its
// route), by SimGrid's comm-start signal (which comm got that route) and by the sending rank at
// every flow end (that comm's bytes). For each directed link it keeps the bytes carried, the
// busy time (the union of the intervals during which at least one flow was transferring over
// it: a flow transfers from its start plus the latency given per link, 0 when the ranks charge
// route latency before starting flows, to its end),
// and the highest mean utilization over one busy period — which equals the peak utilization
// whenever the rates on the link are constant within a busy period, as in a synchronous
// collective.
// Cost: O(hops) per flow and ~48 bytes per link; no time sampling.

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "sim/core/router.hpp"

namespace gigasim {

class LinkStats {
 public:
  /// `bw_Bps[l]` and `latency_s[l]` describe directed link l.
  LinkStats(std::vector<double> bw_Bps, std::vector<double> latency_s);

  /// A flow src -> dst started at `now` on path `p`, and (rank folding) also over `copies`: the
  /// other positions' shared links, each listed once per copy it carries. `comm_started` names
  /// the communication it belongs to, next.
  void flow_started(uint32_t src, uint32_t dst, const Path& p, std::span<const LinkId> copies, double now);
  /// The flow of the last flow_started() is communication `comm` (any unique address).
  void comm_started(const void* comm);
  /// Communication `comm` ended at `now`, having carried `bytes` (fewer if a failure cut it).
  void flow_finished(const void* comm, double bytes, double now);

  size_t links() const { return bw_.size(); }
  double bytes(LinkId l) const { return bytes_[l]; }
  double busy_s(LinkId l) const { return busy_[l]; }
  double max_util(LinkId l) const { return max_util_[l]; }
  /// Flows in flight on l now.
  uint32_t active(LinkId l) const { return active_[l]; }
  double bandwidth(LinkId l) const { return bw_[l]; }
  uint64_t flows_in_flight() const { return in_flight_; }
  /// Appends (src, dst) of every flow in flight over one of `links` (once per flow).
  /// O(flows in flight): for failure events, not for hot paths.
  void flows_on(const std::vector<LinkId>& links, std::vector<std::pair<uint32_t, uint32_t>>& out) const;

 private:
  struct Entry {
    std::vector<LinkId> path;  // pooled: its capacity is reused by later flows
    uint32_t src = 0, dst = 0;
    uint32_t next = UINT32_MAX;  // free list
  };
  static constexpr uint32_t kNone = UINT32_MAX;

  std::vector<double> bw_, lat_;
  std::vector<double> bytes_, busy_, busy_since_, period_bytes_, max_util_;
  std::vector<uint32_t> active_;
  std::unordered_map<const void*, uint32_t> by_comm_;  // in-flight flows: pool entries by comm
  std::vector<Entry> pool_;
  uint32_t free_ = kNone;
  uint32_t unbound_ = kNone;  // the flow routed last, until its comm is named
  uint64_t in_flight_ = 0;
};

}  // namespace gigasim
