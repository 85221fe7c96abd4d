// A data-parallel step against its closed form. Without overlap the step is forward + backward +
// every bucket's ring all-reduce back to back (+ optimizer). With overlap the step ends when the
// last bucket is reduced: max over buckets of (ready time) chained through the comm stream.
#include <doctest/doctest.h>

#include <cstdio>

#include "harness.hpp"

using namespace gigasim;
using namespace gigasim::test;

namespace {

void check(bool overlap, const char* fidelity) {
  const auto r = replay(fat_tree(8, 8, 2, 16, "1"),
                        fmt::format("kind: data_parallel\nsteps: 3\ncompute: {{forward: 2ms, backward: 4ms, optimizer: 0.5ms}}\n"
                                    "gradients: 100MiB\nbucket_size: 25MiB\noverlap: {}\nfidelity: {}\nalgorithm: ring\nchannels: 1\n",
                                    overlap ? "true" : "false", fidelity));
  REQUIRE(r.res.ok);
  const double MiB = 1024.0 * 1024;
  const double ar = ring_closed_form(r.topo, 64, 25 * MiB, 8);
  double expected;
  if (!overlap) {
    expected = 2e-3 + 4e-3 + 4 * ar + 0.5e-3;
  } else {
    // Bucket b is ready at 2ms + (b+1) ms; the comm stream is serial.
    double t = 0;
    for (int b = 0; b < 4; ++b) t = std::max(t, 2e-3 + (b + 1) * 1e-3) + ar;
    expected = std::max(t, 6e-3) + 0.5e-3;
  }
  for (const StepRecord& s : r.res.steps) {
    const double err = rel_err(s.duration(), expected);
    std::printf("data_parallel overlap=%d %s: step %.9g s, closed form %.9g s, error %+.2e\n", overlap, fidelity,
                s.duration(), expected, err);
    CHECK(std::fabs(err) < 1e-3);
  }
}

}  // namespace

TEST_CASE("dp_no_overlap_stepwise") { check(false, "stepwise"); }
TEST_CASE("dp_no_overlap_collapsed") { check(false, "collapsed"); }
TEST_CASE("dp_overlap_collapsed") { check(true, "collapsed"); }
