#include "sim/plan/rank_program.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "sim/core/error.hpp"

namespace gigasim {

GroupNet group_net(const GroupFamily& f, const Topology& topo) {
  GroupNet g;
  g.nvls = topo.nvls;
  g.sharp = topo.sharp;
  g.nics_per_server = std::max(1U, topo.gpus_per_server);
  g.paths_per_pair = std::max(1U, topo.router->paths_per_pair());
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
  // Members of rank 0's group in its server (groups are laid out alike).
  const uint32_t server0 = topo.server_of(f.member(f.first(), 0));
  uint32_t m = 0;
  while (m < f.size && topo.server_of(f.member(f.first(), m)) == server0) ++m;
  g.members_per_server = std::max(1U, m);
  for (uint32_t r = f.first(); r < f.end(); ++r) {
    visit(r, f.peer(r, 1), true);                   // ring neighbours
    visit(r, f.peer(r, f.size / 2), false);         // the far side of the group
    if (m < f.size) visit(r, f.peer(r, m), false);  // the same NIC of the next server (channel rings)
  }
  g.spans_servers = g.members_per_server < f.size;
  if (g.bw_intra_Bps == inf) g.bw_intra_Bps = g.bw_inter_Bps, g.alpha_intra_s = g.alpha_inter_s;
  if (g.bw_inter_Bps == inf) g.bw_inter_Bps = g.bw_intra_Bps, g.alpha_inter_s = g.alpha_intra_s;
  if (g.bw_Bps == inf) g.bw_Bps = g.bw_inter_Bps;
  return g;
}

namespace {

ConfigError op_error(const Op& op, const std::string& what) {
  return ConfigError(SourceLocation{op.where.empty() ? "workload" : op.where, 0, 0},
                     fmt::format("op '{}' (step {}): {}", op.label, op.step, what));
}

bool stream_fits(OpKind op, StreamKind s) {
  switch (op) {
    case OpKind::kCompute: return s == StreamKind::kCompute;
    case OpKind::kCollective: return s == StreamKind::kCollective;
    case OpKind::kSend:
    case OpKind::kRecv: return s == StreamKind::kP2P;
  }
  return false;
}

// Checks what the actors rely on: ops on streams of their kind, families and deps in range,
// steps non-decreasing per stream, collective groups inside one program.
void check_program(const Workload& work, const Program& prog) {
  std::vector<uint32_t> per_stream(work.streams.size(), 0), last_step(work.streams.size(), 0);
  for (const Op& op : prog.ops) {
    if (op.stream >= work.streams.size()) throw op_error(op, fmt::format("stream {} does not exist", op.stream));
    if (!stream_fits(op.kind, work.streams[op.stream].kind)) {
      throw op_error(op, fmt::format("it cannot run on stream '{}'", work.streams[op.stream].name));
    }
    if (op.step >= work.steps) throw op_error(op, fmt::format("step {} is past the last step", op.step));
    if (op.step < last_step[op.stream]) throw op_error(op, "steps go backwards on its stream");
    last_step[op.stream] = op.step;
    ++per_stream[op.stream];
    if (op.kind != OpKind::kCompute) {
      if (op.family >= work.families.size()) throw op_error(op, fmt::format("group {} does not exist", op.family));
      if (!(op.bytes >= 0)) throw op_error(op, "bytes must be non-negative");
    }
    if (op.kind == OpKind::kCompute && !(op.seconds >= 0)) throw op_error(op, "seconds must be non-negative");
    if (op.repeat < 1) throw op_error(op, "repeat must be at least 1");
  }
  for (const Op& op : prog.ops) {
    for (const Dep& d : op.deps) {
      if (d.stream >= work.streams.size() || d.count > per_stream[d.stream]) {
        throw op_error(op, fmt::format("it waits for {} ops of stream {}, which has {}", d.count, d.stream,
                                       d.stream < work.streams.size() ? per_stream[d.stream] : 0));
      }
    }
  }
}

// Why ranks cannot be folded along `fold` ("" if they can).
std::string fold_obstacle(const Workload& work, const std::vector<GroupNet>& nets, const GroupFamily& fold,
                          uint32_t fold_index) {
  if (fold.size <= 1) return "the fold family has groups of one";
  if (fold.first() != 0 || fold.end() != work.ranks) return "the fold family does not cover every rank";
  if (work.program_family >= 0) {
    // The simulated rank runs its group's program: every member must run the same one.
    if (static_cast<uint32_t>(work.program_family) == fold_index) return "each fold position runs its own program";
    const GroupFamily& pf = work.families[static_cast<size_t>(work.program_family)];
    for (uint32_t r = 0; r < work.ranks; ++r) {
      if (pf.position(r) != pf.position(fold.member(r, 0))) return "the ranks of a fold group run different programs";
    }
  }
  const uint32_t r0 = fold.first();
  for (uint32_t fi = 0; fi < work.families.size(); ++fi) {
    if (fi == fold_index) continue;
    const GroupFamily& f = work.families[fi];
    if (f.size <= 1 || !f.contains(r0)) continue;
    for (uint32_t m = 0; m < f.size; ++m) {
      if (fold.position(f.member(r0, m)) != 0) return fmt::format("group '{}' mixes fold positions", f.name);
    }
  }
  for (const Program& prog : work.programs) {
    for (const Op& op : prog.ops) {
      if (op.kind == OpKind::kSend || op.kind == OpKind::kRecv) {
        if (fold.position(work.families[op.family].peer(r0, op.peer)) != 0) {
          return fmt::format("the transfers of '{}' cross fold positions", op.label);
        }
      } else if (op.kind == OpKind::kCollective && op.family == fold_index) {
        const bool local = op.nvlink_analytic && !nets[op.family].spans_servers;
        if (!local && op.fidelity != Fidelity::kAnalytic) {
          return fmt::format("collective '{}' over the fold family is simulated as flows", op.label);
        }
      }
    }
  }
  return "";
}

}  // namespace

std::vector<uint8_t> link_shares(const Topology& topo, const GroupFamily& fold) {
  // Positions below each node (bit i: fold position i), propagated up the tiers.
  std::vector<uint64_t> below(topo.nodes.size(), 0);
  for (uint32_t g = 0; g < topo.gpus && g < fold.end(); ++g) below[g] = uint64_t{1} << (fold.position(g) % 64);
  std::vector<uint8_t> share(topo.cables.size(), 1);
  for (uint32_t tier = 0; tier <= topo.tiers; ++tier) {
    for (uint32_t c = 0; c < topo.cables.size(); ++c) {
      const Cable& cab = topo.cables[c];
      if (topo.nodes[cab.a].tier != tier) continue;
      below[cab.b] |= below[cab.a];
      if (cab.kind == LinkKind::kFabric || cab.kind == LinkKind::kTrunk) {
        share[c] = static_cast<uint8_t>(std::max(1, __builtin_popcountll(below[cab.a])));
      }
    }
  }
  return share;
}

bool RankProgram::simulated(uint32_t rank) const {
  return fold <= 1 || work->families[static_cast<size_t>(fold_family)].position(rank) == 0;
}

RankProgram RankProgram::compile(const Workload& work, const Topology& topo, const Calibration& cal,
                                 bool allow_fold) {
  RankProgram p;
  p.work = &work;
  GIGASIM_ASSERT(!work.programs.empty(), "a workload has at least one program");
  p.step_total_ops.assign(work.steps, 0);
  for (const GroupFamily& f : work.families) p.nets.push_back(group_net(f, topo));

  // Ranks per program.
  p.programs.resize(work.programs.size());
  if (work.program_family >= 0) {
    const GroupFamily& pf = work.families.at(static_cast<size_t>(work.program_family));
    if (pf.first() != 0 || pf.end() != work.ranks || pf.size != work.programs.size()) {
      throw ConfigError(SourceLocation{"workload", 0, 0},
                        fmt::format("the program family '{}' must cover all {} ranks with one position per program",
                                    pf.name, work.ranks));
    }
    for (CompiledProgram& cp : p.programs) cp.ranks = work.ranks / pf.size;
  } else {
    p.programs[0].ranks = work.ranks;
  }
  if (work.fold_family >= 0) {
    const GroupFamily& fold = work.families.at(static_cast<size_t>(work.fold_family));
    std::vector<uint8_t> share = link_shares(topo, fold);
    const bool shared = std::any_of(share.begin(), share.end(), [](uint8_t n) { return n > 1; });
    // Ties are exact when every position's copy of a flow meets the same contention: always
    // when no link is shared, and under deterministic routing (d-mod-k, spraying). Hashed or
    // load-driven routing sends each copy its own way; folding then moves them in lockstep at
    // the slowest copy's rate: within 1 % on the 98k rail-optimized preset from 1k to 98k GPUs,
    // but +9.5 % on a small 2:1 radix-16 fabric (bench/README.md, tests/python/test_fast_path.py).
    const bool exact = !shared || topo.router->deterministic();
    p.fold_note = !allow_fold ? "the run injects failures"
                  : !exact && !work.fold_forced
                      ? fmt::format("{} routing hashes each position's flows its own way over shared links "
                                    "(fold: force folds anyway, within ~10 %)",
                                    topo.router->policy())
                      : fold_obstacle(work, p.nets, fold, static_cast<uint32_t>(work.fold_family));
    if (p.fold_note.empty()) {
      p.fold = fold.size;
      p.fold_family = work.fold_family;
      p.fold_exact = exact;
      p.link_share = std::move(share);
      for (CompiledProgram& cp : p.programs) cp.ranks /= p.fold;
    }
  }
  p.simulated_ranks = 0;
  for (const CompiledProgram& cp : p.programs) p.simulated_ranks += cp.ranks;

  auto request = [&](const Op& op, Fidelity fid) {
    const GroupFamily& f = work.families[op.family];
    return CollectiveRequest{op.collective, f.size, op.bytes, op.root, fid, Protocol::kSimple, op.channels,
                             op.nvlink_analytic};
  };
  // Fidelity auto: stepwise unless the whole workload's auto collectives would exceed the budget.
  uint64_t stepwise_flows = 0;
  for (size_t pi = 0; pi < work.programs.size(); ++pi) {
    const Program& src = work.programs[pi];
    CompiledProgram& cp = p.programs[pi];
    check_program(work, src);
    cp.src = &src;
    cp.step_op_count.assign(work.steps, 0);
    cp.streams.resize(work.streams.size());
    for (size_t s = 0; s < work.streams.size(); ++s) cp.streams[s].kind = work.streams[s].kind;
    for (uint32_t i = 0; i < src.ops.size(); ++i) {
      const Op& op = src.ops[i];
      ++cp.step_op_count[op.step];
      CompiledStream& st = cp.streams[op.stream];
      st.ops.push_back(i);
      if (op.kind != OpKind::kCollective) continue;
      const GroupFamily& fam = work.families[op.family];
      // Every member of a group runs the same program (checked on the first group).
      if (work.program_family >= 0 && fam.contains(fam.first())) {
        for (uint32_t m = 0; m < fam.size; ++m) {
          if (work.program_of(fam.member(fam.first(), m)) != work.program_of(fam.first())) {
            throw op_error(op, fmt::format("group '{}' spans ranks of different programs", fam.name));
          }
        }
      }
      const GroupNet& net = p.nets[op.family];
      Selection sel;
      try {
        sel = select_collective(request(op, Fidelity::kCollapsed), net, cal, op.algorithm, op.protocol);
      } catch (const std::invalid_argument& e) {
        throw ConfigError(SourceLocation{op.where.empty() ? "workload" : op.where, 0, 0},
                          fmt::format("{} '{}': {}", to_string(op.collective), op.label, e.what()));
      }
      CompiledCollective c;
      c.op = i;
      c.algorithm = sel.algorithm;
      c.protocol = sel.protocol;
      c.estimate_s = sel.estimate_s;
      c.record = p.records++;
      // A group inside one server with NVLink analytic has nothing to simulate.
      const bool local = op.nvlink_analytic && !p.nets[op.family].spans_servers;
      const uint64_t members = std::min<uint64_t>(fam.span, cp.ranks);
      if (!op.fidelity && !local) {
        CollectiveRequest r = request(op, Fidelity::kStepwise);
        r.protocol = sel.protocol;
        stepwise_flows += sel.algorithm->plan(r, net, cal)->flows_per_member * members * op.repeat;
      }
      c.fidelity = op.fidelity == Fidelity::kStepwise && !local   ? Fidelity::kStepwise
                   : op.fidelity == Fidelity::kAnalytic || local ? Fidelity::kAnalytic
                                                                 : Fidelity::kCollapsed;
      st.coll.push_back(std::move(c));
    }
    for (uint32_t s = 0; s < work.steps; ++s) p.step_total_ops[s] += uint64_t{cp.step_op_count[s]} * cp.ranks;
  }
  const bool auto_stepwise = stepwise_flows <= kAutoStepwiseFlowLimit;
  for (CompiledProgram& cp : p.programs) {
    for (CompiledStream& st : cp.streams) {
      for (CompiledCollective& c : st.coll) {
        const Op& op = cp.src->ops[c.op];
        if (!op.fidelity && c.fidelity != Fidelity::kAnalytic) {
          c.fidelity = auto_stepwise ? Fidelity::kStepwise : Fidelity::kCollapsed;
        }
        CollectiveRequest r = request(op, c.fidelity == Fidelity::kAnalytic ? Fidelity::kCollapsed : c.fidelity);
        r.protocol = c.protocol;
        c.plan = c.algorithm->plan(r, p.nets[op.family], cal);
        if (c.fidelity != Fidelity::kAnalytic) {
          c.fidelity = c.plan->fidelity;  // what the plan does (a ring over whole servers is one phase)
          const uint64_t members = std::min<uint64_t>(work.families[op.family].span, cp.ranks);
          p.flows += c.plan->flows_per_member * members * op.repeat;
        }
      }
    }
    for (const Op& op : cp.src->ops) {
      if (op.kind == OpKind::kSend) p.flows += cp.ranks;
    }
  }
  return p;
}

}  // namespace gigasim
