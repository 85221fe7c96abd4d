#pragma once
// Comms in flight: how a rank posts its flows to SimGrid and remembers what each belongs to.
// Every transfer goes through a mailbox named after (family or tag, sender, receiver), so
// matching is FIFO and exact; a send may carry a rate cap (an NCCL channel's limit), which
// SimGrid keeps only if both sides set it. A rank waits on all its comms at once (PendingSet),
// whatever stream posted them. Internal to sim/replay.

#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Mailbox.hpp>

#include <cstdint>
#include <vector>

namespace gigasim::detail {

namespace sg4 = simgrid::s4u;

// Events closer than SimGrid's numerical accuracy (surf/precision, 1e-9 s) count as simultaneous.
constexpr double kTimeEps = 1e-9;
constexpr uint32_t kNone = UINT32_MAX;

sg4::Mailbox* collective_mailbox(uint32_t family, uint32_t src, uint32_t dst);
sg4::Mailbox* p2p_mailbox(uint32_t family, uint32_t tag, uint32_t src, uint32_t dst);

// What a comm in flight belongs to.
struct Tag {
  uint16_t stream = 0;
  uint32_t peer = kNone;  ///< receiving rank of a send; kNone for a receive
  uint32_t seq = 0;       ///< p2p: the op's ordinal on its stream
  double bytes = 0;       ///< sends: bytes carried
  sg4::Mailbox* mb = nullptr;
  double cut_at = -1;     ///< sends: when a failure event noted the bytes left (about to be cut)
  double cut_left = 0;
  double rate_Bps = 0;    ///< the flow's rate cap (0: none), on both sides, kept when it is sent again
  uint32_t remote = kNone;  ///< receives: the sending rank
};

/// Where a rank's transfers go. The rank charges each one the route latency between its two
/// ends before posting it (both sides, so the transfer starts a route latency after the later of
/// the two, as in CM02), and SimGrid sees no latency phase: see rank.hpp.
class CommPoster {
 public:
  virtual ~CommPoster() = default;
  /// A send (tag.peer: the receiving rank) or a receive (tag.remote: the sending rank).
  virtual void post(bool send, const Tag& tag) = 0;
};

/// A send of `bytes` on `mb`, at most `rate_Bps` (0: only the links limit it).
sg4::CommPtr post_send(sg4::Mailbox* mb, void* slot, double bytes, double rate_Bps);
/// A receive on `mb`. SimGrid keeps the rate of whichever side reaches the mailbox first, so a
/// capped transfer sets its cap on both sides.
sg4::CommPtr post_recv(sg4::Mailbox* mb, void** slot, double rate_Bps);

// Every comm the rank waits on, whatever stream posted it (one wait_any over all of them).
struct PendingSet {
  std::vector<sg4::CommPtr> comms;
  std::vector<Tag> tags;
  void add(sg4::CommPtr c, Tag t) {
    comms.push_back(std::move(c));
    tags.push_back(t);
  }
  void remove(size_t i) {
    comms[i] = std::move(comms.back());
    comms.pop_back();
    tags[i] = tags.back();
    tags.pop_back();
  }
};

}  // namespace gigasim::detail
