#include <doctest/doctest.h>

#include "sim/collectives/collective_algorithm.hpp"
#include "sim/collectives/ring.hpp"

using namespace gigasim;

TEST_CASE("ring plans: bytes per flow and flows per member") {
  const CollectiveAlgorithm* ring = find_collective_algorithm("ring");
  REQUIRE(ring != nullptr);
  const double S = 1 << 30;
  for (uint32_t n : {2U, 8U, 1024U}) {
    const FlowPlan step = ring->plan(CollectiveKind::kAllReduce, n, S, Fidelity::kStepwise);
    REQUIRE(step.phases.size() == 1);
    CHECK(step.phases[0].repeat == 2 * (n - 1));
    CHECK(step.phases[0].bytes == doctest::Approx(S / n));
    CHECK(step.flows_per_member() == 2 * (n - 1));
    CHECK(step.extra_latency_steps == 0);
    const FlowPlan coll = ring->plan(CollectiveKind::kAllReduce, n, S, Fidelity::kCollapsed);
    CHECK(coll.flows_per_member() == 1);
    CHECK(coll.phases[0].bytes == doctest::Approx(2.0 * (n - 1) / n * S));
    CHECK(coll.extra_latency_steps == 2 * (n - 1) - 1);
    // Same bytes on the wire either way.
    CHECK(coll.phases[0].bytes == doctest::Approx(step.phases[0].bytes * step.phases[0].repeat));
  }
  const FlowPlan ag = ring->plan(CollectiveKind::kAllGather, 8, S, Fidelity::kStepwise);
  CHECK(ag.phases[0].repeat == 7);
  CHECK(ring->plan(CollectiveKind::kAllReduce, 1, S, Fidelity::kStepwise).phases.empty());
}

TEST_CASE("ring closed form and nccl-tests bus bandwidth factors") {
  const RingAlgorithm ring;
  // 2(n-1)/n * S/B + 2(n-1) * alpha
  const double t = ring.closed_form(CollectiveKind::kAllReduce, 8, 8e9, 1e-6, 50e9);
  CHECK(t == doctest::Approx(2.0 * 7 / 8 * 8e9 / 50e9 + 14e-6));
  CHECK(busbw_factor(CollectiveKind::kAllReduce, 8) == doctest::Approx(1.75));
  CHECK(busbw_factor(CollectiveKind::kAllGather, 8) == doctest::Approx(0.875));
  // busbw of the ideal ring equals the link bandwidth when latency is negligible.
  const double big = ring.closed_form(CollectiveKind::kAllReduce, 64, 1e12, 0, 50e9);
  CHECK(1e12 / big * busbw_factor(CollectiveKind::kAllReduce, 64) == doctest::Approx(50e9));
}
