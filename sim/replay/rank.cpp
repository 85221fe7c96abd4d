#include "sim/replay/rank.hpp"

#include <fmt/format.h>
#include <simgrid/Exception.hpp>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <algorithm>

#include "sim/core/error.hpp"
#include "sim/platform/fabric_zone.hpp"
#include "sim/records/link_stats.hpp"
#include "sim/records/timeline_recorder.hpp"

namespace gigasim::detail {

Rank::Rank(ReplayShared* sh, uint32_t rank)
    : sh_(sh),
      rank_(rank),
      work_(*sh->prog->work),
      pid_(work_.program_of(rank)),
      prog_(sh->prog->programs[pid_]),
      ops_(prog_.src->ops),
      streams_(prog_.streams.size()),
      acct_(prog_.step_op_count, work_.steps) {
  for (size_t s = 0; s < prog_.streams.size(); ++s) {
    if (prog_.streams[s].kind == StreamKind::kCompute) {
      compute_ = static_cast<int>(s);
      break;
    }
  }
  if (!sh_->ranks.empty()) sh_->ranks[rank_] = this;
}

Rank::~Rank() {
  abandon();  // a killed rank may still hold comms in flight
  if (!sh_->ranks.empty()) sh_->ranks[rank_] = nullptr;
}

void Rank::run() {
  double now = sg4::Engine::get_clock();
  acct_.start_clock(now);
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
      acct_.attribute(t);
      if (cut) recover(t);
      if (idx >= 0) completed(static_cast<size_t>(idx), t);
    } else if (deadline >= 0) {
      if (deadline > now + kTimeEps) sg4::this_actor::sleep_until(deadline);
      acct_.attribute(sg4::Engine::get_clock());
    } else {
      throw SimulationError(fmt::format("rank {} is stuck: {}", rank_, blocked_description()));
    }
    now = sg4::Engine::get_clock();
    timers(now);
  }
  ++sh_->ranks_finished;
}

double Rank::slowdown() const {
  if (sh_->slowdown.empty()) return 1.0;
  auto it = sh_->slowdown.find(rank_);
  return it == sh_->slowdown.end() ? 1.0 : it->second;
}

std::string Rank::describe_stream(uint16_t s) const {
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

bool Rank::deps_ok(const Op& op) const {
  for (const Dep& d : op.deps) {
    if (streams_[d.stream].done < d.count) return false;
  }
  return true;
}

bool Rank::all_done() const {
  for (size_t s = 0; s < streams_.size(); ++s) {
    if (streams_[s].done < prog_.streams[s].ops.size()) return false;
  }
  return true;
}

void Rank::start_ready(double now) {
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
            if (ss.coll.start(sh_, rank_, static_cast<uint16_t>(s), op, cc, this) && ss.coll.active()) {
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

void Rank::post(size_t s, const Op& op, double now) {
  StreamState& ss = streams_[s];
  const GroupFamily& fam = work_.families[op.family];
  const uint32_t peer = fam.peer(rank_, op.peer);
  const auto stream = static_cast<uint16_t>(s);
  if (op.kind == OpKind::kSend) {
    post(true, Tag{stream, peer, ss.next, op.bytes, p2p_mailbox(op.family, op.tag, rank_, peer)});
    ++sh_->flows_started;
  } else {
    post(false, Tag{stream, kNone, ss.next, 0, p2p_mailbox(op.family, op.tag, peer, rank_), -1, 0, 0, peer});
  }
  if (ss.posted.size() > 64 && ss.done - ss.base > ss.posted.size() / 2) {
    ss.posted.erase(ss.posted.begin(), ss.posted.begin() + (ss.done - ss.base));
    ss.base = ss.done;
  }
  ss.posted.push_back(Posted{false, now, now});
}

void Rank::post(bool send, const Tag& tag) {
  const double alpha = sh_->zone == nullptr || !sh_->ranks_charge_latency
                           ? 0.0
                           : send ? sh_->zone->route_latency(rank_, tag.peer) : sh_->zone->route_latency(tag.remote, rank_);
  if (alpha > 0) {
    post_at(sg4::Engine::get_clock() + alpha, send, tag);
  } else {
    post_now(send, tag);
  }
}

void Rank::post_at(double at, bool send, const Tag& tag) { deferred_.push_back(Deferred{at, send, tag}); }

void Rank::post_now(bool send, const Tag& tag) {
  // Payloads are never read: the address of slot_ only tells SimGrid which side is which.
  pending_.add(send ? post_send(tag.mb, &slot_, tag.bytes, tag.rate_Bps) : post_recv(tag.mb, &slot_, tag.rate_Bps), tag);
}

void Rank::post_due(double t) {
  // In posting order: the k-th send on a mailbox must meet the k-th receive.
  size_t keep = 0;
  for (size_t i = 0; i < deferred_.size(); ++i) {
    if (deferred_[i].at <= t + kTimeEps) {
      post_now(deferred_[i].send, deferred_[i].tag);
    } else {
      deferred_[keep++] = deferred_[i];
    }
  }
  deferred_.resize(keep);
}

double Rank::next_deadline() const {
  double d = -1;
  for (const StreamState& ss : streams_) {
    const double t = ss.end_s >= 0 ? ss.end_s : ss.coll.timer_end();
    if (t >= 0 && (d < 0 || t < d)) d = t;
  }
  for (const Deferred& r : deferred_) {
    if (d < 0 || r.at < d) d = r.at;
  }
  return d;
}

void Rank::completed(size_t idx, double t) {
  const Tag tag = pending_.tags[idx];
  const double started = pending_.comms[idx]->get_start_time();
  const void* comm = pending_.comms[idx]->get_impl();
  pending_.remove(idx);
  StreamState& ss = streams_[tag.stream];
  const CompiledStream& cs = prog_.streams[tag.stream];
  if (cs.kind == StreamKind::kCollective) {
    ss.coll.complete(tag, comm);
    finish_collective_if_idle(tag.stream, t);
    return;
  }
  if (tag.peer != kNone) {
    sh_->result->links->flow_finished(comm, tag.bytes, t);
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

void Rank::finish_collective_if_idle(size_t s, double t) {
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

void Rank::timers(double t) {
  if (!deferred_.empty()) post_due(t);
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

void Rank::op_started(const Op& op, double now) {
  StepRecord& s = sh_->result->steps[op.step];
  s.first_start_s = std::min(s.first_start_s, now);
  acct_.local(op.step);
}

void Rank::op_done(size_t s, const Op& op, double start, double end) {
  if (prog_.streams[s].kind != StreamKind::kP2P) streams_[s].done = streams_[s].next;
  if (sh_->timeline != nullptr && sh_->timeline->wants(rank_, op.step)) {
    sh_->timeline->record(rank_, static_cast<uint32_t>(&op - ops_.data()), static_cast<uint32_t>(s), start, end);
  }
  StepLocal& mine = acct_.local(op.step);
  --mine.ops_left;
  StepRecord& rec = sh_->result->steps[op.step];
  rec.end_s = std::max(rec.end_s, end);
  if (++sh_->step_ops_done[op.step] == sh_->prog->step_total_ops[op.step]) {
    ++sh_->steps_done;
    if (acct_.in_episode(op.step)) acct_.close_episode(streams_[acct_.episode_stream()].last_start_s);
    rec.breakdown = mine.time;
    rec.critical_rank = rank_;
  }
  acct_.drop_finished();
}

TimeClass Rank::wait_class(size_t s) const {
  const CompiledStream& cs = prog_.streams[s];
  const StreamState& ss = streams_[s];
  if (cs.kind == StreamKind::kP2P) return TimeClass::kBubble;  // an episode, split later
  if (cs.kind == StreamKind::kCollective && ss.next < cs.ops.size()) {
    return sh_->family_class[op_at(s, ss.next).family];
  }
  return TimeClass::kOther;
}

void Rank::classify(double now) {
  TimeClass cls = TimeClass::kCount;
  uint32_t step = kNone;
  size_t wait_stream = kNone;
  if (acct_.any_open()) {
    const uint32_t front = acct_.front_step();
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
  acct_.set_waiting(now, cls, step, wait_stream, streams_[acct_.episode_stream()].last_start_s);
}

std::string Rank::blocked_description() const {
  for (size_t s = 0; s < streams_.size(); ++s) {
    const StreamState& ss = streams_[s];
    if (ss.next >= prog_.streams[s].ops.size()) continue;
    const Op& op = op_at(s, ss.next);
    return fmt::format("op '{}' (step {}) on stream '{}' waits for ops that cannot finish", op.label, op.step,
                       work_.streams[s].name);
  }
  return "no op can start";
}

}  // namespace gigasim::detail
