#pragma once
// Goodput over a training run: how much of the elapsed time of a long job is useful training once
// interruptions, lost work, recovery and checkpoints are paid for (the effective training time
// ratio, ETTR). A job of G GPUs on ceil(G / gpus_per_node) servers trains; every
// `checkpoint_interval_s` of training it stalls `checkpoint_cost_s` to write a checkpoint. Each
// interruption loses the work since the last completed checkpoint and costs detection + (a wait
// for a spare server, when the cause needs one and none is free) + restart; interruptions also hit
// during checkpoints and recoveries. Two estimates, side by side:
//  - closed form (exponential failures, unlimited spares): Daly's exact expected time per
//    checkpoint segment, ETTR = tau / (M e^{R/M} (e^{(tau+delta)/M} - 1)), with the first-order
//    (tau/(tau+delta)) (1 - (R + (tau+delta)/2) / M) and the Young/Daly optimal interval;
//  - a Monte Carlo over replicas of `days` of elapsed time, O(interruptions) per replica,
//    reproducible bit for bit from the seed (mt19937_64 with our own transforms).
// Pure: no SimGrid, no HDF5.

#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/failures/failure_rates.hpp"

namespace gigasim {

struct GoodputInputs {
  uint64_t gpus = 0;
  uint32_t gpus_per_node = 8;
  FailureRates rates;
  /// Inter-arrival times of the job's interruptions: 1 = exponential (Poisson process), else a
  /// Weibull renewal process of this shape with the same mean (the closed form then only
  /// approximately holds).
  double weibull_shape = 1;
  double checkpoint_interval_s = 3600;  ///< training time between checkpoints
  double checkpoint_cost_s = 60;        ///< training stalls this long per checkpoint
  double detection_s = 0;               ///< from the interruption until the job knows
  double restart_s = 600;               ///< reschedule, reload the checkpoint, warm up
  std::optional<uint32_t> hot_spares;   ///< spare servers; nullopt: always one free
  double repair_s = 4 * 3600.0;         ///< a replaced server returns to the spare pool after this
  double step_time_s = 0;               ///< one training step; 0 when unknown (lost steps unknown)
  double days = 30;                     ///< elapsed time per replica
  uint32_t replicas = 100;
  uint64_t seed = 1;

  uint64_t nodes() const { return (gpus + gpus_per_node - 1) / gpus_per_node; }
  /// detection + restart: the downtime of an interruption that finds a spare.
  double recovery_s() const { return detection_s + restart_s; }
};

/// The job's interruption rates, per cause (in `FailureRates::causes()` order) and in total.
struct JobRates {
  std::vector<double> per_s;
  double total_per_s = 0;
  double mtbf_s() const { return total_per_s > 0 ? 1.0 / total_per_s : INFINITY; }
};
/// Cause c contributes rate_c / 1000 per day per node-equivalent: the job's servers, or
/// gpus / rates.gpus_per_node() for causes that scale with GPUs.
JobRates job_rates(const FailureRates& rates, uint64_t gpus, uint32_t gpus_per_node);

/// Daly's exact ETTR for exponential failures of mean `mtbf_s`, restart `recovery_s` (failures
/// may hit it, and it starts over), checkpoints of `cost_s` every `interval_s` of training.
double ettr_exponential(double mtbf_s, double interval_s, double cost_s, double recovery_s);
/// The first-order expansion (tau/(tau+delta)) (1 - (R + (tau+delta)/2) / M), floored at 0;
/// close to the exact form when tau + delta and R are small against M.
double ettr_first_order(double mtbf_s, double interval_s, double cost_s, double recovery_s);
/// Young's optimal interval sqrt(2 delta M).
double young_interval_s(double cost_s, double mtbf_s);
/// Daly's higher-order optimum sqrt(2 delta M) (1 + sqrt(delta/2M)/3 + delta/18M) - delta for
/// delta < 2M, else M.
double daly_interval_s(double cost_s, double mtbf_s);
/// The interval that maximizes ettr_exponential (it does not depend on the restart time).
double exact_optimal_interval_s(double cost_s, double mtbf_s);

/// `interval_s` rounded to a whole number (at least 1) of steps of `step_time_s`; unchanged when
/// step_time_s is 0.
double round_to_steps(double interval_s, double step_time_s);

struct ClosedForm {
  double mtbf_s = 0;
  double ettr = 0;                  ///< ettr_exponential at the inputs
  double ettr_first_order = 0;
  double young_interval_s = 0;
  double daly_interval_s = 0;
  double exact_optimal_interval_s = 0;
  double ettr_at_young = 0;         ///< ettr_exponential at the Young interval
  /// The model behind it matches the inputs: exponential failures and spares never missing.
  bool applies = false;
};
ClosedForm closed_form(const GoodputInputs& in);

/// Per cause, summed over replicas.
struct CauseTally {
  int64_t interruptions = 0;
  double lost_work_s = 0;   ///< training and checkpoint time thrown away
  double downtime_s = 0;    ///< detection, wait for a spare, restart (until done or interrupted)
};

struct MonteCarloResult {
  uint32_t replicas = 0;
  double horizon_s = 0;                 ///< elapsed time of one replica
  std::vector<double> ettr;             ///< per replica: useful training / elapsed
  std::vector<int64_t> interruptions;   ///< per replica
  std::vector<CauseTally> causes;       ///< per cause
  // Time, summed over replicas; useful + checkpoint + lost_work + downtime = replicas x horizon.
  double useful_s = 0;
  double checkpoint_s = 0;              ///< completed (and the last, cut by the horizon) checkpoints
  double lost_work_s = 0;
  double lost_training_s = 0;           ///< the training part of lost_work_s
  double downtime_s = 0;
  double spare_wait_s = 0;              ///< the part of downtime_s spent waiting for a spare
  int64_t checkpoints = 0;

  double ettr_mean() const;
  /// Half width of the 95 % confidence interval of ettr_mean (normal, 1.96 standard errors).
  double ettr_ci95() const;
  double interruptions_mean() const;
  double interruptions_variance() const;  ///< unbiased sample variance
};

/// Requires: gpus > 0, checkpoint_interval_s > 0, the other durations >= 0, replicas > 0,
/// days > 0, weibull_shape > 0. Work in progress at the end of a replica counts as useful (the
/// window ends, not the job); each replica starts right after a checkpoint.
MonteCarloResult monte_carlo(const GoodputInputs& in);

/// One point of an ETTR curve.
struct CurvePoint {
  uint64_t gpus = 0;
  double checkpoint_interval_s = 0;
  bool at_optimum = false;  ///< the interval is this size's Young interval
  double mtbf_s = 0;
  double ettr_monte_carlo = 0;
  double ettr_ci95 = 0;     ///< half width
  double ettr_closed_form = 0;
  double interruptions_mean = 0;
};

/// ETTR curves around `in`: the job of in.gpus at each of `intervals_s`; each of `sizes` at
/// in.checkpoint_interval_s and at its own Young interval; and in.gpus at its Young interval.
/// Intervals are rounded to whole steps when in.step_time_s is known. Sorted by (gpus, interval),
/// without duplicates. Every point is a Monte Carlo with in's seed, days and replicas (common
/// random numbers: the same failures at every interval of one size).
std::vector<CurvePoint> goodput_curve(const GoodputInputs& in, const std::vector<double>& intervals_s,
                                      const std::vector<uint64_t>& sizes);

/// One cause's share of a Monte Carlo, per replica (per `days` of elapsed time).
struct CauseSummary {
  const FailureCause* cause = nullptr;
  double job_rate_per_day = 0;         ///< interruptions per day of the whole job
  double interruptions = 0;            ///< mean per replica
  double interruptions_expected = 0;   ///< job_rate x days (Poisson mean)
  double lost_work_gpu_hours = 0;      ///< discarded training and checkpoint time x GPUs
  double downtime_gpu_hours = 0;       ///< detection, spare wait and restart x GPUs
  double lost_gpu_hours() const { return lost_work_gpu_hours + downtime_gpu_hours; }
};

/// Everything `gigasim goodput` reports: the inputs, the closed form, the Monte Carlo and the
/// optional curves.
struct GoodputEstimate {
  GoodputInputs inputs;
  JobRates rates;
  ClosedForm closed;
  MonteCarloResult mc;
  std::vector<CurvePoint> curve;

  /// A total over replicas (seconds of job time) as GPU-hours per replica.
  double gpu_hours(double total_s) const;
  std::vector<CauseSummary> causes() const;
  double interruptions_expected() const { return rates.total_per_s * mc.horizon_s; }
};

/// closed_form + monte_carlo at `in`, and goodput_curve when `intervals_s` or `sizes` is not empty.
GoodputEstimate estimate_goodput(const GoodputInputs& in, const std::vector<double>& intervals_s = {},
                                 const std::vector<uint64_t>& sizes = {});

}  // namespace gigasim
