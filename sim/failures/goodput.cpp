#include "sim/failures/goodput.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <random>

#include "sim/core/error.hpp"
#include "sim/core/hash.hpp"
#include "sim/failures/random.hpp"

namespace gigasim {

JobRates job_rates(const FailureRates& rates, uint64_t gpus, uint32_t gpus_per_node) {
  GIGASIM_ASSERT(gpus_per_node > 0, "gpus_per_node");
  const double nodes = static_cast<double>((gpus + gpus_per_node - 1) / gpus_per_node);
  const double gpu_nodes = static_cast<double>(gpus) / rates.gpus_per_node();
  JobRates j;
  for (const FailureCause& c : rates.causes()) {
    const double per_s = c.rate_per_1000_node_days / 1000.0 / 86400.0 * (c.per_gpu ? gpu_nodes : nodes);
    j.per_s.push_back(per_s);
    j.total_per_s += per_s;
  }
  return j;
}

double ettr_exponential(double mtbf_s, double interval_s, double cost_s, double recovery_s) {
  if (!std::isfinite(mtbf_s)) return interval_s / (interval_s + cost_s);
  // Expected elapsed time to complete one segment (interval + checkpoint) when failures restart
  // it and restarts R are themselves restarted by failures: M e^{R/M} (e^{(tau+delta)/M} - 1).
  const double segment = mtbf_s * std::exp(recovery_s / mtbf_s) * std::expm1((interval_s + cost_s) / mtbf_s);
  return interval_s / segment;
}

double ettr_first_order(double mtbf_s, double interval_s, double cost_s, double recovery_s) {
  const double x = interval_s + cost_s;
  return std::max(0.0, interval_s / x * (1 - (recovery_s + x / 2) / mtbf_s));
}

double young_interval_s(double cost_s, double mtbf_s) { return std::sqrt(2 * cost_s * mtbf_s); }

double daly_interval_s(double cost_s, double mtbf_s) {
  if (cost_s >= 2 * mtbf_s) return mtbf_s;
  const double r = cost_s / (2 * mtbf_s);
  return std::sqrt(2 * cost_s * mtbf_s) * (1 + std::sqrt(r) / 3 + r / 9) - cost_s;
}

double exact_optimal_interval_s(double cost_s, double mtbf_s) {
  if (!std::isfinite(mtbf_s)) return INFINITY;
  // ETTR ~ tau / expm1((tau + delta) / M) is unimodal in tau: golden-section search on log tau.
  const auto f = [&](double log_tau) {
    const double tau = std::exp(log_tau);
    return tau / std::expm1((tau + cost_s) / mtbf_s);
  };
  double a = std::log(mtbf_s) - 20, b = std::log(mtbf_s) + 5;
  const double g = (std::sqrt(5.0) - 1) / 2;
  double c = b - g * (b - a), d = a + g * (b - a);
  for (int i = 0; i < 200 && b - a > 1e-12; ++i) {
    if (f(c) > f(d)) {
      b = d;
    } else {
      a = c;
    }
    c = b - g * (b - a);
    d = a + g * (b - a);
  }
  return std::exp((a + b) / 2);
}

double round_to_steps(double interval_s, double step_time_s) {
  if (!(step_time_s > 0)) return interval_s;
  return std::max(1.0, std::round(interval_s / step_time_s)) * step_time_s;
}

ClosedForm closed_form(const GoodputInputs& in) {
  ClosedForm cf;
  const JobRates j = job_rates(in.rates, in.gpus, in.gpus_per_node);
  cf.mtbf_s = j.mtbf_s();
  const double tau = in.checkpoint_interval_s, delta = in.checkpoint_cost_s, r = in.recovery_s();
  cf.ettr = ettr_exponential(cf.mtbf_s, tau, delta, r);
  cf.ettr_first_order = ettr_first_order(cf.mtbf_s, tau, delta, r);
  cf.young_interval_s = young_interval_s(delta, cf.mtbf_s);
  cf.daly_interval_s = daly_interval_s(delta, cf.mtbf_s);
  cf.exact_optimal_interval_s = exact_optimal_interval_s(delta, cf.mtbf_s);
  cf.ettr_at_young = ettr_exponential(cf.mtbf_s, cf.young_interval_s, delta, r);
  bool needs_spares = false;
  for (const FailureCause& c : in.rates.causes()) needs_spares |= c.replace_node && c.rate_per_1000_node_days > 0;
  cf.applies = in.weibull_shape == 1 && (!in.hot_spares || !needs_spares);
  return cf;
}

namespace {

struct Failure {
  double time_s;
  size_t cause;
};

// The job's interruptions: a renewal process (Poisson when the shape is 1) with causes drawn in
// proportion to their rates. Each failure takes two draws, so the sequence of (time, cause) is
// the same whatever the checkpoint policy (common random numbers across a sweep).
class FailureStream {
 public:
  FailureStream(const GoodputInputs& in, const JobRates& j, uint64_t replica)
      : rng_(mix64(mix64(in.seed) ^ (replica + 0x9e3779b97f4a7c15ULL))),
        shape_(in.weibull_shape),
        mean_s_(j.mtbf_s()) {
    double cum = 0;
    if (j.total_per_s > 0) {
      for (double r : j.per_s) cumulative_.push_back(cum += r / j.total_per_s);
    }
  }
  Failure next() {
    t_ += renewal_interval(rng_, mean_s_, shape_);
    const double u = uniform01(rng_);
    size_t c = 0;
    while (c + 1 < cumulative_.size() && u >= cumulative_[c]) ++c;
    return {t_, c};
  }

 private:
  std::mt19937_64 rng_;
  double shape_, mean_s_;
  std::vector<double> cumulative_;
  double t_ = 0;
};

// The spare servers: a pool of free ones and the return times of those under repair.
class SparePool {
 public:
  explicit SparePool(std::optional<uint32_t> spares) : unlimited_(!spares), free_(spares.value_or(0)) {}
  // A replacement is asked for at `t`; returns when one is in place. The failed server goes to
  // repair and comes back after `repair_s`.
  double replace(double t, double repair_s) {
    if (unlimited_) return t;
    while (!repairing_.empty() && repairing_.top() <= t) {
      repairing_.pop();
      ++free_;
    }
    repairing_.push(t + repair_s);
    if (free_ > 0) {
      --free_;
      return t;
    }
    const double ready = repairing_.top();  // the first one back (maybe the failed one) goes to the job
    repairing_.pop();
    return ready;
  }

 private:
  bool unlimited_;
  uint32_t free_;
  std::priority_queue<double, std::vector<double>, std::greater<>> repairing_;
};

}  // namespace

MonteCarloResult monte_carlo(const GoodputInputs& in) {
  GIGASIM_ASSERT(in.gpus > 0 && in.checkpoint_interval_s > 0 && in.replicas > 0 && in.days > 0 &&
                     in.weibull_shape > 0,
                 "goodput inputs");
  const JobRates j = job_rates(in.rates, in.gpus, in.gpus_per_node);
  const double tau = in.checkpoint_interval_s, delta = in.checkpoint_cost_s, cycle = tau + delta;
  const double horizon = in.days * 86400.0;
  MonteCarloResult mc;
  mc.replicas = in.replicas;
  mc.horizon_s = horizon;
  mc.causes.resize(in.rates.causes().size());
  for (uint32_t rep = 0; rep < in.replicas; ++rep) {
    FailureStream failures(in, j, rep);
    SparePool spares(in.hot_spares);
    Failure f = j.total_per_s > 0 ? failures.next() : Failure{INFINITY, 0};
    double useful = 0, resume = 0;
    int64_t count = 0;
    for (;;) {
      // Training from `resume` (right after a checkpoint) until the next failure or the end.
      const double stop = std::min(f.time_s, horizon);
      const double cycles = std::floor((stop - resume) / cycle);
      const double into = (stop - resume) - cycles * cycle;  // into the current segment
      useful += cycles * tau;
      mc.checkpoint_s += cycles * delta;
      mc.checkpoints += static_cast<int64_t>(cycles);
      if (f.time_s >= horizon) {
        useful += std::min(into, tau);
        mc.checkpoint_s += std::max(0.0, into - tau);
        break;
      }
      mc.causes[f.cause].lost_work_s += into;
      mc.lost_training_s += std::min(into, tau);
      // Recover; a failure during the recovery starts a new one (its own detection and restart).
      bool recovered = false;
      for (;;) {
        ++count;
        ++mc.causes[f.cause].interruptions;
        const bool replace = in.rates.causes()[f.cause].replace_node;
        const double detected = f.time_s + in.detection_s;
        const double start = replace ? spares.replace(detected, in.repair_s) : detected;
        const double done = start + in.restart_s;
        const Failure next = failures.next();
        const double cut = std::min({done, next.time_s, horizon});
        mc.causes[f.cause].downtime_s += cut - f.time_s;
        mc.spare_wait_s += std::max(0.0, std::min(start, cut) - detected);
        const bool interrupted = next.time_s < done && next.time_s < horizon;
        f = next;
        if (interrupted) continue;
        recovered = done < horizon;
        resume = done;
        break;
      }
      if (!recovered) break;
    }
    mc.useful_s += useful;
    mc.ettr.push_back(useful / horizon);
    mc.interruptions.push_back(count);
  }
  for (const CauseTally& c : mc.causes) {
    mc.lost_work_s += c.lost_work_s;
    mc.downtime_s += c.downtime_s;
  }
  return mc;
}

double MonteCarloResult::ettr_mean() const {
  double s = 0;
  for (double e : ettr) s += e;
  return ettr.empty() ? 0 : s / static_cast<double>(ettr.size());
}

double MonteCarloResult::ettr_ci95() const {
  const size_t n = ettr.size();
  if (n < 2) return 0;
  const double m = ettr_mean();
  double ss = 0;
  for (double e : ettr) ss += (e - m) * (e - m);
  return 1.96 * std::sqrt(ss / static_cast<double>(n - 1) / static_cast<double>(n));
}

double MonteCarloResult::interruptions_mean() const {
  double s = 0;
  for (int64_t c : interruptions) s += static_cast<double>(c);
  return interruptions.empty() ? 0 : s / static_cast<double>(interruptions.size());
}

double MonteCarloResult::interruptions_variance() const {
  const size_t n = interruptions.size();
  if (n < 2) return 0;
  const double m = interruptions_mean();
  double ss = 0;
  for (int64_t c : interruptions) ss += (static_cast<double>(c) - m) * (static_cast<double>(c) - m);
  return ss / static_cast<double>(n - 1);
}

std::vector<CurvePoint> goodput_curve(const GoodputInputs& in, const std::vector<double>& intervals_s,
                                      const std::vector<uint64_t>& sizes) {
  std::vector<CurvePoint> points;
  const auto add = [&](uint64_t gpus, std::optional<double> interval_s) {
    GoodputInputs p = in;
    p.gpus = gpus;
    const double mtbf_s = job_rates(p.rates, gpus, p.gpus_per_node).mtbf_s();
    p.checkpoint_interval_s = round_to_steps(interval_s ? *interval_s : young_interval_s(p.checkpoint_cost_s, mtbf_s),
                                             p.step_time_s);
    for (const CurvePoint& q : points) {
      if (q.gpus == gpus && q.checkpoint_interval_s == p.checkpoint_interval_s && q.at_optimum == !interval_s) return;
    }
    const MonteCarloResult mc = monte_carlo(p);
    points.push_back({gpus, p.checkpoint_interval_s, !interval_s, mtbf_s, mc.ettr_mean(), mc.ettr_ci95(),
                      ettr_exponential(mtbf_s, p.checkpoint_interval_s, p.checkpoint_cost_s, p.recovery_s()),
                      mc.interruptions_mean()});
  };
  for (double t : intervals_s) add(in.gpus, t);
  for (uint64_t g : sizes) {
    add(g, in.checkpoint_interval_s);
    add(g, std::nullopt);
  }
  if (!intervals_s.empty() || !sizes.empty()) add(in.gpus, std::nullopt);
  std::sort(points.begin(), points.end(), [](const CurvePoint& a, const CurvePoint& b) {
    return a.gpus != b.gpus ? a.gpus < b.gpus
           : a.checkpoint_interval_s != b.checkpoint_interval_s ? a.checkpoint_interval_s < b.checkpoint_interval_s
                                                                : a.at_optimum < b.at_optimum;
  });
  return points;
}

double GoodputEstimate::gpu_hours(double total_s) const {
  return total_s / mc.replicas * static_cast<double>(inputs.gpus) / 3600.0;
}

std::vector<CauseSummary> GoodputEstimate::causes() const {
  std::vector<CauseSummary> out;
  for (size_t c = 0; c < mc.causes.size(); ++c) {
    const CauseTally& t = mc.causes[c];
    CauseSummary s;
    s.cause = &inputs.rates.causes()[c];
    s.job_rate_per_day = rates.per_s[c] * 86400.0;
    s.interruptions = static_cast<double>(t.interruptions) / mc.replicas;
    s.interruptions_expected = rates.per_s[c] * mc.horizon_s;
    s.lost_work_gpu_hours = gpu_hours(t.lost_work_s);
    s.downtime_gpu_hours = gpu_hours(t.downtime_s);
    out.push_back(s);
  }
  return out;
}

GoodputEstimate estimate_goodput(const GoodputInputs& in, const std::vector<double>& intervals_s,
                                 const std::vector<uint64_t>& sizes) {
  GoodputEstimate e;
  e.inputs = in;
  e.rates = job_rates(in.rates, in.gpus, in.gpus_per_node);
  e.closed = closed_form(in);
  e.mc = monte_carlo(in);
  if (!intervals_s.empty() || !sizes.empty()) e.curve = goodput_curve(in, intervals_s, sizes);
  return e;
}

}  // namespace gigasim
