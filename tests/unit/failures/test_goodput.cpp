// The goodput model: the default failure-rate table, the closed forms, and the Monte Carlo against
// them (ETTR within 2 %, interruption counts Poisson with mean nodes x rate x time, determinism).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>

#include "sim/core/error.hpp"
#include "sim/failures/goodput.hpp"

using namespace gigasim;

namespace {

GoodputInputs llama_like(uint64_t gpus) {
  GoodputInputs in;
  in.gpus = gpus;
  in.rates = FailureRates::single(3.79, "test");
  in.checkpoint_interval_s = 3600;
  in.checkpoint_cost_s = 60;
  in.restart_s = 600;
  in.days = 30;
  in.replicas = 100;
  return in;
}

}  // namespace

TEST_CASE("the default failure rates are Llama 3's 419 interruptions in 110,592 node-days") {
  const FailureRates& r = FailureRates::builtin();
  CHECK(r.gpus_per_node() == 8);
  REQUIRE(r.causes().size() == 6);
  CHECK(r.total_per_1000_node_days() == doctest::Approx(419.0 / 110.592));
  CHECK(r.total_per_1000_node_days() == doctest::Approx(3.79).epsilon(0.001));
  CHECK(r.causes()[0].name == "gpu");
  CHECK(r.causes()[0].per_gpu);
  CHECK(r.causes()[0].rate_per_1000_node_days == doctest::Approx(268.0 / 110.592));
  double counts = 0;
  for (const FailureCause& c : r.causes()) counts += c.rate_per_1000_node_days * 110.592;
  CHECK(counts == doctest::Approx(419));
  CHECK(r.scaled(2).total_per_1000_node_days() == doctest::Approx(2 * 419.0 / 110.592));
}

TEST_CASE("failure-rate tables are checked with file:line:col") {
  const auto parse = [](const char* text) { return FailureRates::parse(load_yaml_string(text, "rates.yaml")); };
  CHECK(parse("causes: [{name: a, rate: 1.5, per: node}]").total_per_1000_node_days() == doctest::Approx(1.5));
  CHECK_THROWS_WITH_AS(parse("causes: [{name: a, rate: 1, interruptions: 3}]"), doctest::Contains("either"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(parse("causes: [{name: a, rate: -1}]"), doctest::Contains("negative"), ConfigError);
  CHECK_THROWS_WITH_AS(parse("causes: [{name: a, interruptions: 3}]"), doctest::Contains("node_days"), ConfigError);
  CHECK_THROWS_WITH_AS(parse("causes: [{name: a, rate: 1, per: rack}]"), doctest::Contains("rates.yaml:1:"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(parse("causes: [{name: a, rate: 1}, {name: a, rate: 2}]"), doctest::Contains("twice"),
                       ConfigError);
}

TEST_CASE("job rates: servers for per-node causes, GPUs for per-GPU causes") {
  const FailureRates r = FailureRates::parse(
      load_yaml_string("gpus_per_node: 8\ncauses: [{name: g, rate: 2, per: gpu}, {name: n, rate: 1, per: node}]", "t"));
  const JobRates eight = job_rates(r, 16384, 8);
  CHECK(eight.total_per_s * 86400 == doctest::Approx(2048 * 3.0 / 1000));
  const JobRates four = job_rates(r, 16384, 4);  // twice the servers, the same GPUs
  CHECK(four.per_s[0] == doctest::Approx(eight.per_s[0]));
  CHECK(four.per_s[1] == doctest::Approx(2 * eight.per_s[1]));
  CHECK(job_rates(r, 9, 8).per_s[1] * 86400 == doctest::Approx(2 * 1.0 / 1000));  // ceil: 2 servers
}

TEST_CASE("closed forms: the first order is the exact form's expansion; Young/Daly optima") {
  const double m = 1e7, tau = 3600, delta = 60, r = 600;
  const double exact = ettr_exponential(m, tau, delta, r), first = ettr_first_order(m, tau, delta, r);
  CHECK(exact == doctest::Approx(first).epsilon(1e-5));
  CHECK(ettr_exponential(INFINITY, tau, delta, r) == doctest::Approx(tau / (tau + delta)));
  CHECK(young_interval_s(60, 11130) == doctest::Approx(std::sqrt(2 * 60 * 11130.0)));
  // Daly's correction: sqrt(2 dM) (1 + sqrt(d/2M)/3 + d/18M) - d.
  CHECK(daly_interval_s(60, 11130) ==
        doctest::Approx(std::sqrt(2 * 60 * 11130.0) * (1 + std::sqrt(60 / 22260.0) / 3 + 60 / 200340.0) - 60));
  CHECK(daly_interval_s(100, 10) == 10);
}

TEST_CASE("the Young/Daly interval (nearly) maximizes the closed-form ETTR") {
  for (const double m : {1800.0, 11130.0, 178000.0}) {
    const double delta = 60, r = 600;
    const double opt = exact_optimal_interval_s(delta, m);
    const double best = ettr_exponential(m, opt, delta, r);
    // The exact optimum is a maximum...
    for (const double f : {0.5, 0.9, 0.99, 1.01, 1.1, 2.0}) CHECK(ettr_exponential(m, opt * f, delta, r) <= best);
    // ... which Daly's interval finds within 2 %, and at which Young's loses under 0.2 % of ETTR.
    const double young = young_interval_s(delta, m), daly = daly_interval_s(delta, m);
    std::printf("M %8.0f s: optimum %7.1f s, Daly %7.1f s, Young %7.1f s; ETTR %.5f, at Young %.5f\n", m, opt, daly,
                young, best, ettr_exponential(m, young, delta, r));
    CHECK(daly == doctest::Approx(opt).epsilon(0.02));
    CHECK(ettr_exponential(m, young, delta, r) >= best * 0.998);
    // The closed form falls off on both sides of Young's interval.
    CHECK(ettr_exponential(m, young, delta, r) > ettr_exponential(m, young / 3, delta, r));
    CHECK(ettr_exponential(m, young, delta, r) > ettr_exponential(m, young * 3, delta, r));
  }
}

TEST_CASE("Monte Carlo ETTR agrees with the closed form within 2 %") {
  for (const uint64_t gpus : {1024ull, 16384ull, 100000ull}) {
    GoodputInputs in = llama_like(gpus);
    if (gpus == 100000) in.checkpoint_interval_s = 600;  // MTBF 30 min: a 1 h interval would be absurd
    const ClosedForm cf = closed_form(in);
    const MonteCarloResult mc = monte_carlo(in);
    const double err = mc.ettr_mean() / cf.ettr - 1;
    std::printf("%6llu GPUs, MTBF %6.0f s, interval %4.0f s: ETTR Monte Carlo %.4f +- %.4f, closed form %.4f "
                "(error %+.2f %%), first order %.4f\n",
                static_cast<unsigned long long>(gpus), cf.mtbf_s, in.checkpoint_interval_s, mc.ettr_mean(),
                mc.ettr_ci95(), cf.ettr, 100 * err, cf.ettr_first_order);
    CHECK(cf.applies);
    CHECK(std::fabs(err) < 0.02);
    // Tighter: within the Monte Carlo's own 95 % interval, widened for the end-of-window effect.
    CHECK(std::fabs(mc.ettr_mean() - cf.ettr) < 2 * mc.ettr_ci95() + 0.002);
    // Time is conserved: useful + checkpoints + lost work + downtime = elapsed.
    CHECK((mc.useful_s + mc.checkpoint_s + mc.lost_work_s + mc.downtime_s) ==
          doctest::Approx(mc.replicas * mc.horizon_s).epsilon(1e-9));
  }
  // Where the first-order expansion holds (interval and restart << MTBF), it agrees as well.
  const GoodputInputs small = llama_like(1024);
  CHECK(monte_carlo(small).ettr_mean() == doctest::Approx(closed_form(small).ettr_first_order).epsilon(0.02));
}

TEST_CASE("interruption counts are Poisson with mean nodes x rate x time") {
  GoodputInputs in = llama_like(16384);
  in.rates = FailureRates::builtin();
  in.replicas = 1000;
  const JobRates j = job_rates(in.rates, in.gpus, in.gpus_per_node);
  const MonteCarloResult mc = monte_carlo(in);
  const double expected = 2048 * FailureRates::builtin().total_per_1000_node_days() / 1000 * 30;
  CHECK(j.total_per_s * mc.horizon_s == doctest::Approx(expected));
  const double mean = mc.interruptions_mean(), var = mc.interruptions_variance();
  const double se = std::sqrt(expected / in.replicas);
  std::printf("interruptions per 30 days: mean %.2f (expected N r T = %.2f, %+.1f standard errors), variance %.1f "
              "(variance/mean %.3f)\n",
              mean, expected, (mean - expected) / se, var, var / mean);
  CHECK(std::fabs(mean - expected) < 4 * se);
  // Sample variance of a Poisson: relative standard error sqrt(2 / (n - 1)) = 4.5 % at n = 1000.
  CHECK(var / mean == doctest::Approx(1).epsilon(0.2));
  // Each cause is its own Poisson stream.
  for (size_t c = 0; c < mc.causes.size(); ++c) {
    const double exp_c = j.per_s[c] * mc.horizon_s, got = static_cast<double>(mc.causes[c].interruptions) / in.replicas;
    std::printf("  %-12s %7.2f per 30 days, expected %7.2f\n", in.rates.causes()[c].name.c_str(), got, exp_c);
    CHECK(std::fabs(got - exp_c) < 4 * std::sqrt(exp_c / in.replicas) + 1e-9);
  }
}

TEST_CASE("the Monte Carlo is reproducible bit for bit and depends on the seed") {
  GoodputInputs in = llama_like(16384);
  in.rates = FailureRates::builtin();
  in.replicas = 20;
  const MonteCarloResult a = monte_carlo(in), b = monte_carlo(in);
  CHECK(a.ettr == b.ettr);
  CHECK(a.interruptions == b.interruptions);
  CHECK(a.lost_work_s == b.lost_work_s);
  in.seed = 2;
  CHECK(monte_carlo(in).ettr != a.ettr);
  // Common random numbers: another interval sees the same interruptions.
  in.seed = 1;
  in.checkpoint_interval_s = 1200;
  CHECK(monte_carlo(in).interruptions == a.interruptions);
}

TEST_CASE("spares: none free means waiting for a repair; unlimited never waits") {
  GoodputInputs in = llama_like(16384);
  in.replicas = 20;
  const MonteCarloResult unlimited = monte_carlo(in);
  CHECK(unlimited.spare_wait_s == 0);
  in.hot_spares = 0;
  in.repair_s = 3600;
  const MonteCarloResult none = monte_carlo(in);
  CHECK(none.spare_wait_s > 0);
  CHECK(none.ettr_mean() < unlimited.ettr_mean());
  CHECK_FALSE(closed_form(in).applies);
  in.hot_spares = 50;  // far more than fail within a repair time (about 0.3 on average)
  CHECK(monte_carlo(in).ettr_mean() == doctest::Approx(unlimited.ettr_mean()).epsilon(1e-3));
}

TEST_CASE("Weibull inter-arrivals keep the mean rate") {
  GoodputInputs in = llama_like(16384);
  in.weibull_shape = 0.7;
  in.replicas = 400;
  const MonteCarloResult mc = monte_carlo(in);
  const double expected = job_rates(in.rates, in.gpus, in.gpus_per_node).total_per_s * mc.horizon_s;
  // A renewal process started fresh: the count's mean is close to T/M (within a few failures).
  std::printf("Weibull 0.7: %.1f interruptions per 30 days (exponential %.1f), variance/mean %.2f; ETTR %.4f vs "
              "exponential closed form %.4f\n",
              mc.interruptions_mean(), expected, mc.interruptions_variance() / mc.interruptions_mean(),
              mc.ettr_mean(), closed_form(in).ettr);
  CHECK(mc.interruptions_mean() == doctest::Approx(expected).epsilon(0.03));
  CHECK(mc.interruptions_variance() > 1.3 * mc.interruptions_mean());  // burstier than Poisson
  CHECK_FALSE(closed_form(in).applies);
}

TEST_CASE("checkpoint intervals round to whole steps; curves cover intervals and sizes") {
  CHECK(round_to_steps(3600, 7) == doctest::Approx(514 * 7));
  CHECK(round_to_steps(3, 7) == 7);
  CHECK(round_to_steps(3600, 0) == 3600);
  GoodputInputs in = llama_like(16384);
  in.replicas = 10;
  const std::vector<CurvePoint> c = goodput_curve(in, {600, 3600}, {1024});
  // 16384: two intervals + its optimum; 1024: the fixed interval (3600 s) + its optimum.
  REQUIRE(c.size() == 5);
  CHECK(c[0].gpus == 1024);
  int optima = 0;
  for (const CurvePoint& p : c) optima += p.at_optimum ? 1 : 0;
  CHECK(optima == 2);
}
