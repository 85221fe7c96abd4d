// Ring all-reduce on a non-blocking fat-tree against the α-β closed form
// T = 2(n-1)/n · S/B + 2(n-1)·α, with B the slowest ring hop's bandwidth and α the largest ring
// hop latency, for n from 2 to 1,024, stepwise and collapsed. One case per process.
// Groups of whole 8-GPU servers run NCCL's channel ring (here one channel, on NIC 0 of each
// server): its chunk pays the NIC route's latency on the s hops of n that cross servers and
// NVLink's on the others, so T = (k-1)·ᾱ + α_net + k·(S/n)/B_nic with k = 2(n-1) and
// ᾱ = ((n-s)·α_nvlink + s·α_net)/n.
#include <doctest/doctest.h>

#include <cstdio>

#include "harness.hpp"

using namespace gigasim;
using namespace gigasim::test;

namespace {

void check_ring(uint32_t n, const char* fidelity, uint32_t iterations = 1) {
  // 1,024 GPUs, 3 tiers of 16-port switches: rings of up to 8 GPUs stay on NVLink, up to 64 in a
  // leaf... and 1,024 cross pods. Same fabric for every n, so every path class is exercised.
  const double S = 256.0 * 1024 * 1024;
  const auto r = replay(fat_tree(128, 8, 3, 16, "[1, 1]"),
                        fmt::format("kind: collective\nop: all_reduce\nsize: 256MiB\nranks: {}\niterations: {}\n"
                                    "fidelity: {}\nalgorithm: ring\nchannels: 1\n",
                                    n, iterations, fidelity));
  REQUIRE(r.res.ok);
  REQUIRE(r.res.collectives.size() == iterations);
  const double expected = ring_closed_form(r.topo, n, S, 8);
  for (const CollectiveRecord& c : r.res.collectives) {
    const double sim = c.end_s - c.start_s;
    const double err = rel_err(sim, expected);
    std::printf("ring all_reduce n=%u %s: simulated %.9g s, closed form %.9g s, error %+.2e\n", n, fidelity, sim,
                expected, err);
    CHECK(std::fabs(err) < 1e-3);
  }
  // The zone is asked for a route exactly once per flow.
  CHECK(r.res.route_calls == r.res.flows);
}

}  // namespace

TEST_CASE("ring_n2_stepwise") { check_ring(2, "stepwise"); }
TEST_CASE("ring_n2_collapsed") { check_ring(2, "collapsed"); }
TEST_CASE("ring_n8_stepwise") { check_ring(8, "stepwise"); }
TEST_CASE("ring_n8_collapsed") { check_ring(8, "collapsed"); }
TEST_CASE("ring_n16_stepwise") { check_ring(16, "stepwise"); }
TEST_CASE("ring_n16_collapsed") { check_ring(16, "collapsed"); }
TEST_CASE("ring_n64_stepwise") { check_ring(64, "stepwise", 2); }
TEST_CASE("ring_n64_collapsed") { check_ring(64, "collapsed", 2); }
TEST_CASE("ring_n256_stepwise") { check_ring(256, "stepwise"); }
TEST_CASE("ring_n256_collapsed") { check_ring(256, "collapsed"); }
TEST_CASE("ring_n1024_stepwise") { check_ring(1024, "stepwise"); }
TEST_CASE("ring_n1024_collapsed") { check_ring(1024, "collapsed", 3); }
