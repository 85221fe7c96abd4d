#include "sim/replay/rank_actor.hpp"

#include <fmt/format.h>
#include <simgrid/Exception.hpp>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Mailbox.hpp>
#include <xbt/log.h>

#include <cmath>

#include "sim/core/error.hpp"
#include "sim/results/timeline_writer.hpp"

namespace sg4 = simgrid::s4u;

XBT_LOG_NEW_DEFAULT_CATEGORY(gigasim_replay, "gigasim rank replay");

namespace gigasim {
namespace {

constexpr double kTimeEps = 1e-12;

sg4::Mailbox* mailbox(uint32_t family, uint32_t src, uint32_t dst) {
  return sg4::Mailbox::by_name(fmt::format("f{}:{}>{}", family, src, dst));
}

// The communication stream of one rank: at most one collective in flight, run phase by phase
// from the shared plan (delay, transfers, next phase; the tail after the last).
class CommStream {
 public:
  CommStream(ReplayShared* sh, uint32_t rank) : sh_(sh), rank_(rank) {}

  bool active() const { return state_ != State::kIdle; }
  bool has_pending() const { return !pending_.empty(); }
  const std::vector<sg4::CommPtr>& pending() const { return pending_; }
  double timer_end() const { return state_ == State::kDelay || state_ == State::kTail ? timer_end_ : -1; }

  // Starts comm op number `ordinal`. Returns false if the rank has nothing to do in it.
  bool start(uint32_t ordinal) {
    const RankProgram& prog = *sh_->prog;
    const CompiledCollective& cc = prog.comm[ordinal];
    const Op& op = prog.work->ops[cc.op];
    fam_ = &prog.work->families[op.family];
    family_ = op.family;
    ordinal_ = ordinal;
    plan_ = cc.plan.get();
    if (!fam_->contains(rank_) || (plan_->phases() == 0 && plan_->tail_s <= 0)) return false;
    pos_ = fam_->position(rank_);
    phase_ = 0;
    begin_phase();
    return true;
  }

  // One comm of the current phase finished (index into pending()).
  void complete(size_t idx) {
    const double now = sg4::Engine::get_clock();
    if (peer_of_[idx] != kRecv) {
      sh_->result->links->flow_finished(rank_, peer_of_[idx], bytes_of_[idx], now);
      ++sh_->flows_done;
    }
    pending_[idx] = pending_.back();
    pending_.pop_back();
    peer_of_[idx] = peer_of_.back();
    peer_of_.pop_back();
    bytes_of_[idx] = bytes_of_.back();
    bytes_of_.pop_back();
    if (pending_.empty()) {
      ++phase_;
      begin_phase();
    }
  }

  // The delay before a phase, or the tail, elapsed.
  void timer_done() {
    if (state_ == State::kDelay) {
      post_phase();
    } else {
      state_ = State::kIdle;
    }
  }

  std::string describe() const {
    const CompiledCollective& cc = sh_->prog->comm[ordinal_];
    const Op& op = sh_->prog->work->ops[cc.op];
    return fmt::format("{} '{}' (step {}, {:.0f} B, {} over group family '{}' of {} ranks)", to_string(op.collective),
                       op.label, op.step, op.bytes, cc.algorithm->name(), fam_->name, fam_->size);
  }

 private:
  enum class State { kIdle, kDelay, kFlows, kTail };
  static constexpr uint32_t kRecv = UINT32_MAX;

  // Enters phase_ (or the tail after the last phase).
  void begin_phase() {
    const double now = sg4::Engine::get_clock();
    if (phase_ >= plan_->phases()) {
      if (plan_->tail_s > 0) {
        state_ = State::kTail;
        timer_end_ = now + plan_->tail_s;
      } else {
        state_ = State::kIdle;
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
    const uint32_t ch = plan_->channels;
    for (bool sends : {false, true}) {
      for (const Transfer& t : transfers_) {
        if (t.send != sends) continue;
        const uint32_t peer = fam_->member(rank_, t.peer);
        const double per_flow = t.bytes / ch;
        if (!sends) {
          sg4::Mailbox* mb = mailbox(family_, peer, rank_);
          for (uint32_t c = 0; c < ch; ++c) {
            pending_.push_back(mb->get_async<void>(&slot_));
            peer_of_.push_back(kRecv);
            bytes_of_.push_back(0);
          }
        } else {
          sg4::Mailbox* mb = mailbox(family_, rank_, peer);
          const auto size = static_cast<uint64_t>(std::llround(per_flow));
          for (uint32_t c = 0; c < ch; ++c) {
            pending_.push_back(mb->put_async(&slot_, size));
            peer_of_.push_back(peer);
            bytes_of_.push_back(per_flow);
          }
          sh_->flows_started += ch;
          sh_->result->collectives[ordinal_].flows += ch;
        }
      }
    }
  }

  ReplayShared* sh_;
  uint32_t rank_;
  State state_ = State::kIdle;
  uint32_t ordinal_ = 0;
  const CollectivePlan* plan_ = nullptr;
  const GroupFamily* fam_ = nullptr;
  uint32_t family_ = 0;
  uint32_t pos_ = 0;
  uint32_t phase_ = 0;
  double timer_end_ = -1;
  void* slot_ = nullptr;
  std::vector<Transfer> transfers_;
  std::vector<sg4::CommPtr> pending_;
  std::vector<uint32_t> peer_of_;
  std::vector<double> bytes_of_;
};

}  // namespace

void RankActor::operator()() const {
  ReplayShared* sh = shared_;
  const RankProgram& prog = *sh->prog;
  const Workload& work = *prog.work;
  ReplayResult& res = *sh->result;

  auto op_started = [&](const Op& op, double now) {
    StepRecord& s = res.steps[op.step];
    s.first_start_s = std::min(s.first_start_s, now);
  };
  auto op_finished = [&](const Op& op, double now) {
    StepRecord& s = res.steps[op.step];
    s.end_s = std::max(s.end_s, now);
    if (++sh->step_ops_done[op.step] == uint64_t{prog.step_op_count[op.step]} * work.ranks) ++sh->steps_done;
  };

  size_t ci = 0;  // next compute op
  size_t mi = 0;  // next comm op
  uint32_t computes_done = 0;
  uint32_t comms_done = 0;
  double compute_end = -1, compute_start = 0, comm_start = 0;
  bool comm_in_flight = false;
  auto trace = [&](uint32_t op_index, double start, double end) {
    if (sh->timeline != nullptr && sh->timeline->wants(rank_, work.ops[op_index].step)) {
      sh->timeline->record(rank_, op_index, start, end);
    }
  };
  CommStream comm(sh, rank_);

  try {
    while (true) {
      const double now = sg4::Engine::get_clock();
      if (sh->failed) return;
      // Start whatever each idle stream can start.
      if (compute_end < 0 && ci < prog.compute_ops.size()) {
        const Op& op = work.ops[prog.compute_ops[ci]];
        if (op.after_comm <= comms_done) {
          op_started(op, now);
          compute_start = now;
          compute_end = now + op.seconds;
        }
      }
      while (!comm.active() && mi < prog.comm.size()) {
        const Op& op = work.ops[prog.comm[mi].op];
        if (op.after_compute > computes_done) break;
        op_started(op, now);
        if (work.families[op.family].contains(rank_)) {
          CollectiveRecord& rec = res.collectives[mi];
          rec.first_start_s = std::min(rec.first_start_s, now);
          rec.start_s = std::max(rec.start_s, now);
          rec.end_s = std::max(rec.end_s, now);  // members with nothing to do end at once
        }
        if (comm.start(static_cast<uint32_t>(mi))) {
          comm_in_flight = true;
          comm_start = now;
          break;
        }
        op_finished(op, now);
        ++comms_done;
        ++mi;
      }
      if (compute_end < 0 && !comm.active()) {
        if (ci == prog.compute_ops.size() && mi == prog.comm.size()) break;
        // Only a compute op waiting for comms that are all done can get here: a program bug.
        throw SimulationError(fmt::format("rank {} is stuck: no op can start", rank_));
      }

      // Wait for the first event: a comm of the current phase, the compute end, the latency tail.
      double deadline = compute_end;
      if (comm.timer_end() >= 0 && (deadline < 0 || comm.timer_end() < deadline)) deadline = comm.timer_end();
      if (comm.has_pending()) {
        const double timeout = deadline < 0 ? -1.0 : std::max(0.0, deadline - now);
        const ssize_t idx = sg4::Comm::wait_any_for(comm.pending(), timeout);
        if (idx >= 0) comm.complete(static_cast<size_t>(idx));
      } else if (deadline > now) {
        sg4::this_actor::sleep_until(deadline);
      }

      const double t = sg4::Engine::get_clock();
      if (compute_end >= 0 && t + kTimeEps >= compute_end) {
        trace(prog.compute_ops[ci], compute_start, t);
        op_finished(work.ops[prog.compute_ops[ci]], t);
        compute_end = -1;
        ++computes_done;
        ++ci;
      }
      if (comm.timer_end() >= 0 && t + kTimeEps >= comm.timer_end()) comm.timer_done();
      if (comm_in_flight && !comm.active()) {
        comm_in_flight = false;
        trace(prog.comm[mi].op, comm_start, t);
        CollectiveRecord& rec = res.collectives[mi];
        rec.end_s = std::max(rec.end_s, t);
        op_finished(work.ops[prog.comm[mi].op], t);
        ++comms_done;
        ++mi;
      }
    }
  } catch (const simgrid::NetworkFailureException& e) {
    if (!sh->failed) {
      sh->failed = true;
      res.ok = false;
      res.error = fmt::format("rank {}: a flow of {} failed at t={:.9g} s: no live path ({})", rank_,
                              comm.describe(), sg4::Engine::get_clock(), e.what());
    }
    sg4::Actor::kill_all();
    return;
  } catch (const SimulationError& e) {
    if (!sh->failed) {
      sh->failed = true;
      res.ok = false;
      res.error = e.what();
    }
    sg4::Actor::kill_all();
    return;
  }
  ++sh->ranks_finished;
}

}  // namespace gigasim
