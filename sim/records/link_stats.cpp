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
    }
  }
  pool_[idx].next = kNone;
  const uint64_t key = (uint64_t{src} << 32) | dst;
  auto [it, inserted] = fifo_.try_emplace(key, idx, idx);
  if (!inserted) {
    pool_[it->second.second].next = idx;
    it->second.second = idx;
  }
  ++in_flight_;
}

void LinkStats::flow_finished(uint32_t src, uint32_t dst, double bytes, double now) {
  const uint64_t key = (uint64_t{src} << 32) | dst;
  auto it = fifo_.find(key);
  GIGASIM_ASSERT(it != fifo_.end(), "flow finished that never started");
  const uint32_t idx = it->second.first;
  if (pool_[idx].next == kNone) {
    fifo_.erase(it);
  } else {
    it->second.first = pool_[idx].next;
  }
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
  for (const auto& [key, ends] : fifo_) {
    for (uint32_t i = ends.first; i != kNone; i = pool_[i].next) {
      bool hit = false;
      for (LinkId l : pool_[i].path) hit = hit || std::find(links.begin(), links.end(), l) != links.end();
      if (hit) out.emplace_back(static_cast<uint32_t>(key >> 32), static_cast<uint32_t>(key & 0xffffffffu));
    }
  }
}

}  // namespace gigasim
