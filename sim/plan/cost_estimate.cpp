#include "sim/plan/cost_estimate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <tuple>

#include "sim/core/memory_budget.hpp"

namespace gigasim {
namespace {

// The most flows one member sends in any phase of `plan`: a few members (roots and
// edges differ) over up to 256 phases spread across the plan.
uint64_t busiest_phase_sends(const CollectivePlan& plan, uint32_t group_size) {
  const uint32_t phases = plan.phases();
  const uint32_t stride = std::max(1U, phases / 256);
  std::vector<Transfer> out;
  uint64_t best = 0;
  for (const uint32_t pos : {0U, 1U, group_size / 2, group_size - 1}) {
    if (pos >= group_size) continue;
    for (uint32_t k = 0; k < phases; k += stride) {
      out.clear();
      plan.transfers(pos, k, out);
      uint64_t sends = 0;
      for (const Transfer& t : out) sends += t.send ? (t.flows > 0 ? t.flows : plan.channels) : 0;
      best = std::max(best, sends);
    }
  }
  return best;
}

uint64_t peak_flows_in_flight(const Workload& work, const RankProgram& prog) {
  // Phase shapes depend on the algorithm and the group, not on the bytes: many ops share one.
  using Key = std::tuple<const CollectiveAlgorithm*, uint32_t, Fidelity, Protocol, CollectiveKind, uint32_t>;
  std::map<Key, uint64_t> sends_of;
  uint64_t peak = 0;
  for (const CompiledProgram& cp : prog.programs) {
    for (size_t s = 0; s < cp.streams.size(); ++s) {
      const CompiledStream& st = cp.streams[s];
      uint64_t stream_peak = 0;
      for (const CompiledCollective& c : st.coll) {  // one collective at a time
        if (c.fidelity == Fidelity::kAnalytic) continue;
        const Op& op = cp.src->ops[c.op];
        const GroupFamily& f = work.families[op.family];
        const uint64_t members = std::min<uint64_t>(f.span, cp.ranks);
        const Key key{c.algorithm, op.family, c.fidelity, c.protocol, op.collective, op.channels};
        auto it = sends_of.find(key);
        if (it == sends_of.end()) it = sends_of.emplace(key, busiest_phase_sends(*c.plan, f.size)).first;
        stream_peak = std::max(stream_peak, it->second * members);
      }
      if (st.kind == StreamKind::kP2P) {  // every send of a step may be posted at once
        std::vector<uint64_t> per_step(work.steps, 0);
        for (uint32_t i : st.ops) {
          const Op& op = cp.src->ops[i];
          if (op.kind == OpKind::kSend) ++per_step[op.step];
        }
        stream_peak = *std::max_element(per_step.begin(), per_step.end()) * cp.ranks;
      }
      peak += stream_peak;
    }
  }
  return std::min(peak, prog.flows);
}

}  // namespace

uint32_t actor_stack_kib() {
  // As sim/replay/replay_engine.cpp sets contexts/stack-size.
  const char* s = std::getenv("GIGASIM_STACK_KIB");
  const long v = s != nullptr ? std::strtol(s, nullptr, 10) : 0;
  return v > 0 ? static_cast<uint32_t>(v) : 12;
}

RunEstimate estimate_run(const Topology& topo, const Workload& work, const RankProgram& prog, uint32_t extra_actors,
                         uint32_t replays) {
  RunEstimate e;
  e.gpus = topo.gpus;
  e.hosts = topo.gpus;
  e.links = topo.link_count() + 1;  // and the zone's "unreachable" link
  e.actors = uint64_t{prog.simulated_ranks} + extra_actors;  // folded ranks get no actor
  for (const Program& p : work.programs) e.ops += p.ops.size();
  e.fold = prog.fold;
  e.flows = prog.flows;  // of the folded program: what the engine starts
  e.peak_flows = peak_flows_in_flight(work, prog);
  e.replays = std::max(1U, replays);

  e.process_bytes = cost::kProcessBytes;
  e.topology_bytes = static_cast<double>(topo.nodes.size()) * cost::kNodeBytes +
                     static_cast<double>(topo.cables.size()) * cost::kCableBytes;
  e.platform_bytes = static_cast<double>(e.hosts) * cost::kHostBytes + static_cast<double>(e.links) * cost::kLinkBytes;
  e.actor_bytes = static_cast<double>(e.actors) * (actor_stack_kib() * 1024.0 + cost::kActorBytes);
  e.flow_bytes = static_cast<double>(e.peak_flows) * cost::kFlowBytes;
  e.program_bytes = static_cast<double>(e.ops) * cost::kOpBytes;

  // The result file, column by column (8-byte numbers; names as variable-length strings).
  uint64_t fabric_links = 0, collective_ops = 0;
  for (const Cable& c : topo.cables) fabric_links += c.kind == LinkKind::kNvLink ? 0 : 2;
  for (const Program& p : work.programs) {
    for (const Op& op : p.ops) collective_ops += op.kind == OpKind::kCollective;
  }
  e.result_bytes = 64.0 * 1024 + static_cast<double>(fabric_links) * (11 * 8 + 40) +
                   static_cast<double>(topo.nodes.size()) * (5 * 8 + 32) + static_cast<double>(collective_ops) * (24 * 8 + 48) +
                   static_cast<double>(work.steps) * 20 * 8;

  const double setup_s = static_cast<double>(e.links) * cost::kLinkWallS + static_cast<double>(e.actors) * cost::kActorWallS;
  const double flows = static_cast<double>(e.flows);
  e.wall_low_s = e.replays * (setup_s + flows * cost::kFlowWallLowS);
  e.wall_high_s = e.replays * (setup_s + flows * cost::kFlowWallHighS);
  return e;
}

std::string RunEstimate::detail() const {
  return fmt::format("{} actors, {} links, {} flows ({} in flight), {} ops", format_count(static_cast<double>(actors)),
                     format_count(static_cast<double>(links)), format_count(static_cast<double>(flows)),
                     format_count(static_cast<double>(peak_flows)), format_count(static_cast<double>(ops)));
}

}  // namespace gigasim
