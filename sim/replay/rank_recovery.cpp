// A rank's side of failures. Before links go off, the injector asks every rank whose flows
// cross them to note the bytes each has left (SimGrid keeps no partial progress of a failed
// comm); when SimGrid then fails those comms, a send restarts with the bytes it had left after
// the reissue delay, routed anew around the dead links, and a receive is posted again at once.
// Without a live path the run fails, naming what was cut. When a run ends with comms in flight
// they are kept referenced until the process ends.
#include <fmt/format.h>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <algorithm>

#include "sim/core/error.hpp"
#include "sim/platform/fabric_zone.hpp"
#include "sim/records/link_stats.hpp"
#include "sim/replay/rank.hpp"

namespace sg4 = simgrid::s4u;

namespace gigasim {
namespace detail {

void Rank::note_cut(uint32_t dst, double now) {
  for (size_t i = 0; i < pending_.comms.size(); ++i) {
    Tag& t = pending_.tags[i];
    if (t.peer == dst && t.cut_at != now) {
      t.cut_at = now;
      t.cut_left = pending_.comms[i]->get_remaining();
      return;
    }
  }
}

void Rank::recover(double t) {
  for (size_t i = pending_.comms.size(); i-- > 0;) {
    if (pending_.comms[i]->get_state() != sg4::Activity::State::FAILED) continue;
    Tag tag = pending_.tags[i];
    const void* comm = pending_.comms[i]->get_impl();
    pending_.remove(i);
    if (tag.peer == kNone) {
      post(false, tag);
      continue;
    }
    const double left = tag.cut_at == t ? std::clamp(tag.cut_left, 0.0, tag.bytes) : tag.bytes;
    sh_->result->links->flow_finished(comm, tag.bytes - left, t);
    ++sh_->flows_cut;
    if (sh_->zone != nullptr && !sh_->zone->reachable(rank_, tag.peer)) {
      throw SimulationError(fmt::format("rank {}: a flow of {} to rank {} failed at t={:.9g} s: no live path left",
                                        rank_, describe_stream(tag.stream), tag.peer, t));
    }
    tag.bytes = left;
    tag.cut_at = -1;
    // Reissued after the delay, then (as every send) a route latency later.
    const double alpha = sh_->ranks_charge_latency ? sh_->zone->route_latency(rank_, tag.peer) : 0.0;
    post_at(t + sh_->reissue_delay_s + alpha, true, tag);
    ++sh_->flows_started;
  }
}


void Rank::abandon() {
  static auto* graveyard = new std::vector<sg4::CommPtr>;  // never freed, on purpose
  for (sg4::CommPtr& c : pending_.comms) graveyard->push_back(std::move(c));
  pending_.comms.clear();
  pending_.tags.clear();
}

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

}  // namespace gigasim
