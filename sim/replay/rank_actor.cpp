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

namespace sg4 = simgrid::s4u;

XBT_LOG_NEW_DEFAULT_CATEGORY(gigasim_replay, "gigasim rank replay");

namespace gigasim {
namespace {

constexpr double kTimeEps = 1e-12;

sg4::Mailbox* mailbox(uint32_t family, uint32_t src, uint32_t dst) {
  return sg4::Mailbox::by_name(fmt::format("f{}:{}>{}", family, src, dst));
}

// The communication stream of one rank: at most one collective in flight.
class CommStream {
 public:
  CommStream(ReplayShared* sh, uint32_t rank) : sh_(sh), rank_(rank) {}

  bool active() const { return active_; }
  bool has_pending() const { return !pending_.empty(); }
  const std::vector<sg4::CommPtr>& pending() const { return pending_; }
  double timer_end() const { return timer_end_; }

  // Starts comm op number `ordinal`. Returns false if the rank has nothing to do in it.
  bool start(uint32_t ordinal) {
    const RankProgram& prog = *sh_->prog;
    const Op& op = prog.work->ops[prog.comm_ops[ordinal]];
    const GroupFamily& fam = prog.work->families[op.family];
    ordinal_ = ordinal;
    plan_ = &prog.plans[ordinal];
    if (!fam.contains(rank_) || plan_->phases.empty()) return false;
    fam_ = &fam;
    family_ = op.family;
    phase_ = 0;
    rep_ = 0;
    active_ = true;
    timer_end_ = -1;
    post_phase();
    return true;
  }

  // One comm of the current phase finished (index into pending()).
  void complete(size_t idx) {
    const double now = sg4::Engine::get_clock();
    if (peer_of_[idx] != kRecv) {
      sh_->result->links->flow_finished(rank_, peer_of_[idx], bytes_, now);
      ++sh_->flows_done;
    }
    pending_[idx] = pending_.back();
    pending_.pop_back();
    peer_of_[idx] = peer_of_.back();
    peer_of_.pop_back();
    if (!pending_.empty()) return;
    // Phase repetition done: next repetition, next phase, or the analytic latency tail.
    if (++rep_ < plan_->phases[phase_].repeat) {
      post_phase();
    } else if (++phase_ < plan_->phases.size()) {
      rep_ = 0;
      post_phase();
    } else if (plan_->extra_latency_steps > 0) {
      timer_end_ = now + plan_->extra_latency_steps * sh_->prog->family_alpha_s[family_];
    } else {
      active_ = false;
    }
  }

  // The analytic latency tail elapsed.
  void timer_done() {
    timer_end_ = -1;
    active_ = false;
  }

  uint32_t ordinal() const { return ordinal_; }
  std::string describe() const {
    const Op& op = sh_->prog->work->ops[sh_->prog->comm_ops[ordinal_]];
    return fmt::format("{} '{}' (step {}, {} over group family '{}' of {} ranks)", to_string(op.collective),
                       op.label, op.step, format_size(op.bytes), fam_->name, fam_->size);
  }

 private:
  static constexpr uint32_t kRecv = UINT32_MAX;
  static std::string format_size(double b) { return fmt::format("{:.0f} B", b); }

  void post_phase() {
    const Phase& ph = plan_->phases[phase_];
    bytes_ = ph.bytes / ph.channels;
    const auto size = static_cast<uint64_t>(std::llround(bytes_));
    if (ph.recv_offset != 0) {
      sg4::Mailbox* mb = mailbox(family_, fam_->peer(rank_, ph.recv_offset), rank_);
      for (uint32_t c = 0; c < ph.channels; ++c) {
        pending_.push_back(mb->get_async<void>(&slot_));
        peer_of_.push_back(kRecv);
      }
    }
    if (ph.send_offset != 0) {
      const uint32_t dst = fam_->peer(rank_, ph.send_offset);
      sg4::Mailbox* mb = mailbox(family_, rank_, dst);
      for (uint32_t c = 0; c < ph.channels; ++c) {
        pending_.push_back(mb->put_async(&slot_, size));
        peer_of_.push_back(dst);
      }
      sh_->flows_started += ph.channels;
      sh_->result->collectives[ordinal_].flows += ph.channels;
    }
  }

  ReplayShared* sh_;
  uint32_t rank_;
  bool active_ = false;
  uint32_t ordinal_ = 0;
  const FlowPlan* plan_ = nullptr;
  const GroupFamily* fam_ = nullptr;
  uint32_t family_ = 0;
  size_t phase_ = 0;
  uint32_t rep_ = 0;
  double bytes_ = 0;
  double timer_end_ = -1;
  void* slot_ = nullptr;
  std::vector<sg4::CommPtr> pending_;
  std::vector<uint32_t> peer_of_;
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
  double compute_end = -1;
  bool comm_in_flight = false;
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
          compute_end = now + op.seconds;
        }
      }
      while (!comm.active() && mi < prog.comm_ops.size()) {
        const Op& op = work.ops[prog.comm_ops[mi]];
        if (op.after_compute > computes_done) break;
        op_started(op, now);
        CollectiveRecord& rec = res.collectives[mi];
        rec.first_start_s = std::min(rec.first_start_s, now);
        rec.start_s = std::max(rec.start_s, now);
        if (comm.start(static_cast<uint32_t>(mi))) {
          comm_in_flight = true;
          break;
        }
        rec.end_s = std::max(rec.end_s, now);
        op_finished(op, now);
        ++comms_done;
        ++mi;
      }
      if (compute_end < 0 && !comm.active()) {
        if (ci == prog.compute_ops.size() && mi == prog.comm_ops.size()) break;
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
        op_finished(work.ops[prog.compute_ops[ci]], t);
        compute_end = -1;
        ++computes_done;
        ++ci;
      }
      if (comm.timer_end() >= 0 && t + kTimeEps >= comm.timer_end()) comm.timer_done();
      if (comm_in_flight && !comm.active()) {
        comm_in_flight = false;
        CollectiveRecord& rec = res.collectives[mi];
        rec.end_s = std::max(rec.end_s, t);
        op_finished(work.ops[prog.comm_ops[mi]], t);
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
