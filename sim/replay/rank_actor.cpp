#include "sim/replay/rank_actor.hpp"

#include <fmt/format.h>
#include <simgrid/Exception.hpp>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Mailbox.hpp>
#include <xbt/log.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "sim/core/error.hpp"
#include "sim/platform/fabric_zone.hpp"
#include "sim/results/timeline_writer.hpp"

namespace sg4 = simgrid::s4u;

XBT_LOG_NEW_DEFAULT_CATEGORY(gigasim_replay, "gigasim rank replay");

namespace gigasim {
namespace {

// Events closer than SimGrid's numerical accuracy (surf/precision, 1e-9 s) count as simultaneous.
constexpr double kTimeEps = 1e-9;
constexpr uint32_t kNone = UINT32_MAX;

sg4::Mailbox* collective_mailbox(uint32_t family, uint32_t src, uint32_t dst) {
  return sg4::Mailbox::by_name(fmt::format("f{}:{}>{}", family, src, dst));
}
sg4::Mailbox* p2p_mailbox(uint32_t family, uint32_t tag, uint32_t src, uint32_t dst) {
  return sg4::Mailbox::by_name(fmt::format("p{}.{}:{}>{}", family, tag, src, dst));
}

// What a comm in flight belongs to.
struct Tag {
  uint16_t stream = 0;
  uint32_t peer = kNone;  ///< receiving rank of a send; kNone for a receive
  uint32_t seq = 0;       ///< p2p: the op's ordinal on its stream
  double bytes = 0;       ///< sends: bytes carried
  sg4::Mailbox* mb = nullptr;
  double cut_at = -1;     ///< sends: when a failure event noted the bytes left (about to be cut)
  double cut_left = 0;
  double rate_Bps = 0;    ///< sends: the flow's rate cap (0: none), kept when it is sent again
};

// A send of `bytes` on `mb`, at most `rate_Bps` (0: only the links limit it).
sg4::CommPtr post_send(sg4::Mailbox* mb, void* slot, double bytes, double rate_Bps) {
  const auto size = static_cast<uint64_t>(std::llround(bytes));
  if (rate_Bps <= 0) return mb->put_async(slot, size);
  sg4::CommPtr comm = mb->put_init(slot, size);
  comm->set_rate(rate_Bps);
  comm->start();
  return comm;
}

// A receive on `mb`. SimGrid keeps the rate of whichever side reaches the mailbox first, so a
// capped transfer sets its cap on both sides.
sg4::CommPtr post_recv(sg4::Mailbox* mb, void** slot, double rate_Bps) {
  if (rate_Bps <= 0) return mb->get_async<void>(slot);
  sg4::CommPtr comm = mb->get_init()->set_dst_data(slot, sizeof(void*));
  comm->set_rate(rate_Bps);
  comm->start();
  return comm;
}

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

// One collective of a collective stream in flight, run phase by phase from the shared plan
// (delay, transfers, next phase; the tail after the last; again for each repetition).
class CommStream {
 public:
  bool active() const { return state_ != State::kIdle; }
  double timer_end() const { return state_ == State::kDelay || state_ == State::kTail ? timer_end_ : -1; }

  // Starts `cc`. Returns false if the rank has nothing to do in it.
  bool start(ReplayShared* sh, uint32_t rank, uint16_t stream, const Op& op, const CompiledCollective& cc,
             PendingSet* pending) {
    sh_ = sh;
    rank_ = rank;
    stream_ = stream;
    pending_ = pending;
    fam_ = &sh->prog->work->families[op.family];
    family_ = op.family;
    cc_ = &cc;
    repeat_ = op.repeat;
    plan_ = cc.plan.get();
    if (!fam_->contains(rank_)) return false;
    if (cc.fidelity == Fidelity::kAnalytic) {
      if (!(cc.estimate_s > 0)) return false;
      state_ = State::kTail;
      timer_end_ = sg4::Engine::get_clock() + cc.estimate_s * repeat_;
      return true;
    }
    if (plan_->phases() == 0 && plan_->tail_s <= 0) return false;
    pos_ = fam_->position(rank_);
    rep_ = 0;
    phase_ = 0;
    begin_phase();
    return true;
  }

  // One of its comms finished.
  void complete(const Tag& t) {
    if (t.peer != kNone) {
      sh_->result->links->flow_finished(rank_, t.peer, t.bytes, sg4::Engine::get_clock());
      ++sh_->flows_done;
    }
    if (--in_flight_ == 0) {
      ++phase_;
      begin_phase();
    }
  }

  // The delay before a phase, or the tail, elapsed.
  void timer_done() {
    if (state_ == State::kDelay) {
      post_phase();
    } else if (cc_->fidelity == Fidelity::kAnalytic) {
      state_ = State::kIdle;
    } else {
      next_repetition();
    }
  }

 private:
  enum class State { kIdle, kDelay, kFlows, kTail };

  void next_repetition() {
    if (++rep_ < repeat_) {
      phase_ = 0;
      begin_phase();
    } else {
      state_ = State::kIdle;
    }
  }

  // Enters phase_ (or the tail after the last phase).
  void begin_phase() {
    const double now = sg4::Engine::get_clock();
    if (phase_ >= plan_->phases()) {
      if (plan_->tail_s > 0) {
        state_ = State::kTail;
        timer_end_ = now + plan_->tail_s;
      } else {
        next_repetition();
      }
      return;
    }
    const double d = plan_->phase_delay_s(phase_);
    if (d > 0) {
      state_ = State::kDelay;
      timer_end_ = now + d;
    } else {
      post_phase();
    }
  }

  // Posts every receive, then every send, of phase_; phases without transfers pass at once.
  void post_phase() {
    transfers_.clear();
    plan_->transfers(pos_, phase_, transfers_);
    if (transfers_.empty()) {
      ++phase_;
      begin_phase();
      return;
    }
    state_ = State::kFlows;
    for (bool sends : {false, true}) {
      for (const Transfer& t : transfers_) {
        if (t.send != sends) continue;
        const uint32_t peer = fam_->member(rank_, t.peer);
        const uint32_t ch = t.flows > 0 ? t.flows : plan_->channels;
        const double per_flow = t.bytes / ch;
        if (!sends) {
          sg4::Mailbox* mb = collective_mailbox(family_, peer, rank_);
          const double rate = t.rate_Bps / ch;
          for (uint32_t c = 0; c < ch; ++c) pending_->add(post_recv(mb, &slot_, rate), Tag{stream_, kNone, 0, 0, mb, -1, 0, rate});
        } else {
          sg4::Mailbox* mb = collective_mailbox(family_, rank_, peer);
          const double rate = t.rate_Bps / ch;
          for (uint32_t c = 0; c < ch; ++c) {
            pending_->add(post_send(mb, &slot_, per_flow, rate), Tag{stream_, peer, 0, per_flow, mb, -1, 0, rate});
          }
          sh_->flows_started += ch;
          sh_->result->collectives[cc_->record].flows += ch;
        }
        in_flight_ += ch;
      }
    }
  }

  ReplayShared* sh_ = nullptr;
  uint32_t rank_ = 0;
  uint16_t stream_ = 0;
  PendingSet* pending_ = nullptr;
  State state_ = State::kIdle;
  const CompiledCollective* cc_ = nullptr;
  const CollectivePlan* plan_ = nullptr;
  const GroupFamily* fam_ = nullptr;
  uint32_t family_ = 0;
  uint32_t pos_ = 0;
  uint32_t phase_ = 0;
  uint32_t rep_ = 0, repeat_ = 1;
  uint32_t in_flight_ = 0;
  double timer_end_ = -1;
  void* slot_ = nullptr;
  std::vector<Transfer> transfers_;
};

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

// This rank's share of one step: ops left and where its time went.
struct StepLocal {
  uint32_t step = 0;
  uint32_t ops_left = 0;
  Breakdown time{};
};

}  // namespace

namespace detail {

// One rank's replay (heap-allocated: actor stacks are small). It registers itself in
// ReplayShared::ranks while it lives, for the failure injector.
class Rank {
 public:
  Rank(ReplayShared* sh, uint32_t rank)
      : sh_(sh),
        rank_(rank),
        work_(*sh->prog->work),
        pid_(work_.program_of(rank)),
        prog_(sh->prog->programs[pid_]),
        ops_(prog_.src->ops),
        streams_(prog_.streams.size()) {
    for (size_t s = 0; s < prog_.streams.size(); ++s) {
      if (prog_.streams[s].kind == StreamKind::kCompute) {
        compute_ = static_cast<int>(s);
        break;
      }
    }
    if (!sh_->ranks.empty()) sh_->ranks[rank_] = this;
  }
  ~Rank() {
    abandon();  // a killed rank may still hold comms in flight
    if (!sh_->ranks.empty()) sh_->ranks[rank_] = nullptr;
  }
  Rank(const Rank&) = delete;
  Rank& operator=(const Rank&) = delete;

  // A failure is about to cut one of this rank's flows to `dst`: note the bytes it has left.
  void note_cut(uint32_t dst, double now) {
    for (size_t i = 0; i < pending_.comms.size(); ++i) {
      Tag& t = pending_.tags[i];
      if (t.peer == dst && t.cut_at != now) {
        t.cut_at = now;
        t.cut_left = pending_.comms[i]->get_remaining();
        return;
      }
    }
  }

  void run() {
    double now = sg4::Engine::get_clock();
    t_last_ = now;
    while (true) {
      if (sh_->failed) return;
      start_ready(now);
      if (all_done()) break;
      classify(now);
      const double deadline = next_deadline();
      if (!pending_.comms.empty()) {
        const double timeout = deadline < 0 ? -1.0 : deadline - now <= kTimeEps ? 0.0 : deadline - now;
        ssize_t idx = -1;
        bool cut = false;
        try {
          idx = sg4::Comm::wait_any_for(pending_.comms, timeout);
        } catch (const simgrid::NetworkFailureException&) {
          cut = true;
        }
        if (sh_->failed) return;
        const double t = sg4::Engine::get_clock();
        attribute(t);
        if (cut) recover(t);
        if (idx >= 0) completed(static_cast<size_t>(idx), t);
      } else if (deadline >= 0) {
        if (deadline > now + kTimeEps) sg4::this_actor::sleep_until(deadline);
        attribute(sg4::Engine::get_clock());
      } else {
        throw SimulationError(fmt::format("rank {} is stuck: {}", rank_, blocked_description()));
      }
      now = sg4::Engine::get_clock();
      timers(now);
    }
    ++sh_->ranks_finished;
  }

  // The run ended with comms in flight (it failed, or this rank was killed): keep them
  // referenced until the process ends. SimGrid complains about (and may crash on) comms freed
  // while they run, and cancelling one whose flow failed is not safe either; the run is over.
  void abandon() {
    static auto* graveyard = new std::vector<sg4::CommPtr>;  // never freed, on purpose
    for (sg4::CommPtr& c : pending_.comms) graveyard->push_back(std::move(c));
    pending_.comms.clear();
    pending_.tags.clear();
  }

  // A straggler's compute takes `factor` times as long (a failure event of kind slow).
  double slowdown() const {
    if (sh_->slowdown.empty()) return 1.0;
    auto it = sh_->slowdown.find(rank_);
    return it == sh_->slowdown.end() ? 1.0 : it->second;
  }

  std::string describe_stream(uint16_t s) const {
    const StreamState& ss = streams_[s];
    const CompiledStream& cs = prog_.streams[s];
    if (cs.kind == StreamKind::kCollective && ss.coll_running) {
      const Op& op = ops_[cs.ops[ss.next]];
      const GroupFamily& fam = work_.families[op.family];
      return fmt::format("{} '{}' (step {}, {:.0f} B, {} over group family '{}' of {} ranks)", to_string(op.collective),
                         op.label, op.step, op.bytes, cs.coll[ss.next].algorithm->name(), fam.name, fam.size);
    }
    return fmt::format("the point-to-point stream '{}'", work_.streams[s].name);
  }

  std::string describe_running() const {
    for (size_t s = 0; s < streams_.size(); ++s) {
      const StreamState& ss = streams_[s];
      if (prog_.streams[s].kind != StreamKind::kCollective || !ss.coll_running) continue;
      const Op& op = ops_[prog_.streams[s].ops[ss.next]];
      const CompiledCollective& cc = prog_.streams[s].coll[ss.next];
      const GroupFamily& fam = work_.families[op.family];
      return fmt::format("{} '{}' (step {}, {:.0f} B, {} over group family '{}' of {} ranks)",
                         to_string(op.collective), op.label, op.step, op.bytes, cc.algorithm->name(), fam.name,
                         fam.size);
    }
    return "a point-to-point transfer";
  }

 private:
  const Op& op_at(size_t s, uint32_t i) const { return ops_[prog_.streams[s].ops[i]]; }
  bool deps_ok(const Op& op) const {
    for (const Dep& d : op.deps) {
      if (streams_[d.stream].done < d.count) return false;
    }
    return true;
  }
  bool all_done() const {
    for (size_t s = 0; s < streams_.size(); ++s) {
      if (streams_[s].done < prog_.streams[s].ops.size()) return false;
    }
    return true;
  }

  // Starts (compute, collective) or posts (p2p) whatever can go, until nothing more can.
  void start_ready(double now) {
    bool progress = true;
    while (progress) {
      progress = false;
      for (size_t s = 0; s < streams_.size(); ++s) {
        StreamState& ss = streams_[s];
        const CompiledStream& cs = prog_.streams[s];
        if (ss.next >= cs.ops.size()) continue;
        switch (cs.kind) {
          case StreamKind::kCompute: {
            if (ss.end_s >= 0) break;
            const Op& op = op_at(s, ss.next);
            if (!deps_ok(op)) break;
            op_started(op, now);
            ss.start_s = now;
            ss.end_s = now + op.seconds * slowdown();
            break;
          }
          case StreamKind::kCollective: {
            while (!ss.coll_running && ss.next < cs.ops.size()) {
              const Op& op = op_at(s, ss.next);
              if (!deps_ok(op)) break;
              op_started(op, now);
              const CompiledCollective& cc = cs.coll[ss.next];
              if (work_.families[op.family].contains(rank_)) {
                CollectiveRecord& rec = sh_->result->collectives[cc.record];
                rec.first_start_s = std::min(rec.first_start_s, now);
                rec.start_s = std::max(rec.start_s, now);
              }
              if (ss.coll.start(sh_, rank_, static_cast<uint16_t>(s), op, cc, &pending_) && ss.coll.active()) {
                ss.coll_running = true;
                ss.start_s = now;
                break;
              }
              if (work_.families[op.family].contains(rank_)) {
                CollectiveRecord& rec = sh_->result->collectives[cc.record];
                rec.end_s = std::max(rec.end_s, now);
              }
              ++ss.next;
              op_done(s, op, now, now);
              progress = true;
            }
            break;
          }
          case StreamKind::kP2P: {
            while (ss.next < cs.ops.size()) {
              const Op& op = op_at(s, ss.next);
              if (!deps_ok(op)) break;
              op_started(op, now);
              post(s, op, now);
              ++ss.next;
            }
            break;
          }
        }
      }
    }
  }

  void post(size_t s, const Op& op, double now) {
    StreamState& ss = streams_[s];
    const GroupFamily& fam = work_.families[op.family];
    const uint32_t peer = fam.peer(rank_, op.peer);
    const auto stream = static_cast<uint16_t>(s);
    // Payloads are never read: the address of slot_ only tells SimGrid which side is which.
    if (op.kind == OpKind::kSend) {
      sg4::Mailbox* mb = p2p_mailbox(op.family, op.tag, rank_, peer);
      pending_.add(mb->put_async(&slot_, static_cast<uint64_t>(std::llround(op.bytes))),
                   Tag{stream, peer, ss.next, op.bytes, mb});
      ++sh_->flows_started;
    } else {
      sg4::Mailbox* mb = p2p_mailbox(op.family, op.tag, peer, rank_);
      pending_.add(mb->get_async<void>(&slot_), Tag{stream, kNone, ss.next, 0, mb});
    }
    if (ss.posted.size() > 64 && ss.done - ss.base > ss.posted.size() / 2) {
      ss.posted.erase(ss.posted.begin(), ss.posted.begin() + (ss.done - ss.base));
      ss.base = ss.done;
    }
    ss.posted.push_back(Posted{false, now, now});
  }

  double next_deadline() const {
    double d = -1;
    for (const StreamState& ss : streams_) {
      const double t = ss.end_s >= 0 ? ss.end_s : ss.coll.timer_end();
      if (t >= 0 && (d < 0 || t < d)) d = t;
    }
    for (const Retry& r : retries_) {
      if (d < 0 || r.at < d) d = r.at;
    }
    return d;
  }

  // Flows cut by a failure (links turned off while they crossed them). A send restarts with the
  // bytes it had left after the reissue delay, routed anew around the dead links; a receive is
  // posted again at once. Without a live path the run fails, naming what was cut.
  void recover(double t) {
    for (size_t i = pending_.comms.size(); i-- > 0;) {
      if (pending_.comms[i]->get_state() != sg4::Activity::State::FAILED) continue;
      Tag tag = pending_.tags[i];
      pending_.remove(i);
      if (tag.peer == kNone) {
        pending_.add(post_recv(tag.mb, &slot_, tag.rate_Bps), tag);
        continue;
      }
      const double left = tag.cut_at == t ? std::clamp(tag.cut_left, 0.0, tag.bytes) : tag.bytes;
      sh_->result->links->flow_finished(rank_, tag.peer, tag.bytes - left, t);
      ++sh_->flows_cut;
      if (sh_->zone != nullptr && !sh_->zone->reachable(rank_, tag.peer)) {
        throw SimulationError(fmt::format("rank {}: a flow of {} to rank {} failed at t={:.9g} s: no live path left",
                                          rank_, describe_stream(tag.stream), tag.peer, t));
      }
      tag.bytes = left;
      tag.cut_at = -1;
      retries_.push_back(Retry{t + sh_->reissue_delay_s, tag});
    }
  }

  void post_due_retries(double t) {
    for (size_t i = retries_.size(); i-- > 0;) {
      if (retries_[i].at > t + kTimeEps) continue;
      const Tag tag = retries_[i].tag;
      retries_[i] = retries_.back();
      retries_.pop_back();
      pending_.add(post_send(tag.mb, &slot_, tag.bytes, tag.rate_Bps), tag);
      ++sh_->flows_started;
    }
  }

  void completed(size_t idx, double t) {
    const Tag tag = pending_.tags[idx];
    const double started = pending_.comms[idx]->get_start_time();
    pending_.remove(idx);
    StreamState& ss = streams_[tag.stream];
    const CompiledStream& cs = prog_.streams[tag.stream];
    if (cs.kind == StreamKind::kCollective) {
      ss.coll.complete(tag);
      finish_collective_if_idle(tag.stream, t);
      return;
    }
    if (tag.peer != kNone) {
      sh_->result->links->flow_finished(rank_, tag.peer, tag.bytes, t);
      ++sh_->flows_done;
    }
    Posted& p = ss.posted[tag.seq - ss.base];
    p.complete = true;
    p.start_s = started >= 0 ? started : p.post_s;
    while (ss.done < ss.next && ss.posted[ss.done - ss.base].complete) {
      const Posted& q = ss.posted[ss.done - ss.base];
      ss.last_start_s = q.start_s;
      const Op& op = op_at(tag.stream, ss.done);
      ++ss.done;
      op_done(tag.stream, op, q.post_s, t);
    }
  }

  void finish_collective_if_idle(size_t s, double t) {
    StreamState& ss = streams_[s];
    if (!ss.coll_running || ss.coll.active()) return;
    ss.coll_running = false;
    const CompiledCollective& cc = prog_.streams[s].coll[ss.next];
    CollectiveRecord& rec = sh_->result->collectives[cc.record];
    rec.end_s = std::max(rec.end_s, t);
    const Op& op = op_at(s, ss.next);
    ++ss.next;
    op_done(s, op, ss.start_s, t);
  }

  void timers(double t) {
    if (!retries_.empty()) post_due_retries(t);
    for (size_t s = 0; s < streams_.size(); ++s) {
      StreamState& ss = streams_[s];
      if (ss.end_s >= 0 && t + kTimeEps >= ss.end_s) {
        const Op& op = op_at(s, ss.next);
        ss.end_s = -1;
        ++ss.next;
        op_done(s, op, ss.start_s, t);
      }
      const double te = ss.coll.timer_end();
      if (te >= 0 && t + kTimeEps >= te) {
        ss.coll.timer_done();
        finish_collective_if_idle(s, t);
      }
    }
  }

  // --- steps and the breakdown ---

  StepLocal& local(uint32_t step) {
    while (window_.empty() || window_.back().step < step) {
      const uint32_t st = window_.empty() ? first_open_ : window_.back().step + 1;
      window_.push_back(StepLocal{st, prog_.step_op_count[st], {}});
    }
    while (window_.front().ops_left == 0 && window_.front().step < step) {
      first_open_ = window_.front().step + 1;
      window_.erase(window_.begin());
    }
    return window_[step - window_.front().step];
  }

  void op_started(const Op& op, double now) {
    StepRecord& s = sh_->result->steps[op.step];
    s.first_start_s = std::min(s.first_start_s, now);
    local(op.step);
  }

  void op_done(size_t s, const Op& op, double start, double end) {
    if (prog_.streams[s].kind != StreamKind::kP2P) streams_[s].done = streams_[s].next;
    if (sh_->timeline != nullptr && sh_->timeline->wants(rank_, op.step)) {
      sh_->timeline->record(rank_, static_cast<uint32_t>(&op - ops_.data()), static_cast<uint32_t>(s), start, end);
    }
    StepLocal& mine = local(op.step);
    --mine.ops_left;
    StepRecord& rec = sh_->result->steps[op.step];
    rec.end_s = std::max(rec.end_s, end);
    if (++sh_->step_ops_done[op.step] == sh_->prog->step_total_ops[op.step]) {
      ++sh_->steps_done;
      if (episode_ && episode_step_ == op.step) close_episode(end);
      rec.breakdown = mine.time;
      rec.critical_rank = rank_;
    }
    while (!window_.empty() && window_.front().ops_left == 0) {
      first_open_ = window_.front().step + 1;
      window_.erase(window_.begin());
    }
  }

  // Books [t_last_, t] to the class set by the last classify().
  void attribute(double t) {
    const double dt = t - t_last_;
    t_last_ = t;
    if (dt <= 0 || cls_ == TimeClass::kCount) return;
    if (episode_) {
      episode_len_ += dt;
    } else if (cls_step_ < work_.steps) {
      local(cls_step_).time[static_cast<size_t>(cls_)] += dt;
    }
  }

  // A wait on a pipeline receive ends: the part before its transfer began is bubble.
  void close_episode(double /*now*/) {
    const double ts = streams_[episode_stream_].last_start_s;
    const double bubble = std::clamp(ts - episode_start_, 0.0, episode_len_);
    if (episode_step_ < work_.steps && !window_.empty() && episode_step_ >= window_.front().step) {
      Breakdown& b = local(episode_step_).time;
      b[static_cast<size_t>(TimeClass::kBubble)] += bubble;
      b[static_cast<size_t>(TimeClass::kPP)] += episode_len_ - bubble;
    }
    episode_ = false;
    episode_len_ = 0;
  }

  // The class of waiting on stream s.
  TimeClass wait_class(size_t s) const {
    const CompiledStream& cs = prog_.streams[s];
    const StreamState& ss = streams_[s];
    if (cs.kind == StreamKind::kP2P) return TimeClass::kBubble;  // an episode, split later
    if (cs.kind == StreamKind::kCollective && ss.next < cs.ops.size()) {
      return sh_->family_class[op_at(s, ss.next).family];
    }
    return TimeClass::kOther;
  }

  // Decides where the time from now until the next event goes.
  void classify(double now) {
    TimeClass cls = TimeClass::kCount;
    uint32_t step = kNone;
    size_t wait_stream = kNone;
    if (!window_.empty()) {
      const uint32_t front = window_.front().step;
      if (compute_ >= 0) {
        const StreamState& cs = streams_[compute_];
        if (cs.end_s >= 0) {
          cls = TimeClass::kCompute;
          step = op_at(compute_, cs.next).step;
        } else if (cs.next < prog_.streams[compute_].ops.size() && op_at(compute_, cs.next).step <= front) {
          step = op_at(compute_, cs.next).step;
          for (const Dep& d : op_at(compute_, cs.next).deps) {
            if (streams_[d.stream].done < d.count) {
              wait_stream = d.stream;
              break;
            }
          }
        }
      }
      if (cls == TimeClass::kCount && wait_stream == kNone) {
        // Nothing on the compute stream for the open step: wait for whatever stream still has it.
        step = front;
        for (size_t s = 0; s < streams_.size(); ++s) {
          if (static_cast<int>(s) == compute_) continue;
          const StreamState& ss = streams_[s];
          if (ss.done < prog_.streams[s].ops.size() && op_at(s, ss.done).step == front) {
            wait_stream = s;
            break;
          }
        }
      }
      if (cls == TimeClass::kCount) cls = wait_stream == kNone ? TimeClass::kOther : wait_class(wait_stream);
    }
    const bool pp_wait = cls == TimeClass::kBubble;
    if (episode_ && (!pp_wait || wait_stream != episode_stream_ || step != episode_step_)) close_episode(now);
    if (pp_wait && !episode_) {
      episode_ = true;
      episode_stream_ = wait_stream;
      episode_step_ = step;
      episode_start_ = now;
      episode_len_ = 0;
    }
    cls_ = cls;
    cls_step_ = step;
  }

  std::string blocked_description() const {
    for (size_t s = 0; s < streams_.size(); ++s) {
      const StreamState& ss = streams_[s];
      if (ss.next >= prog_.streams[s].ops.size()) continue;
      const Op& op = op_at(s, ss.next);
      return fmt::format("op '{}' (step {}) on stream '{}' waits for ops that cannot finish", op.label, op.step,
                         work_.streams[s].name);
    }
    return "no op can start";
  }

  ReplayShared* sh_;
  uint32_t rank_;
  const Workload& work_;
  uint32_t pid_;
  const CompiledProgram& prog_;
  const std::vector<Op>& ops_;
  std::vector<StreamState> streams_;
  int compute_ = -1;
  PendingSet pending_;
  struct Retry {
    double at;
    Tag tag;
  };
  std::vector<Retry> retries_;  ///< sends cut by a failure, waiting to be reissued
  void* slot_ = nullptr;
  std::vector<StepLocal> window_;  ///< steps this rank has not finished, oldest first
  uint32_t first_open_ = 0;
  double t_last_ = 0;
  TimeClass cls_ = TimeClass::kCount;
  uint32_t cls_step_ = 0;
  bool episode_ = false;
  size_t episode_stream_ = 0;
  uint32_t episode_step_ = 0;
  double episode_start_ = 0, episode_len_ = 0;
};

}  // namespace detail

void note_cut_flows(ReplayShared& sh, const std::vector<std::pair<uint32_t, uint32_t>>& flows) {
  const double now = sg4::Engine::get_clock();
  for (const auto& [src, dst] : flows) {
    if (src < sh.ranks.size() && sh.ranks[src] != nullptr) sh.ranks[src]->note_cut(dst, now);
  }
}

void abort_replay(ReplayShared& sh, const std::string& why) {
  if (!sh.failed) {
    sh.failed = true;
    sh.result->ok = false;
    sh.result->error = why;
  }
  sg4::Actor::kill_all();  // each killed rank abandons its comms as it unwinds
}

void RankActor::operator()() const {
  ReplayShared* sh = shared_;
  auto r = std::make_unique<detail::Rank>(sh, rank_);
  try {
    r->run();
  } catch (const SimulationError& e) {
    abort_replay(*sh, e.what());
  }
}

}  // namespace gigasim
