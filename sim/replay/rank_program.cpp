#include "sim/replay/rank_program.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "sim/core/error.hpp"

namespace gigasim {

GroupNet group_net(const GroupFamily& f, const Topology& topo) {
  GroupNet g;
  g.nvls = topo.nvls;
  if (f.size <= 1) return g;
  const double inf = std::numeric_limits<double>::infinity();
  g.bw_Bps = g.bw_intra_Bps = g.bw_inter_Bps = inf;
  auto visit = [&](uint32_t a, uint32_t b, bool ring) {
    const double lat = topo.path_latency(a, b), bw = topo.path_bandwidth(a, b);
    if (ring) g.alpha_s = std::max(g.alpha_s, lat), g.bw_Bps = std::min(g.bw_Bps, bw);
    if (topo.server_of(a) == topo.server_of(b)) {
      g.alpha_intra_s = std::max(g.alpha_intra_s, lat), g.bw_intra_Bps = std::min(g.bw_intra_Bps, bw);
    } else {
      g.alpha_inter_s = std::max(g.alpha_inter_s, lat), g.bw_inter_Bps = std::min(g.bw_inter_Bps, bw);
    }
  };
  for (uint32_t r = f.first(); r < f.end(); ++r) {
    visit(r, f.peer(r, 1), true);                   // ring neighbours
    visit(r, f.peer(r, f.size / 2), false);         // the far side of the group
  }
  // Members of rank 0's group in its server (groups are laid out alike).
  const uint32_t server0 = topo.server_of(f.member(f.first(), 0));
  uint32_t m = 0;
  while (m < f.size && topo.server_of(f.member(f.first(), m)) == server0) ++m;
  g.members_per_server = std::max(1U, m);
  g.spans_servers = g.members_per_server < f.size;
  if (g.bw_intra_Bps == inf) g.bw_intra_Bps = g.bw_inter_Bps, g.alpha_intra_s = g.alpha_inter_s;
  if (g.bw_inter_Bps == inf) g.bw_inter_Bps = g.bw_intra_Bps, g.alpha_inter_s = g.alpha_intra_s;
  if (g.bw_Bps == inf) g.bw_Bps = g.bw_inter_Bps;
  return g;
}

RankProgram RankProgram::compile(const Workload& work, const Topology& topo, const Calibration& cal) {
  RankProgram p;
  p.work = &work;
  p.step_op_count.assign(work.steps, 0);
  for (const GroupFamily& f : work.families) p.nets.push_back(group_net(f, topo));

  auto request = [&](const Op& op, Fidelity fid) {
    const GroupFamily& f = work.families[op.family];
    return CollectiveRequest{op.collective, f.size, op.bytes, op.root, fid, Protocol::kSimple, op.channels};
  };
  // Fidelity auto: stepwise unless the whole workload's auto collectives would exceed the budget.
  uint64_t stepwise_flows = 0;
  std::vector<Selection> chosen;
  for (uint32_t i = 0; i < work.ops.size(); ++i) {
    const Op& op = work.ops[i];
    GIGASIM_ASSERT(op.step < work.steps, "op step out of range");
    ++p.step_op_count[op.step];
    if (op.kind == OpKind::kCompute) {
      p.compute_ops.push_back(i);
      continue;
    }
    const GroupNet& net = p.nets[op.family];
    Selection sel;
    try {
      sel = select_collective(request(op, Fidelity::kCollapsed), net, cal, op.algorithm, op.protocol);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(SourceLocation{op.where.empty() ? "workload" : op.where, 0, 0},
                        fmt::format("{} '{}': {}", to_string(op.collective), op.label, e.what()));
    }
    chosen.push_back(sel);
    CompiledCollective c;
    c.op = i;
    c.algorithm = sel.algorithm;
    c.protocol = sel.protocol;
    c.estimate_s = sel.estimate_s;
    if (op.fidelity == "auto") {
      CollectiveRequest r = request(op, Fidelity::kStepwise);
      r.protocol = sel.protocol;
      stepwise_flows += sel.algorithm->plan(r, net, cal)->flows_per_member * work.families[op.family].span;
    }
    c.fidelity = op.fidelity == "stepwise" ? Fidelity::kStepwise : Fidelity::kCollapsed;
    p.comm.push_back(std::move(c));
  }
  const bool auto_stepwise = stepwise_flows <= kAutoStepwiseFlowLimit;
  for (CompiledCollective& c : p.comm) {
    const Op& op = work.ops[c.op];
    if (op.fidelity == "auto") c.fidelity = auto_stepwise ? Fidelity::kStepwise : Fidelity::kCollapsed;
    CollectiveRequest r = request(op, c.fidelity);
    r.protocol = c.protocol;
    c.plan = c.algorithm->plan(r, p.nets[op.family], cal);
    p.flows += c.plan->flows_per_member * work.families[op.family].span;
  }
  return p;
}

}  // namespace gigasim
