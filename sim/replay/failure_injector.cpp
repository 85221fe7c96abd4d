#include "sim/replay/failure_injector.hpp"

#include <fmt/format.h>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Link.hpp>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "sim/failures/failure_targets.hpp"
#include "sim/platform/fabric_zone.hpp"

namespace sg4 = simgrid::s4u;

namespace gigasim {
namespace {

struct Action {
  double time_s;
  size_t event;
  bool repair;
};

class Injector {
 public:
  Injector(ReplayShared& sh, FabricZone& zone, const Topology& topo, const std::vector<FailureEvent>& events)
      : sh_(sh), zone_(zone), topo_(topo), events_(events) {}

  void operator()() {
    std::vector<Action> actions;
    for (size_t i = 0; i < events_.size(); ++i) {
      actions.push_back({events_[i].time_s, i, false});
      if (std::isfinite(events_[i].duration_s)) actions.push_back({events_[i].time_s + events_[i].duration_s, i, true});
    }
    std::stable_sort(actions.begin(), actions.end(), [](const Action& a, const Action& b) { return a.time_s < b.time_s; });
    for (const Action& a : actions) {
      if (a.time_s > sg4::Engine::get_clock()) sg4::this_actor::sleep_until(a.time_s);
      if (sh_.failed) return;
      if (a.repair) {
        repair(events_[a.event]);
      } else {
        apply(a.event);
      }
    }
  }

 private:
  std::vector<uint32_t> gpus(const FailureEvent& e) const {
    std::vector<uint32_t> out;
    for (const FailureTarget& t : e.targets) {
      for (uint32_t g : target_gpus(topo_, t)) out.push_back(g);
    }
    return out;
  }
  std::vector<LinkId> links(const FailureEvent& e) const {
    std::vector<LinkId> out;
    for (const FailureTarget& t : e.targets) {
      for (LinkId l : target_links(topo_, t)) out.push_back(l);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  void apply(size_t i) {
    const FailureEvent& e = events_[i];
    FailureRecord& rec = sh_.result->failures[i];
    rec.applied = true;
    rec.step = std::min(sh_.steps_done, static_cast<uint32_t>(sh_.result->steps.size()) - 1);
    const double now = sg4::Engine::get_clock();
    if (e.kind == FailureKind::kSlow) {
      for (uint32_t g : gpus(e)) sh_.slowdown[g] = e.factor;
      return;
    }
    if (e.kind == FailureKind::kDown && (e.target_kind == TargetKind::kGpu || e.target_kind == TargetKind::kServer)) {
      abort_replay(sh_, fmt::format("{} failed at t={:.9g} s: step {} aborted (a GPU or server failure ends the "
                                    "step; the job restarts from its last checkpoint: see gigasim goodput)",
                                    e.target, now, rec.step));
      return;
    }
    const std::vector<LinkId> hit = links(e);
    if (e.kind == FailureKind::kDegrade) {
      for (LinkId l : hit) zone_.link(l)->set_bandwidth(topo_.cables[cable_of(l)].bw_Bps * e.factor);
      return;
    }
    std::vector<LinkId> dying;
    for (LinkId l : hit) {
      if (down_[l]++ == 0) dying.push_back(l);
    }
    std::vector<std::pair<uint32_t, uint32_t>> cut;
    sh_.result->links->flows_on(dying, cut);
    note_cut_flows(sh_, cut);
    rec.flows_cut = cut.size();
    for (LinkId l : dying) zone_.set_link_up(l, false);
  }

  void repair(const FailureEvent& e) {
    if (e.kind == FailureKind::kSlow) {
      for (uint32_t g : gpus(e)) sh_.slowdown.erase(g);
      return;
    }
    for (LinkId l : links(e)) {
      if (e.kind == FailureKind::kDegrade) {
        zone_.link(l)->set_bandwidth(topo_.cables[cable_of(l)].bw_Bps);
      } else if (--down_[l] == 0) {
        zone_.set_link_up(l, true);
      }
    }
  }

  ReplayShared& sh_;
  FabricZone& zone_;
  const Topology& topo_;
  const std::vector<FailureEvent>& events_;
  std::unordered_map<LinkId, int> down_;  ///< events holding each link down
};

}  // namespace

void spawn_failure_injector(ReplayShared& sh, FabricZone& zone, const Topology& topo,
                            const std::vector<FailureEvent>& events) {
  if (events.empty()) return;
  sg4::ActorPtr a = sg4::Actor::create("failures", zone.host(0), Injector(sh, zone, topo, events));
  a->daemonize();
}

}  // namespace gigasim
