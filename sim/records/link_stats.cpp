#include "sim/records/link_stats.hpp"

#include <algorithm>

#include "sim/core/error.hpp"

namespace gigasim {

LinkStats::LinkStats(std::vector<double> bw_Bps, std::vector<double> latency_s)
    : bw_(std::move(bw_Bps)),
      lat_(std::move(latency_s)),
      bytes_(bw_.size(), 0.0),
      busy_(bw_.size(), 0.0),
      busy_since_(bw_.size(), 0.0),
      period_bytes_(bw_.size(), 0.0),
      max_util_(bw_.size(), 0.0),
      active_(bw_.size(), 0) {}

void LinkStats::flow_started(uint32_t src, uint32_t dst, const Path& p, std::span<const LinkId> copies, double now) {
  double transfer_start = now;  // SimGrid's latency is the path's; the copies move with the flow
  for (LinkId l : p) transfer_start += lat_[l];
  uint32_t idx;
  if (free_ != kNone) {
    idx = free_;
    free_ = pool_[idx].next;
  } else {
    idx = static_cast<uint32_t>(pool_.size());
    pool_.push_back({});
  }
  std::vector<LinkId>& route = pool_[idx].path;
  route.assign(p.begin(), p.end());
  route.insert(route.end(), copies.begin(), copies.end());
  for (LinkId l : route) {
    if (active_[l]++ == 0) {
      busy_since_[l] = transfer_start;
      period_bytes_[l] = 0;
    } else if (transfer_start < busy_since_[l]) {
      // Every flow in flight is still in its latency phase and this one, on a shorter route,
      // starts transferring first: the busy period starts with it.
      busy_since_[l] = transfer_start;
    }
  }
  pool_[idx].src = src;
  pool_[idx].dst = dst;
  pool_[idx].next = kNone;
  unbound_ = idx;
  ++in_flight_;
}

void LinkStats::comm_started(const void* comm) {
  if (unbound_ == kNone) return;  // a comm without a route of ours (none in gigasim's replays)
  by_comm_.emplace(comm, unbound_);
  unbound_ = kNone;
}

void LinkStats::flow_finished(const void* comm, double bytes, double now) {
  auto it = by_comm_.find(comm);
  GIGASIM_ASSERT(it != by_comm_.end(), "flow finished that never started");
  const uint32_t idx = it->second;
  by_comm_.erase(it);
  for (LinkId l : pool_[idx].path) {
    bytes_[l] += bytes;
    period_bytes_[l] += bytes;
    if (--active_[l] == 0) {
      const double period = std::max(0.0, now - busy_since_[l]);
      busy_[l] += period;
      if (period > 0) max_util_[l] = std::max(max_util_[l], period_bytes_[l] / (period * bw_[l]));
    }
  }
  pool_[idx].next = free_;
  free_ = idx;
  --in_flight_;
}

void LinkStats::flows_on(const std::vector<LinkId>& links, std::vector<std::pair<uint32_t, uint32_t>>& out) const {
  for (const auto& [comm, i] : by_comm_) {
    bool hit = false;
    for (LinkId l : pool_[i].path) hit = hit || std::find(links.begin(), links.end(), l) != links.end();
    if (hit) out.emplace_back(pool_[i].src, pool_[i].dst);
  }
}

}  // namespace gigasim
