#include "sim/replay/replay_engine.hpp"

#include <fmt/format.h>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/version.h>

#include <chrono>
#include <cstdlib>

#include "sim/collectives/collective_algorithm.hpp"
#include "sim/core/error.hpp"
#include "sim/core/interrupt.hpp"
#include "sim/platform/comm_start_signal.hpp"
#include "sim/platform/fabric_zone.hpp"
#include "sim/replay/failure_injector.hpp"
#include "sim/replay/rank_actor.hpp"
#include "sim/plan/rank_program.hpp"

namespace sg4 = simgrid::s4u;

namespace gigasim {
namespace {
double wall_now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

std::string simgrid_version() {
  return fmt::format("{}.{}.{}", SIMGRID_VERSION_MAJOR, SIMGRID_VERSION_MINOR, SIMGRID_VERSION_PATCH);
}

ReplayEngine::ReplayEngine(const Topology& topo, const Workload& work, const NetworkModelSpec& net,
                           ReplayOptions opt)
    : topo_(topo), work_(work), net_(net), opt_(std::move(opt)) {}

ReplayResult ReplayEngine::run() {
  GIGASIM_ASSERT(work_.ranks <= topo_.gpus, "workload larger than the cluster");
  ReplayResult res;
  const double t0 = wall_now();

  std::vector<std::string> args{"gigasim", "--log=xbt_cfg.thres:warning"};
  args.insert(args.end(), opt_.simgrid_args.begin(), opt_.simgrid_args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  // Deliberately never destroyed: tearing down 800k links and 100k actors costs seconds and the
  // process ends right after the run (SimGrid allows one engine per process anyway).
  static sg4::Engine* engine = nullptr;
  GIGASIM_ASSERT(engine == nullptr, "one replay per process");
  engine = new sg4::Engine(&argc, argv.data());
  for (const std::string& cfg : net_.simgrid_config()) engine->set_config(cfg);
  // 12 KiB stacks, no guard pages: 100k actors. The deepest path (a flow failing with an
  // exception) needs 6-8 KiB: every integration test passes with 8 KiB and guard pages
  // (GIGASIM_STACK_KIB=8 GIGASIM_GUARD_PAGES=1 ctest), and fails at 6.
  const char* stack = std::getenv("GIGASIM_STACK_KIB");
  const char* guard = std::getenv("GIGASIM_GUARD_PAGES");
  engine->set_config(std::string("contexts/stack-size:") + (stack ? stack : "12"));
  engine->set_config(std::string("contexts/guard-size:") + (guard ? guard : "0"));
  interrupt::reinstall();  // SimGrid installs its own SIGINT handler (an actor dump, exit 1)

  const Calibration cal = (opt_.calibration ? *opt_.calibration : Calibration::nccl()).for_profile(topo_.gpu_model);
  const RankProgram prog = RankProgram::compile(work_, topo_, cal, opt_.failures.empty() && opt_.links_down.empty());
  res.fold = prog.fold;
  res.fold_note = prog.fold_note;
  res.fold_exact = prog.fold_exact;
  const std::vector<uint8_t>& share = prog.link_share;

  // The engine owns the root zone.
  std::optional<FabricZone::Folding> folding;
  if (prog.fold > 1) {
    folding = FabricZone::Folding{work_.families[static_cast<size_t>(prog.fold_family)], share};
  }
  auto* zone = new FabricZone("fabric", topo_, std::move(folding));
  zone->build();
  zone->set_latency_in_routes(false);  // the ranks charge it (sim/replay/rank.hpp)
  for (LinkId l : opt_.links_down) zone->set_link_up(l, false);
  res.platform_wall_s = wall_now() - t0;
  std::vector<double> bw(topo_.link_count()), lat(topo_.link_count());
  for (uint32_t c = 0; c < topo_.cables.size(); ++c) {
    // Under folding the zone reports every copy a shared link carries (as SimGrid consumes them).
    bw[2 * c] = bw[2 * c + 1] = topo_.cables[c].bw_Bps;
    lat[2 * c] = lat[2 * c + 1] = 0;  // a flow transfers from its start: the ranks charged the latency
  }
  res.link_share = share;
  res.links = std::make_unique<LinkStats>(std::move(bw), std::move(lat));
  LinkStats* links = res.links.get();
  zone->set_route_observer([links](uint32_t s, uint32_t d, const Path& p, std::span<const LinkId> copies) {
    links->flow_started(s, d, p, copies, sg4::Engine::get_clock());
  });
  // SimGrid routes a comm as it starts it and then fires its start: which comm got that route.
  on_comm_start([links](const void* comm) { links->comm_started(comm); });
  if (topo_.router->needs_link_load()) {
    zone->set_load_source([links](LinkId l) { return static_cast<double>(links->active(l)); });
  }

  res.steps.assign(work_.steps, StepRecord{});
  res.collectives.resize(prog.records);
  for (size_t pi = 0; pi < prog.programs.size(); ++pi) {
    for (const CompiledStream& st : prog.programs[pi].streams) {
      for (const CompiledCollective& c : st.coll) {
        CollectiveRecord& rec = res.collectives[c.record];
        rec.program = static_cast<uint32_t>(pi);
        rec.op = c.op;
        rec.alpha_s = prog.nets[work_.programs[pi].ops[c.op].family].alpha_s;
        rec.algorithm = std::string(c.algorithm->name());
        rec.protocol = c.protocol;
        rec.fidelity = c.fidelity;
        rec.channels = c.plan->nccl_channels > 0 ? c.plan->nccl_channels : c.plan->channels;
        rec.estimate_s = c.estimate_s * work_.programs[pi].ops[c.op].repeat;
      }
    }
  }
  ReplayShared shared;
  shared.prog = &prog;
  shared.result = &res;
  shared.timeline = opt_.timeline;
  shared.step_ops_done.assign(work_.steps, 0);
  for (const GroupFamily& f : work_.families) shared.family_class.push_back(time_class_of_dim(f.dim));
  shared.zone = zone;
  shared.ranks.assign(work_.ranks, nullptr);
  shared.reissue_delay_s = opt_.reissue_delay_s;
  for (const FailureEvent& e : opt_.failures) res.failures.push_back(FailureRecord{e});

  const double t_actors = wall_now();
  // The injector first: events at t = 0 apply before any rank starts its first op.
  spawn_failure_injector(shared, *zone, topo_, opt_.failures);
  for (uint32_t r = 0; r < work_.ranks; ++r) {
    if (prog.simulated(r)) sg4::Actor::create("rank" + std::to_string(r), zone->host(r), RankActor(&shared, r));
  }
  const double t1 = wall_now();
  res.actors_wall_s = t1 - t_actors;
  res.build_wall_s = t1 - t0;

  const uint64_t total_flows = prog.flows;
  double last_report = t1;
  if (opt_.progress != nullptr) {
    Progress* progress = opt_.progress;
    sg4::Engine::on_time_advance_cb([&, progress](double) {
      const double now = wall_now();
      if (now - last_report < 0.2) return;
      last_report = now;
      progress->update(ProgressInfo{sg4::Engine::get_clock(), now - t1, shared.flows_started, shared.flows_done,
                                    total_flows, shared.steps_done, work_.steps});
    });
  }
  engine->run();
  res.replay_wall_s = wall_now() - t1;
  res.sim_time_s = sg4::Engine::get_clock();
  res.flows = shared.flows_started;
  res.flows_cut = shared.flows_cut;
  res.route_calls = zone->route_calls();
  finalize_steps(res.steps);
  if (res.ok && shared.ranks_finished != prog.simulated_ranks) {
    res.ok = false;
    res.error = fmt::format("deadlock: {} of {} ranks did not finish", prog.simulated_ranks - shared.ranks_finished,
                            prog.simulated_ranks);
  }
  if (opt_.progress != nullptr) {
    opt_.progress->update(ProgressInfo{res.sim_time_s, res.replay_wall_s, shared.flows_started, shared.flows_done,
                                       total_flows, shared.steps_done, work_.steps});
  }
  return res;
}

}  // namespace gigasim
