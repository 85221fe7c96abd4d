// Double binary tree (NCCL's tree all-reduce).
//
// Flat groups (members on different servers one by one, or inside one server): two binary trees
// over the members, a heap-order tree A (parent (p-1)/2) and its mirror B (position p plays A's
// n-1-p), so every member is an inner node of one tree and a leaf of the other. Each tree reduces
// half the buffer up to its root, then broadcasts it down, pipelined in P chunks: node at depth d
// forwards chunk j at phase j + (D - d) on the way up and j + d on the way down, D the depth.
// Latency grows with log2(n) instead of n. Each sweep (up, then down) has D-1 fill phases in
// which only the deeper (shallower) levels have data, P-D+1 full phases in which every edge moves
// a chunk, and D-1 drain phases. Collapsed keeps the fill and drain phases as they are (they are
// where contention differs: few edges are busy) and merges the full phases into R rounds
// (R = min(P-D+1, 8, 8192/n)), every edge moving (P-D+1)/R chunks per round; the merged phases'
// latencies are added analytically. With P < D+R there is nothing to merge.
//
// Groups of whole servers, as NCCL runs them: C channels, channel c on NIC c mod m (m GPUs per
// server), the first half of the channels on tree 0 and the second half on tree 1 of NCCL's
// double binary tree over the servers (btree.hpp). Inside a server a channel is a chain over
// NVLink from its NIC's GPU (the head) through the others: the buffer is reduced up the chain to
// the head, which exchanges it with the channel's tree neighbours on its own NIC (to the same GPU
// of the neighbouring servers, on its rail), and the result comes back down the chain. So every
// NIC of a server carries its channels' share of every tree edge (S/C per channel and edge, each
// way) and every GPU sends to both chain neighbours about S(m-1)/m. All of it is pipelined in
// chunks: one phase in both fidelities, NVLink and NIC at once. A NIC moves at most
// channel_bw_net per channel, shared by its edges in proportion to their bytes. Latency: the
// first chunk crosses 2(m-1) chain hops and 2D tree levels (NCCL's tuning model:
// 2((m-1) intra + log2(s) inter) per-hop latencies).
#include <fmt/format.h>

#include <algorithm>

#include "sim/collectives/algorithms.hpp"
#include "sim/collectives/btree.hpp"
#include "sim/collectives/plan_support.hpp"

namespace gigasim {
namespace {

uint32_t depth_of(uint32_t p) {
  uint32_t d = 0;
  while (p > 0) p = (p - 1) / 2, ++d;
  return d;
}

class TreePlan final : public CollectivePlan {
 public:
  /// `rounds` 0: the stepwise P-chunk pipeline; otherwise its full phases merged into `rounds`.
  TreePlan(uint32_t n, uint32_t chunks, double chunk_wire, uint32_t rounds, double delay)
      : n_(n), p_(chunks), rounds_(rounds), chunk_(chunk_wire), delay_(delay), depth_(depth_of(n - 1)) {
    fill_ = depth_ > 0 ? depth_ - 1 : 0;
    if (rounds_ > 0) round_chunks_ = static_cast<double>(p_ - fill_) / rounds_;
  }

  /// Phases of one sweep (reduce up, or broadcast down).
  uint32_t sweep() const { return rounds_ > 0 ? 2 * fill_ + rounds_ : p_ + depth_ - 1; }
  uint32_t phases() const override { return n_ <= 1 ? 0 : 2 * sweep(); }

  void transfers(uint32_t pos, uint32_t t, std::vector<Transfer>& out) const override {
    const bool up = t < sweep();
    int64_t u = up ? t : t - sweep();  // the stepwise phase within the sweep
    double bytes = chunk_;
    bool full = false;
    if (rounds_ > 0) {
      if (u >= fill_ + rounds_) {
        u += p_ - fill_ - rounds_;  // drain
      } else if (u >= fill_) {
        full = true;
        bytes = chunk_ * round_chunks_;
      }
    }
    for (int tree = 0; tree < 2; ++tree) {
      // Position of this member in heap order for this tree, and back.
      const uint32_t h = tree == 0 ? pos : n_ - 1 - pos;
      auto member = [&](uint32_t heap) { return tree == 0 ? heap : n_ - 1 - heap; };
      const int64_t d = depth_of(h), D = depth_;
      const bool has_parent = h > 0;
      const uint32_t parent = has_parent ? member((h - 1) / 2) : 0;
      uint32_t kids[2];
      int nk = 0;
      for (uint32_t c : {2 * h + 1, 2 * h + 2}) {
        if (c < n_) kids[nk++] = member(c);
      }
      auto valid = [&](int64_t j) { return full || (j >= 0 && j < static_cast<int64_t>(p_)); };
      // Up: send chunk u-(D-d) to the parent, receive chunk u-(D-d)+1 from the kids.
      // Down: receive chunk u-d+1 from the parent, send chunk u-d to the kids.
      const bool to_parent = up ? valid(u - (D - d)) : valid(u - d + 1);
      const bool to_kids = up ? valid(u - (D - d) + 1) : valid(u - d);
      if (has_parent && to_parent) out.push_back(Transfer{parent, bytes, up});
      if (to_kids) {
        for (int k = 0; k < nk; ++k) out.push_back(Transfer{kids[k], bytes, !up});
      }
    }
  }
  double phase_delay_s(uint32_t) const override { return delay_; }

 private:
  uint32_t n_, p_, rounds_;
  double chunk_;
  double delay_;
  uint32_t depth_, fill_ = 0;
  double round_chunks_ = 1;
};

// Channels of tree `t` (0: the first half of the channels, 1: the second) whose NIC is `local`.
uint32_t tree_channels_at(uint32_t channels, uint32_t m, uint32_t local, int t) {
  const uint32_t half = (channels + 1) / 2;
  uint32_t k = 0;
  for (uint32_t c = t == 0 ? 0 : half; c < (t == 0 ? half : channels); ++c) k += c % m == local;
  return k;
}

// The tree over whole servers: what each NVLink chain hop and each tree edge carries.
struct TreeRailsShape {
  uint32_t m = 1, s = 1, channels = 1, depth = 0;
  bool tuner = false;        // NCCL's tuner's view: every NIC as busy as an inner node's (4 edges)
  double bytes = 0;          // S
  double eff = 1, eff_net = 1, channel_bw = 0;
  double latency_s = 0;      // the first chunk through the chains and tree levels, beyond one alpha
  double fill_s = 0;         // that chunk's transfer time through every stage

  uint32_t at(uint32_t local, int t) const { return tree_channels_at(channels, m, local, t); }
  uint32_t at(uint32_t local) const { return at(local, 0) + at(local, 1); }
  // NVLink bytes GPU `local` sends to its chain predecessor (up) and successor (down).
  double chain_up(uint32_t local) const { return bytes * (channels - at(local)) / channels / eff; }
  double chain_down(uint32_t local) const { return bytes * (channels - at((local + 1) % m)) / channels / eff; }
  // Wire bytes of one tree-t edge at NIC `local`, each way.
  double edge(uint32_t local, int t) const { return bytes * at(local, t) / channels / eff_net; }
  // Wire bytes NIC `local` of server `server` sends (= receives) over all its edges.
  double nic_bytes(uint32_t server, uint32_t local) const {
    if (tuner) return 2 * (edge(local, 0) + edge(local, 1));
    double b = 0;
    for (int t = 0; t < 2; ++t) {
      const detail::BtreeNode n = detail::dtree_node(s, server, t);
      b += edge(local, t) * ((n.up >= 0) + (n.down[0] >= 0) + (n.down[1] >= 0));
    }
    return b;
  }
  double nic_cap(uint32_t local) const { return channel_bw > 0 ? at(local) * channel_bw / eff_net : 0; }

  double time_s(const GroupNet& net) const {
    double nv = 0, nic = 0;
    for (uint32_t l = 0; l < m; ++l) nv = std::max(nv, chain_up(l) + chain_down(l));
    for (uint32_t i = 0; i < s; ++i) {
      for (uint32_t l = 0; l < m; ++l) {
        const double b = nic_bytes(i, l);
        if (b > 0) nic = std::max(nic, net.alpha_inter_s + detail::wire_time(b, net.bw_inter_Bps, nic_cap(l)));
      }
    }
    return latency_s + fill_s + std::max(net.alpha_intra_s + nv / net.bw_intra_Bps, nic);
  }
};

TreeRailsShape tree_rails_shape(const CollectiveRequest& r, const GroupNet& net, const detail::StepTerms& st,
                                uint32_t channels, double cal_chunk) {
  TreeRailsShape sh;
  sh.m = net.members_per_server;
  sh.s = r.n / sh.m;
  sh.channels = channels;
  sh.bytes = r.bytes;
  sh.eff = st.efficiency;
  sh.eff_net = st.efficiency_net;
  sh.channel_bw = st.channel_bw_net_Bps;
  while ((uint64_t{1} << sh.depth) < sh.s) ++sh.depth;
  const double hops_intra = 2.0 * (sh.m - 1), hops_inter = 2.0 * sh.depth;
  // One alpha of the bottleneck medium is charged by the flows themselves.
  sh.latency_s = hops_intra * (st.delay_intra_s + net.alpha_intra_s) +
                 hops_inter * (st.delay_inter_s + net.alpha_inter_s) - net.alpha_inter_s;
  const double chunk = std::min(cal_chunk, r.bytes / channels);
  sh.fill_s = hops_intra * chunk / st.efficiency / net.bw_intra_Bps +
              hops_inter * (sh.channel_bw > 0 ? chunk / sh.channel_bw : chunk / st.efficiency_net / net.bw_inter_Bps);
  return sh;
}

class TreeRailsPlan final : public CollectivePlan {
 public:
  TreeRailsPlan(TreeRailsShape sh, uint32_t paths) : sh_(sh), paths_(paths) {}
  uint32_t phases() const override { return 1; }
  void transfers(uint32_t pos, uint32_t, std::vector<Transfer>& out) const override {
    const uint32_t m = sh_.m, server = pos / m, local = pos % m;
    const uint32_t prev = server * m + (local + m - 1) % m, next = server * m + (local + 1) % m;
    // Up the chain to the predecessor, down it to the successor; and the mirror images.
    if (sh_.chain_up(local) > 0) out.push_back(Transfer{prev, sh_.chain_up(local), true, 1, 0});
    if (sh_.chain_down(local) > 0) out.push_back(Transfer{next, sh_.chain_down(local), true, 1, 0});
    const uint32_t lp = (local + m - 1) % m;
    if (sh_.chain_down(lp) > 0) out.push_back(Transfer{prev, sh_.chain_down(lp), false, 1, 0});
    const uint32_t ln = (local + 1) % m;
    if (sh_.chain_up(ln) > 0) out.push_back(Transfer{next, sh_.chain_up(ln), false, 1, 0});
    const double total = sh_.nic_bytes(server, local), cap = sh_.nic_cap(local);
    for (int t = 0; t < 2; ++t) {
      const double e = sh_.edge(local, t);
      if (e <= 0) continue;
      const uint16_t flows = static_cast<uint16_t>(std::max(1U, std::min(sh_.at(local, t), paths_)));
      const double rate = cap > 0 ? cap * e / total : 0;
      const detail::BtreeNode b = detail::dtree_node(sh_.s, server, t);
      for (int64_t peer : {b.up, b.down[0], b.down[1]}) {
        if (peer < 0) continue;
        const uint32_t p = static_cast<uint32_t>(peer) * m + local;
        out.push_back(Transfer{p, e, true, flows, rate});
        out.push_back(Transfer{p, e, false, flows, rate});
      }
    }
  }

 private:
  TreeRailsShape sh_;
  uint32_t paths_;
};

constexpr uint32_t kCollapsedRounds = 8;

class Tree final : public CollectiveAlgorithm {
 public:
  std::string_view name() const override { return "tree"; }
  std::string_view description() const override {
    return "NCCL's double binary tree (log-depth latency); over whole servers a chain inside, channels on every NIC";
  }
  std::string unsupported(const CollectiveRequest& r, const GroupNet&) const override {
    if (r.kind != CollectiveKind::kAllReduce) {
      return fmt::format("tree implements all_reduce only (NCCL uses ring for {})", to_string(r.kind));
    }
    return "";
  }

  std::unique_ptr<CollectivePlan> plan(const CollectiveRequest& r, const GroupNet& net,
                                       const Calibration& cal) const override {
    const auto st = detail::step_terms(cal, name(), r.protocol);
    if (detail::whole_servers(r.n, net)) {
      const uint32_t channels = detail::channels_of(r, net, cal);
      const TreeRailsShape sh = tree_rails_shape(r, net, st, channels, cal.chunk_bytes());
      auto p = std::make_unique<TreeRailsPlan>(sh, net.paths_per_pair);
      p->tail_s = st.base_s + sh.latency_s + sh.fill_s;
      p->fidelity = r.fidelity;
      p->protocol = r.protocol;
      p->channels = 1;
      p->nccl_channels = channels;
      p->flows_per_member = 2 + 4 * uint64_t{detail::net_flows(std::max(sh.at(0, 0), sh.at(0, 1)), net)};
      return p;
    }
    const double delay = st.delay(net.spans_servers);
    const uint32_t P = detail::pipeline_chunks(r.bytes / 2, cal);
    const double chunk = r.bytes / 2 / P / st.efficiency;
    // Fewer rounds for big groups: every round is n flows in one sharing component.
    const uint32_t fill = r.n > 1 ? depth_of(r.n - 1) - 1 : 0;
    const uint32_t full = P > fill ? P - fill : 0;
    const uint32_t rounds = std::max(1U, std::min({full, kCollapsedRounds, 8192 / std::max(1U, r.n)}));
    const bool stepwise = r.fidelity == Fidelity::kStepwise || full <= rounds;
    auto p = std::make_unique<TreePlan>(r.n, P, chunk, stepwise ? 0 : rounds, delay);
    p->fidelity = r.fidelity;
    p->protocol = r.protocol;
    p->channels = std::max(1U, r.channels);
    p->flows_per_member = uint64_t{p->phases()} * 2 * p->channels;
    if (!stepwise) {
      // The full phases the rounds stand for, minus what the rounds take themselves.
      const double alpha = detail::flat_alpha(net), bw = detail::flat_bw(net);
      TreePlan pipelined(r.n, P, chunk, 0, delay);
      p->tail_s = std::max(0.0, pipeline_time(pipelined, r.n, alpha, bw) - pipeline_time(*p, r.n, alpha, bw));
    }
    if (r.n > 1) p->tail_s += st.base_s;
    return p;
  }

  double closed_form(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    if (r.n <= 1) return 0;
    const auto st = detail::step_terms(cal, name(), r.protocol);
    if (detail::whole_servers(r.n, net)) {
      return st.base_s + tree_rails_shape(r, net, st, detail::channels_of(r, net, cal), cal.chunk_bytes()).time_s(net);
    }
    const uint32_t P = detail::pipeline_chunks(r.bytes / 2, cal);
    TreePlan pipelined(r.n, P, r.bytes / 2 / P / st.efficiency, 0, st.delay(net.spans_servers));
    return st.base_s + pipeline_time(pipelined, r.n, detail::flat_alpha(net), detail::flat_bw(net));
  }
  // NCCL's tuner rates a tree's bandwidth as a fixed fraction of the ring's whatever the number
  // of servers; on two or three servers no node has four tree edges, so the tree's NICs carry
  // less than a ring's and a forced Tree beats Ring there (as NVLSTree does on two nodes), yet
  // NCCL does not choose it. Rank it as the tuner sees it: every NIC as busy as an inner node's.
  double tuner_estimate(const CollectiveRequest& r, const GroupNet& net, const Calibration& cal) const override {
    if (r.n <= 1 || !detail::whole_servers(r.n, net)) return closed_form(r, net, cal);
    const auto st = detail::step_terms(cal, name(), r.protocol);
    TreeRailsShape sh = tree_rails_shape(r, net, st, detail::channels_of(r, net, cal), cal.chunk_bytes());
    sh.tuner = true;
    return st.base_s + sh.time_s(net);
  }

 private:
  // Lockstep time of the pipelined schedule. Members with the same depths and child counts in
  // both trees behave alike, so one member of each class stands for all: O(n + phases x classes).
  static double pipeline_time(const TreePlan& plan, uint32_t n, double alpha, double bw) {
    std::vector<uint32_t> reps;
    std::vector<uint64_t> seen;
    for (uint32_t p = 0; p < n; ++p) {
      const uint32_t a = p, b = n - 1 - p;
      const uint64_t key = (uint64_t{depth_of(a)} << 40) | (uint64_t{depth_of(b)} << 20) |
                           (static_cast<uint64_t>((2 * a + 1 < n) + (2 * a + 2 < n)) << 2) |
                           static_cast<uint64_t>((2 * b + 1 < n) + (2 * b + 2 < n));
      if (std::find(seen.begin(), seen.end(), key) == seen.end()) seen.push_back(key), reps.push_back(p);
    }
    double total = plan.tail_s;
    std::vector<Transfer> t;
    for (uint32_t k = 0; k < plan.phases(); ++k) {
      double busiest = 0;
      bool any = false;
      for (uint32_t p : reps) {
        t.clear();
        plan.transfers(p, k, t);
        double in = 0, out = 0;
        for (const Transfer& x : t) (x.send ? out : in) += x.bytes, any = true;
        busiest = std::max({busiest, in, out});
      }
      total += plan.phase_delay_s(k) + (any ? alpha + busiest / bw : 0);
    }
    return total;
  }
};

}  // namespace

const CollectiveAlgorithm& tree_algorithm() {
  static const Tree a;
  return a;
}

}  // namespace gigasim
