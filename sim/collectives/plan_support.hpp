#pragma once
// Helpers the algorithm implementations share: the calibrated per-step terms of a request, the
// flat view of a group's network, and a phase-synchronous evaluator that turns any plan into its
// contention-free time (each phase lasts its delay, one route latency and its busiest link's
// bytes over the bandwidth) for algorithms whose closed form is easier computed than written.

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/collectives/collective_algorithm.hpp"

namespace gigasim::detail {

/// Calibrated terms of one request for one algorithm.
struct StepTerms {
  double base_s = 0;      ///< once per collective
  double delay_intra_s = 0;
  double delay_inter_s = 0;
  double efficiency = 1;  ///< wire bytes = bytes / efficiency (NVLink hops)
  double efficiency_net = 1;  ///< the same across servers
  double channel_bw_net_Bps = 0;  ///< payload one channel moves across servers at most (0: any)
  double delay(bool inter) const { return inter ? delay_inter_s : delay_intra_s; }
  double eff(bool inter) const { return inter ? efficiency_net : efficiency; }
  /// Wire-rate limit of `channels` channels across servers (0: none).
  double net_rate_cap(uint32_t channels) const {
    return channel_bw_net_Bps > 0 ? channels * channel_bw_net_Bps / efficiency_net : 0;
  }
};

inline StepTerms step_terms(const Calibration& cal, std::string_view algorithm, Protocol p) {
  const ProtocolCalibration c = cal.get(std::string(algorithm), p);
  return StepTerms{c.base_latency_s, c.step_latency_nvlink_s, c.step_latency_net_s, c.efficiency,
                   c.efficiency_net, c.channel_bw_net_Bps};
}

/// The channels a request runs on: its own count, or NCCL's default for the server (`auto`, 0).
inline uint32_t channels_of(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) {
  return r.channels > 0 ? r.channels : cal.default_channels(net.nics_per_server);
}
/// Flows that carry `channels` channels between one pair across servers: one per distinct path.
inline uint16_t net_flows(uint32_t channels, const GroupNet& net) {
  return static_cast<uint16_t>(std::max(1U, std::min(channels, net.paths_per_pair)));
}
/// Channels that enter and leave a server on the NIC of local member `local` (of `m`): channel c
/// uses NIC c mod m, as NCCL's graph search assigns them.
inline uint32_t channels_at_nic(uint32_t channels, uint32_t m, uint32_t local) {
  return channels / m + (local < channels % m ? 1 : 0);
}
/// Whether a group is made of whole servers (m > 1 members on each of several servers).
inline bool whole_servers(uint32_t n, const GroupNet& net) {
  return net.spans_servers && net.members_per_server > 1 && n % net.members_per_server == 0;
}
/// Time of `wire` bytes on a path of bandwidth `bw`, at most `cap` bytes/s (0: no cap).
inline double wire_time(double wire, double bw, double cap) { return wire / (cap > 0 ? std::min(bw, cap) : bw); }

/// Worst route latency and bandwidth between any two members (flat algorithms).
inline double flat_alpha(const GroupNet& net) {
  return net.spans_servers ? std::max(net.alpha_inter_s, net.alpha_intra_s) : net.alpha_intra_s;
}
inline double flat_bw(const GroupNet& net) {
  return net.spans_servers ? std::min(net.bw_inter_Bps, net.bw_intra_Bps) : net.bw_intra_Bps;
}

/// Pipeline chunks for `bytes` (at least 1, at most the calibration's limit).
inline uint32_t pipeline_chunks(double bytes, const Calibration& cal) {
  const double c = std::ceil(bytes / cal.chunk_bytes());
  return static_cast<uint32_t>(std::clamp(c, 1.0, static_cast<double>(cal.max_pipeline_chunks())));
}

/// Contention-free time of `plan` if every phase ran in lockstep: sum over phases of
/// (delay + alpha + largest per-member sent or received bytes / bw), plus the tail.
/// O(n x phases x transfers): for small groups (tests, trees up to a few thousand members).
double lockstep_time(const CollectivePlan& plan, uint32_t n, double alpha_s, double bw_Bps);
/// The same where a member's NVLink and NIC work at once (channel rings, NVLSTree, CollNet): per
/// phase the slower medium of the busiest member, NVLink for peers on its server (`net`'s
/// members_per_server), the NIC for the others, a transfer no faster than its rate cap.
double lockstep_time_by_medium(const CollectivePlan& plan, uint32_t n, const GroupNet& net);

}  // namespace gigasim::detail
