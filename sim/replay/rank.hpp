#pragma once
// Rank: one rank's replay of its program, driven by its RankActor (heap-allocated: actor stacks
// are small). It runs the program's streams like a GPU does — compute ops back to back, each
// collective stream one collective at a time (CommStream), point-to-point streams posting sends
// and receives as soon as their dependencies hold — and lets them overlap: while flows are in
// flight it waits on all of them at once with a timeout set to the next compute end, latency
// timer or reissue. Where its time goes is booked by its StepAccount. When links fail under its
// flows it reissues what was cut (rank_recovery.cpp). It registers itself in
// ReplayShared::ranks while it lives, for the failure injector.
// Route latency is charged here, not in SimGrid: every send and receive is posted a route
// latency after the program posts it, so a transfer starts a route latency after the later of
// its two sides, as CM02 would start it, and SimGrid's flows have no latency phase. (SimGrid
// 3.32's lazy max-min update re-solves, when a flow leaves its latency phase, only the links
// reachable from the flow's first link if that one is already marked modified, so rates on its
// other links could stay stale and a link carry more than its bandwidth.) Internal to sim/replay:
//   rank.cpp           the event loop and the streams
//   rank_recovery.cpp  flows cut by failures: noted, reissued, or the run fails

#include <cstdint>
#include <string>
#include <vector>

#include "sim/replay/comm.hpp"
#include "sim/replay/comm_stream.hpp"
#include "sim/replay/rank_actor.hpp"
#include "sim/replay/step_account.hpp"

namespace gigasim::detail {

// A posted send or receive of a p2p stream.
struct Posted {
  bool complete = false;
  double post_s = 0;
  double start_s = 0;  ///< when its transfer began
};

struct StreamState {
  uint32_t next = 0;  ///< next op (position in the stream) to start or post
  uint32_t done = 0;  ///< ops [0, done) are complete
  // compute
  double end_s = -1, start_s = 0;
  // collective
  CommStream coll;
  bool coll_running = false;
  // p2p: ops [done, next) posted; posted[i - base] describes op i
  std::vector<Posted> posted;
  uint32_t base = 0;
  double last_start_s = 0;  ///< transfer start of the op that last completed the prefix
};

class Rank final : public CommPoster {
 public:
  Rank(ReplayShared* sh, uint32_t rank);
  ~Rank();
  Rank(const Rank&) = delete;
  Rank& operator=(const Rank&) = delete;

  /// Runs the program to its end. Throws: SimulationError (stuck, no live path left).
  void run();
  /// Posts a transfer a route latency from now (CommPoster).
  void post(bool send, const Tag& tag) override;

  // --- failures (rank_recovery.cpp) ---
  /// A failure is about to cut one of this rank's flows to `dst`: note the bytes it has left.
  void note_cut(uint32_t dst, double now);
  /// The run ended with comms in flight (it failed, or this rank was killed): keep them
  /// referenced until the process ends.
  void abandon();

 private:
  const Op& op_at(size_t s, uint32_t i) const { return ops_[prog_.streams[s].ops[i]]; }
  bool deps_ok(const Op& op) const;
  bool all_done() const;
  // Starts (compute, collective) or posts (p2p) whatever can go, until nothing more can.
  void start_ready(double now);
  void post(size_t s, const Op& op, double now);
  double next_deadline() const;
  void completed(size_t idx, double t);
  void finish_collective_if_idle(size_t s, double t);
  void timers(double t);
  void op_started(const Op& op, double now);
  void op_done(size_t s, const Op& op, double start, double end);
  // The class of waiting on stream s.
  TimeClass wait_class(size_t s) const;
  // Decides where the time from now until the next event goes.
  void classify(double now);
  // A straggler's compute takes `factor` times as long (a failure event of kind slow).
  double slowdown() const;
  std::string describe_stream(uint16_t s) const;
  std::string blocked_description() const;

  // Transfers waiting for their time (route latency, reissue delay), in posting order.
  void post_at(double at, bool send, const Tag& tag);
  void post_due(double t);
  void post_now(bool send, const Tag& tag);

  // --- failures (rank_recovery.cpp) ---
  // Flows cut by a failure: sends reissued after the reissue delay, receives posted again.
  void recover(double t);

  ReplayShared* sh_;
  uint32_t rank_;
  const Workload& work_;
  uint32_t pid_;
  const CompiledProgram& prog_;
  const std::vector<Op>& ops_;
  std::vector<StreamState> streams_;
  int compute_ = -1;
  PendingSet pending_;
  struct Deferred {
    double at;
    bool send;
    Tag tag;
  };
  std::vector<Deferred> deferred_;  ///< transfers to post at a later time, in posting order
  void* slot_ = nullptr;
  StepAccount acct_;
};

}  // namespace gigasim::detail
