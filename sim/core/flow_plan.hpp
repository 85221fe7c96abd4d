#pragma once
// FlowPlan: what one collective becomes on the network, for one member of a group — a list of
// phases, each "send `bytes` to the member `send_offset` ahead, receive from `recv_offset`",
// possibly repeated (a stepwise ring repeats one phase 2(n-1) times), plus latency terms the
// fluid model does not see. The Fidelity says how faithfully the algorithm's steps are kept:
//   stepwise   every algorithm step is its own set of flows, each waiting for the previous one;
//   collapsed  one flow per member carries all the bytes of a phase; the (steps-1) per-step
//              latencies SimGrid does not charge are added analytically.

#include <cstdint>
#include <string_view>
#include <vector>

namespace gigasim {

enum class Fidelity : uint8_t { kStepwise = 0, kCollapsed = 1 };
/// Collective operations (nccl-tests names).
enum class CollectiveKind : uint8_t { kAllReduce = 0, kReduceScatter = 1, kAllGather = 2 };

const char* to_string(Fidelity f);
const char* to_string(CollectiveKind k);
/// Parses "all_reduce", "reduce_scatter", "all_gather". Returns false if unknown.
bool parse_collective_kind(std::string_view s, CollectiveKind& out);

struct Phase {
  int32_t send_offset = 1;   ///< send to the member this many positions ahead (0: no send)
  int32_t recv_offset = -1;  ///< receive from this offset (0: no receive)
  double bytes = 0;          ///< per peer, split evenly over the channels
  uint32_t repeat = 1;       ///< dependent repetitions of this phase
  uint32_t channels = 1;     ///< parallel flows per peer (NCCL channels; they matter for ECMP)
};

struct FlowPlan {
  std::vector<Phase> phases;
  /// Per-step latencies (in units of the group's largest path latency) added after the last
  /// phase: (steps - 1) for a collapsed ring, 0 for stepwise.
  double extra_latency_steps = 0;
  Fidelity fidelity = Fidelity::kStepwise;
  /// Flows one member sends in total.
  uint64_t flows_per_member() const {
    uint64_t f = 0;
    for (const Phase& p : phases) f += p.send_offset != 0 ? uint64_t{p.repeat} * p.channels : 0;
    return f;
  }
};

}  // namespace gigasim
