// Every algorithm's plan against its own closed form, without SimGrid: on a uniform network
// (every pair alpha apart at bandwidth B) a lockstep evaluation of the plan's phases must give the
// closed form, in both fidelities, and bytes must be conserved.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cmath>

#include "sim/collectives/algorithms.hpp"
#include "sim/collectives/plan_support.hpp"

using namespace gigasim;

namespace {

GroupNet uniform(uint32_t members_per_server = 1, uint32_t n = 1) {
  GroupNet g;
  g.alpha_s = g.alpha_intra_s = g.alpha_inter_s = 2e-6;
  g.bw_Bps = g.bw_intra_Bps = g.bw_inter_Bps = 50e9;
  g.members_per_server = members_per_server;
  g.spans_servers = members_per_server < n;
  g.nvls = true;
  g.sharp = true;
  g.nics_per_server = 8;
  return g;
}

// Bytes all members send (or receive) over the whole plan.
double total_bytes(const CollectivePlan& p, uint32_t n, bool sent) {
  double s = 0;
  std::vector<Transfer> t;
  for (uint32_t k = 0; k < p.phases(); ++k) {
    for (uint32_t pos = 0; pos < n; ++pos) {
      t.clear();
      p.transfers(pos, k, t);
      for (const Transfer& x : t) s += x.send == sent ? x.bytes : 0;
    }
  }
  return s;
}

}  // namespace

TEST_CASE("plans match their closed forms in lockstep, both fidelities, every algorithm") {
  const Calibration& cal = Calibration::nccl();  // non-zero delays, base latencies, efficiencies
  int checked = 0;
  for (const CollectiveAlgorithm* a : collective_algorithms()) {
    for (CollectiveKind k : all_collective_kinds()) {
      for (uint32_t n : {2U, 4U, 8U, 16U, 64U}) {
        for (uint32_t mps : {1U, 4U}) {
          const GroupNet net = uniform(mps, n);
          for (double S : {4096.0, 64.0 * 1024 * 1024}) {
            CollectiveRequest r{k, n, S, 1, Fidelity::kStepwise, Protocol::kSimple, 1};
            if (!a->unsupported(r, net).empty() || !cal.get(std::string(a->name()), r.protocol).available) continue;
            const double closed = a->closed_form(r, net, cal);
            for (Fidelity f : {Fidelity::kStepwise, Fidelity::kCollapsed}) {
              r.fidelity = f;
              auto plan = a->plan(r, net, cal);
              // Channel rings, NVLSTree, CollNet, PXN, trees and direct exchanges over whole
              // servers load NVLink and the NICs at once.
              const bool media = a->name() == "ring" || a->name() == "nvls_tree" || a->name() == "collnet" ||
                                 (a->name() == "tree" && detail::whole_servers(n, net)) ||
                                 a->name() == "pxn" || (a->name() == "direct" && detail::whole_servers(n, net) &&
                                  k != CollectiveKind::kBroadcast && k != CollectiveKind::kReduce &&
                                  k != CollectiveKind::kSendRecv);
              const double lock = media ? detail::lockstep_time_by_medium(*plan, n, net)
                                        : detail::lockstep_time(*plan, n, net.alpha_s, net.bw_Bps);
              INFO(fmt::format("{} {} n={} per-server={} S={} {}", a->name(), to_string(k), n, mps, S, to_string(f)));
              CHECK(lock == doctest::Approx(closed).epsilon(1e-9));
              CHECK(total_bytes(*plan, n, true) == doctest::Approx(total_bytes(*plan, n, false)));
              ++checked;
            }
          }
        }
      }
    }
  }
  CHECK(checked > 200);
}

TEST_CASE("ring plans: bytes per flow and flows per member") {
  const Calibration& ideal = Calibration::ideal();
  const CollectiveAlgorithm* ring = find_collective_algorithm("ring");
  REQUIRE(ring != nullptr);
  const double S = 1 << 30;
  for (uint32_t n : {2U, 8U, 1024U}) {
    const GroupNet net = uniform(1, n);
    CollectiveRequest r{CollectiveKind::kAllReduce, n, S, 0, Fidelity::kStepwise, Protocol::kSimple, 1};
    auto step = ring->plan(r, net, ideal);
    CHECK(step->phases() == 2 * (n - 1));
    CHECK(step->flows_per_member == 2 * (n - 1));
    std::vector<Transfer> t;
    step->transfers(0, 0, t);
    REQUIRE(t.size() == 2);
    CHECK(t[0].bytes == doctest::Approx(S / n));
    r.fidelity = Fidelity::kCollapsed;
    auto coll = ring->plan(r, net, ideal);
    CHECK(coll->phases() == 1);
    CHECK(coll->flows_per_member == 1);
    t.clear();
    coll->transfers(0, 0, t);
    CHECK(t[0].bytes == doctest::Approx(2.0 * (n - 1) / n * S));
    CHECK(coll->tail_s == doctest::Approx((2.0 * (n - 1) - 1) * net.alpha_s));
  }
  // 2(n-1)/n S/B + 2(n-1) alpha
  CollectiveRequest r{CollectiveKind::kAllReduce, 8, 8e9, 0, Fidelity::kStepwise, Protocol::kSimple, 1};
  CHECK(ring->closed_form(r, uniform(1, 8), ideal) == doctest::Approx(2.0 * 7 / 8 * 8e9 / 50e9 + 14 * 2e-6));
}

TEST_CASE("tree over whole servers: channels on every NIC, NCCL's double binary tree per rail") {
  const Calibration& ideal = Calibration::ideal();
  const CollectiveAlgorithm& tree = tree_algorithm();
  const double S = 1 << 30;
  for (uint32_t servers : {2U, 5U, 8U, 16U}) {
    const uint32_t n = 8 * servers;
    GroupNet net = uniform(8, n);
    net.bw_intra_Bps = 450e9;  // NVLink 4: the chain is not the bottleneck
    CollectiveRequest r{CollectiveKind::kAllReduce, n, S, 0, Fidelity::kCollapsed, Protocol::kSimple, 16};
    auto plan = tree.plan(r, net, ideal);
    REQUIRE(plan->phases() == 1);
    CHECK(plan->nccl_channels == 16);
    // Every NIC carries traffic, and only to the same GPU of other servers (its rail).
    double nic_max = 0, nic_min = 1e300;
    std::vector<Transfer> t;
    for (uint32_t pos = 0; pos < n; ++pos) {
      t.clear();
      plan->transfers(pos, 0, t);
      double sent_net = 0;
      for (const Transfer& x : t) {
        if (x.peer / 8 == pos / 8) continue;
        CHECK(x.peer % 8 == pos % 8);
        if (x.send) sent_net += x.bytes;
      }
      nic_max = std::max(nic_max, sent_net);
      nic_min = std::min(nic_min, sent_net);
    }
    CHECK(nic_min > 0);
    // The busiest NIC (an inner node of one tree, 4 edges) sends 2S/m, a ring's bytes per NIC;
    // on two servers every node has one edge per tree: S/m.
    const double busiest = (servers == 2 ? 1.0 : 2.0) * S / 8;
    CHECK(nic_max == doctest::Approx(busiest));
    // With no overheads the time is the slower of the NICs and the NVLink chains (each GPU
    // sends about S(m-1)/m to each chain neighbour), plus the pipeline's fill (well under 1 ms).
    const double tree_s = tree.closed_form(r, net, ideal);
    const double wire_s = std::max(busiest / net.bw_inter_Bps, 2.0 * 7 / 8 * S / net.bw_intra_Bps);
    CHECK(tree_s > wire_s);
    CHECK(tree_s < wire_s + 3e-4);
  }
}

TEST_CASE("NVLS reduce-scatter and all-gather: the busiest NVLink direction carries S") {
  const Calibration& ideal = Calibration::ideal();
  GroupNet server = uniform(8, 8);
  for (CollectiveKind k : {CollectiveKind::kReduceScatter, CollectiveKind::kAllGather}) {
    CollectiveRequest r{k, 8, 1 << 30, 0, Fidelity::kCollapsed, Protocol::kSimple, 1};
    REQUIRE(nvls_algorithm().unsupported(r, server).empty());
    CHECK(nvls_algorithm().closed_form(r, server, ideal) == doctest::Approx(2e-6 + (1 << 30) / 50e9));
  }
}

TEST_CASE("algorithms say why they cannot serve a request") {
  const GroupNet net = uniform(8, 64);
  CollectiveRequest r{CollectiveKind::kAllReduce, 24, 1e6, 0, Fidelity::kStepwise, Protocol::kSimple, 1};
  CHECK(halving_doubling_algorithm().unsupported(r, net).find("power-of-two") != std::string::npos);
  CHECK(nvls_algorithm().unsupported(r, net).find("spans servers") != std::string::npos);
  r.kind = CollectiveKind::kAllToAll;
  CHECK(ring_algorithm().unsupported(r, net).find("does not implement alltoall") != std::string::npos);
  CHECK(tree_algorithm().unsupported(r, net).find("all_reduce only") != std::string::npos);
  r.n = 60;
  r.kind = CollectiveKind::kAllReduce;
  CHECK(hierarchical_algorithm().unsupported(r, net).find("whole servers") != std::string::npos);
}

TEST_CASE("NCCL-like selection: latency-bound small messages, bandwidth-bound large ones") {
  const Calibration& cal = Calibration::nccl();
  // One 8-GPU server with NVLS: large all-reduces take NVLS.
  GroupNet server = uniform(8, 8);
  server.bw_Bps = server.bw_intra_Bps = server.bw_inter_Bps = 450e9;
  CollectiveRequest r{CollectiveKind::kAllReduce, 8, 1 << 30, 0, Fidelity::kCollapsed, Protocol::kSimple, 1};
  Selection s = select_collective(r, server, cal, "auto");
  CHECK(s.algorithm->name() == "nvls");
  // Without NVLS a large one takes the ring, a tiny one a low-latency protocol.
  server.nvls = false;
  CHECK(select_collective(r, server, cal, "auto").algorithm->name() == "ring");
  r.bytes = 1024;
  CHECK(select_collective(r, server, cal, "auto").protocol != Protocol::kSimple);
  // 1,024 GPUs across servers without NVLS: small all-reduces take the tree (log n latency).
  GroupNet big = uniform(8, 1024);
  big.nvls = false;
  big.sharp = false;
  r.n = 1024;
  r.bytes = 64 * 1024;
  CHECK(select_collective(r, big, cal, "auto").algorithm->name() == "tree");
  // With NVLS switches they take NVLSTree (NVLink inside, a double binary tree across servers),
  // and with SHARP switches large ones go to the switches (CollNet) or stay on NVLSTree.
  big.nvls = true;
  CHECK(select_collective(r, big, cal, "auto").algorithm->name() == "nvls_tree");
  big.sharp = true;
  r.bytes = 8ULL << 30;
  const std::string_view large = select_collective(r, big, cal, "auto").algorithm->name();
  CHECK((large == "collnet" || large == "nvls_tree"));
  r.bytes = 64 * 1024;
  // On two servers a forced tree beats the ring (each NIC carries one edge per tree: half a
  // ring's bytes), but NCCL's tuner does not see that and keeps the ring for large messages.
  GroupNet two = uniform(8, 16);
  two.nvls = two.sharp = false;
  two.bw_intra_Bps = 450e9;
  CollectiveRequest big2{CollectiveKind::kAllReduce, 16, 4.0 * (1 << 30), 0, Fidelity::kCollapsed, Protocol::kSimple, 0};
  CHECK(tree_algorithm().closed_form(big2, two, cal) < ring_algorithm().closed_form(big2, two, cal));
  const Selection two_sel = select_collective(big2, two, cal, "auto");
  CHECK(two_sel.algorithm->name() == "ring");
  CHECK(two_sel.estimate_s == doctest::Approx(ring_algorithm().closed_form(
                                  CollectiveRequest{big2.kind, 16, big2.bytes, 0, Fidelity::kCollapsed, two_sel.protocol, 0},
                                  two, cal)));
  // An explicit algorithm that cannot serve the request says why.
  r.n = 24;
  CHECK_THROWS_WITH_AS(select_collective(r, big, cal, "halving_doubling"),
                       doctest::Contains("power-of-two"), std::invalid_argument);
}

TEST_CASE("nccl-tests bus bandwidth factors") {
  CHECK(busbw_factor(CollectiveKind::kAllReduce, 8) == doctest::Approx(1.75));
  CHECK(busbw_factor(CollectiveKind::kAllGather, 8) == doctest::Approx(0.875));
  CHECK(busbw_factor(CollectiveKind::kReduceScatter, 8) == doctest::Approx(0.875));
  CHECK(busbw_factor(CollectiveKind::kAllToAll, 8) == doctest::Approx(0.875));
  CHECK(busbw_factor(CollectiveKind::kBroadcast, 8) == doctest::Approx(1.0));
}
