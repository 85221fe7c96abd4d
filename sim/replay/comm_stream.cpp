#include "sim/replay/comm_stream.hpp"

#include <simgrid/s4u/Engine.hpp>

#include "sim/records/link_stats.hpp"

namespace gigasim::detail {

bool CommStream::start(ReplayShared* sh, uint32_t rank, uint16_t stream, const Op& op, const CompiledCollective& cc,
                       CommPoster* poster) {
  sh_ = sh;
  rank_ = rank;
  stream_ = stream;
  poster_ = poster;
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

void CommStream::complete(const Tag& t, const void* comm) {
  if (t.peer != kNone) {
    sh_->result->links->flow_finished(comm, t.bytes, sg4::Engine::get_clock());
    ++sh_->flows_done;
  }
  if (--in_flight_ == 0) {
    ++phase_;
    begin_phase();
  }
}

void CommStream::timer_done() {
  if (state_ == State::kDelay) {
    post_phase();
  } else if (cc_->fidelity == Fidelity::kAnalytic) {
    state_ = State::kIdle;
  } else {
    next_repetition();
  }
}

void CommStream::next_repetition() {
  if (++rep_ < repeat_) {
    phase_ = 0;
    begin_phase();
  } else {
    state_ = State::kIdle;
  }
}

void CommStream::begin_phase() {
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

void CommStream::post_phase() {
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
        for (uint32_t c = 0; c < ch; ++c) poster_->post(false, Tag{stream_, kNone, 0, 0, mb, -1, 0, rate, peer});
      } else {
        sg4::Mailbox* mb = collective_mailbox(family_, rank_, peer);
        const double rate = t.rate_Bps / ch;
        for (uint32_t c = 0; c < ch; ++c) {
          poster_->post(true, Tag{stream_, peer, 0, per_flow, mb, -1, 0, rate});
        }
        sh_->flows_started += ch;
        sh_->result->collectives[cc_->record].flows += ch;
      }
      in_flight_ += ch;
    }
  }
}

}  // namespace gigasim::detail
