#pragma once
// CollectivePlan: what one collective becomes on the network. A plan is shared by every member
// of every group running the collective and computes, by arithmetic, the transfers of member
// `pos` in phase `k` (send or receive so many bytes to or from the member at position `peer`):
// nothing per rank is stored, so plans cost the same at 8 and at 100k ranks. A member's phase
// k+1 starts when its own transfers of phase k are done. Latency terms the fluid model does not
// see (per-step software overheads, the base latency of a collective, the latencies of steps a
// collapsed plan merges) are added as delays before phases and as a tail after the last.
// Fidelity says how faithfully the algorithm's steps are kept:
//   stepwise   every algorithm step is its own phase of flows;
//   collapsed  one phase per stage (per dimension for hierarchical algorithms): each peer pair's
//              bytes of the stage travel as one flow, and the merged steps' latencies are added
//              analytically, so with no contention the time equals the stepwise one;
//   analytic   no flows at all: the closed-form time passes as a delay. Right where the group's
//              links carry nothing else, as tensor parallelism inside one server's NVLink.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gigasim {

enum class Fidelity : uint8_t { kStepwise = 0, kCollapsed = 1, kAnalytic = 2 };
/// Collective operations (nccl-tests names).
enum class CollectiveKind : uint8_t {
  kAllReduce = 0,
  kReduceScatter = 1,
  kAllGather = 2,
  kAllToAll = 3,
  kBroadcast = 4,
  kReduce = 5,
  kSendRecv = 6,
};
/// NCCL's wire protocols: Simple (large messages), LL128 and LL (low latency, less bandwidth).
enum class Protocol : uint8_t { kSimple = 0, kLL128 = 1, kLL = 2 };

const char* to_string(Fidelity f);
const char* to_string(CollectiveKind k);
const char* to_string(Protocol p);
/// Parse the names above ("all_reduce", "alltoall" and "all_to_all" both work). False if unknown.
bool parse_collective_kind(std::string_view s, CollectiveKind& out);
bool parse_protocol(std::string_view s, Protocol& out);
bool parse_fidelity(std::string_view s, Fidelity& out);
/// Every collective kind, in enum order.
const std::vector<CollectiveKind>& all_collective_kinds();

/// One send or receive of a member in one phase.
struct Transfer {
  uint32_t peer = 0;  ///< position of the other member in the group
  double bytes = 0;   ///< on the wire (protocol overhead included), split over the flows
  bool send = true;
  /// Flows the transfer is split into (0: the plan's `channels`). Channels that share one path
  /// (NVLink, or a NIC pair under deterministic routing) travel as one flow.
  uint16_t flows = 0;
  /// Largest rate of the whole transfer in wire bytes/s (0: only the links limit it): NCCL
  /// drives each channel from one thread block, which moves at most a calibrated bandwidth.
  double rate_Bps = 0;
};

/// What the network looks like to one group family, for analytic terms and the selector:
/// the largest route latency and the smallest route bandwidth between members, overall, inside
/// one server (NVLink) and across servers.
struct GroupNet {
  double alpha_s = 0, bw_Bps = 0;              ///< over ring neighbours (the flat view)
  double alpha_intra_s = 0, bw_intra_Bps = 0;  ///< members of one server
  double alpha_inter_s = 0, bw_inter_Bps = 0;  ///< members of different servers
  uint32_t members_per_server = 1;             ///< consecutive group positions per server
  bool spans_servers = false;
  bool nvls = false;                           ///< the servers' NVSwitches reduce in-network
  bool sharp = false;                          ///< the switches reduce in-network (IB SHARP)
  uint32_t nics_per_server = 1;                ///< NICs of one server (one per GPU)
  /// Distinct paths the router gives the flows of one GPU pair (ECMP queue pairs; 1 when the
  /// route of a pair is fixed): parallel channels beyond it would only duplicate a flow.
  uint32_t paths_per_pair = 1;
};

class CollectivePlan {
 public:
  virtual ~CollectivePlan() = default;
  virtual uint32_t phases() const = 0;
  /// Appends member `pos`'s transfers of phase `phase` to `out`.
  virtual void transfers(uint32_t pos, uint32_t phase, std::vector<Transfer>& out) const = 0;
  /// Delay a member waits before posting phase `phase` (calibrated per-step overhead).
  virtual double phase_delay_s(uint32_t /*phase*/) const { return 0; }
  /// Analytic time after the last phase: base latency and the latencies collapsed phases merge.
  double tail_s = 0;
  uint32_t channels = 1;         ///< flows per transfer whose `flows` is 0
  uint32_t nccl_channels = 0;    ///< NCCL channels the plan models (0: `channels`)
  uint64_t flows_per_member = 0; ///< largest number of flows one member sends
  Fidelity fidelity = Fidelity::kCollapsed;
  Protocol protocol = Protocol::kSimple;
};

}  // namespace gigasim
