// `gigasim goodput --gpus N ...`: the effective training time ratio (ETTR) of a long training job
// under interruptions, by Monte Carlo and in closed form, with the Young/Daly checkpoint interval;
// optionally curves over checkpoint intervals and job sizes. The model is sim/failures/goodput.hpp.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "sim/cli/commands.hpp"
#include "sim/core/units.hpp"
#include "sim/failures/goodput.hpp"
#include "sim/replay/replay_engine.hpp"
#include "sim/results/goodput_writer.hpp"
#include "sim/results/h5.hpp"

namespace gigasim {
namespace {

struct GoodputOptions {
  uint64_t gpus = 0;
  uint32_t gpus_per_node = 8;
  double rate = -1;  // --failures-per-1000-node-days, when given
  std::string mtbf;
  std::string rates_file;
  double rate_scale = 1;
  double weibull_shape = 1;
  std::string interval = "1h";
  std::string cost = "1min";
  std::string detection = "0s";
  std::string restart = "10min";
  std::string spares = "unlimited";
  std::string repair = "4h";
  std::string step_time;
  std::string from_run;
  double days = 30;
  uint32_t replicas = 100;
  uint64_t seed = 1;
  std::string sweep_interval;
  std::string sweep_gpus;
  std::string output;
  bool json = false;
  bool rate_given = false;
};

double duration_arg(const std::string& flag, const std::string& text) {
  double v = 0;
  try {
    v = parse_duration(text);
  } catch (const UnitError& e) {
    throw ConfigError(fmt::format("{} {}: {}", flag, text, e.what()));
  }
  if (v < 0) throw ConfigError(fmt::format("{} {}: a duration cannot be negative", flag, text));
  return v;
}

double positive_duration_arg(const std::string& flag, const std::string& text) {
  const double v = duration_arg(flag, text);
  if (!(v > 0)) throw ConfigError(fmt::format("{} {}: must be positive", flag, text));
  return v;
}

// "A:B:N": N values from A to B, evenly spaced on a log scale; or "a,b,c".
template <class Parse>
std::vector<double> list_arg(const std::string& flag, const std::string& text, Parse parse) {
  std::vector<double> out;
  const auto colon = text.find(':');
  if (colon != std::string::npos) {
    const auto colon2 = text.find(':', colon + 1);
    if (colon2 == std::string::npos) {
      throw ConfigError(fmt::format("{} {}: expected FROM:TO:COUNT (e.g. 10min:4h:20) or a comma list", flag, text));
    }
    const double a = parse(text.substr(0, colon)), b = parse(text.substr(colon + 1, colon2 - colon - 1));
    const std::string n_text = text.substr(colon2 + 1);
    char* end = nullptr;
    const long n = std::strtol(n_text.c_str(), &end, 10);
    if (end == n_text.c_str() || *end != '\0' || n < 2 || n > 1000) {
      throw ConfigError(fmt::format("{} {}: COUNT must be a whole number from 2 to 1000", flag, text));
    }
    if (!(b > a)) throw ConfigError(fmt::format("{} {}: TO must be larger than FROM", flag, text));
    for (long i = 0; i < n; ++i) out.push_back(a * std::pow(b / a, static_cast<double>(i) / static_cast<double>(n - 1)));
    return out;
  }
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t comma = std::min(text.find(',', begin), text.size());
    out.push_back(parse(text.substr(begin, comma - begin)));
    begin = comma + 1;
  }
  return out;
}

uint64_t gpus_arg(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !(v >= 1) || v > 1e9) {
    throw ConfigError(fmt::format("{}: '{}' is not a GPU count (a whole number from 1)", flag, text));
  }
  return static_cast<uint64_t>(std::llround(v));
}

FailureRates rates_from(const GoodputOptions& o) {
  const int given = (o.rate_given ? 1 : 0) + (o.mtbf.empty() ? 0 : 1) + (o.rates_file.empty() ? 0 : 1);
  if (given > 1) throw ConfigError("give at most one of --failures-per-1000-node-days, --mtbf and --rates");
  if (!(o.rate_scale >= 0) || !std::isfinite(o.rate_scale)) {
    throw ConfigError(fmt::format("--rate-scale {}: must be a non-negative number", o.rate_scale));
  }
  FailureRates r = FailureRates::builtin();
  if (o.rate_given) {
    if (!(o.rate >= 0) || !std::isfinite(o.rate)) {
      throw ConfigError(fmt::format("--failures-per-1000-node-days {}: a failure rate cannot be negative", o.rate));
    }
    r = FailureRates::single(o.rate, fmt::format("--failures-per-1000-node-days {:g}", o.rate));
  } else if (!o.mtbf.empty()) {
    const double mtbf_s = positive_duration_arg("--mtbf", o.mtbf);
    r = FailureRates::single(1000.0 * 86400.0 / mtbf_s, fmt::format("--mtbf {} per node", o.mtbf));
  } else if (!o.rates_file.empty()) {
    r = FailureRates::load(o.rates_file);
  }
  return r.scaled(o.rate_scale);
}

double step_time_from(const GoodputOptions& o) {
  if (!o.step_time.empty() && !o.from_run.empty()) throw ConfigError("give --step-time or --from-run, not both");
  if (!o.step_time.empty()) return positive_duration_arg("--step-time", o.step_time);
  if (o.from_run.empty()) return 0;
  const auto v = h5::read_group_attr_double(o.from_run, "summary", "step_time_mean_s");
  if (!v) {
    throw ConfigError(SourceLocation{o.from_run, 0, 0},
                      "--from-run needs a gigasim run result with /summary/step_time_mean_s");
  }
  if (!(*v > 0)) {
    throw ConfigError(SourceLocation{o.from_run, 0, 0},
                      fmt::format("step_time_mean_s is {} (the run has no complete step)", *v));
  }
  return *v;
}

GoodputInputs inputs_from(const GoodputOptions& o) {
  GoodputInputs in;
  if (o.gpus < 1) throw ConfigError("--gpus: the job needs at least one GPU");
  if (o.gpus_per_node < 1) throw ConfigError("--gpus-per-node: at least 1");
  in.gpus = o.gpus;
  in.gpus_per_node = o.gpus_per_node;
  in.rates = rates_from(o);
  if (!(o.weibull_shape > 0) || !std::isfinite(o.weibull_shape) || o.weibull_shape > 100) {
    throw ConfigError(fmt::format("--weibull-shape {}: must be positive (1 = exponential)", o.weibull_shape));
  }
  in.weibull_shape = o.weibull_shape;
  in.step_time_s = step_time_from(o);
  in.checkpoint_cost_s = duration_arg("--checkpoint-cost", o.cost);
  in.detection_s = duration_arg("--detection-time", o.detection);
  in.restart_s = duration_arg("--restart-time", o.restart);
  in.repair_s = duration_arg("--repair-time", o.repair);
  if (o.spares != "unlimited") {
    char* end = nullptr;
    const long k = std::strtol(o.spares.c_str(), &end, 10);
    if (end == o.spares.c_str() || *end != '\0' || k < 0 || k > 1000000) {
      throw ConfigError(fmt::format("--hot-spares {}: a number of spare servers (0 or more) or 'unlimited'", o.spares));
    }
    in.hot_spares = static_cast<uint32_t>(k);
  }
  if (!(o.days > 0) || !std::isfinite(o.days)) throw ConfigError(fmt::format("--days {}: must be positive", o.days));
  if (o.replicas < 1) throw ConfigError("--replicas: at least 1");
  in.days = o.days;
  in.replicas = o.replicas;
  in.seed = o.seed;
  const double mtbf_s = job_rates(in.rates, in.gpus, in.gpus_per_node).mtbf_s();
  if (o.interval == "young" || o.interval == "optimal") {
    if (!std::isfinite(mtbf_s)) throw ConfigError("--checkpoint-interval young: the job never fails (no optimum)");
    in.checkpoint_interval_s = young_interval_s(in.checkpoint_cost_s, mtbf_s);
  } else {
    in.checkpoint_interval_s = positive_duration_arg("--checkpoint-interval", o.interval);
  }
  in.checkpoint_interval_s = round_to_steps(in.checkpoint_interval_s, in.step_time_s);
  return in;
}

// A guard against runaway inputs: the Monte Carlo costs about one event per interruption.
void check_cost(const GoodputInputs& in, size_t points) {
  const double events = job_rates(in.rates, in.gpus, in.gpus_per_node).total_per_s * in.days * 86400.0 *
                        in.replicas * static_cast<double>(points + 1);
  if (events > 2e8) {
    throw ConfigError(fmt::format("the Monte Carlo would simulate {:.3g} interruptions: lower --days or --replicas",
                                  events));
  }
}

std::string duration_text(double s) { return std::isfinite(s) ? format_duration(s) : "infinite"; }

nlohmann::ordered_json to_json(const GoodputEstimate& e) {
  const GoodputInputs& in = e.inputs;
  const ClosedForm& cf = e.closed;
  const MonteCarloResult& mc = e.mc;
  const double total = mc.replicas * mc.horizon_s;
  using nlohmann::ordered_json;
  ordered_json j;
  j["gpus"] = in.gpus;
  j["nodes"] = in.nodes();
  j["gpus_per_node"] = in.gpus_per_node;
  j["rates_source"] = in.rates.source();
  j["failures_per_1000_node_days"] = in.rates.total_per_1000_node_days();
  j["distribution"] = in.weibull_shape == 1 ? "exponential" : "weibull";
  j["weibull_shape"] = in.weibull_shape;
  j["checkpoint_interval_s"] = in.checkpoint_interval_s;
  j["checkpoint_cost_s"] = in.checkpoint_cost_s;
  j["detection_time_s"] = in.detection_s;
  j["restart_time_s"] = in.restart_s;
  j["hot_spares"] = in.hot_spares ? ordered_json(*in.hot_spares) : ordered_json(nullptr);
  j["repair_time_s"] = in.repair_s;
  j["step_time_s"] = in.step_time_s > 0 ? ordered_json(in.step_time_s) : ordered_json(nullptr);
  j["days"] = in.days;
  j["replicas"] = in.replicas;
  j["seed"] = in.seed;
  j["mtbf_s"] = std::isfinite(cf.mtbf_s) ? ordered_json(cf.mtbf_s) : ordered_json(nullptr);
  j["ettr_monte_carlo"] = mc.ettr_mean();
  j["ettr_monte_carlo_ci95"] = {mc.ettr_mean() - mc.ettr_ci95(), mc.ettr_mean() + mc.ettr_ci95()};
  j["ettr_closed_form"] = cf.ettr;
  j["ettr_first_order"] = cf.ettr_first_order;
  j["closed_form_applies"] = cf.applies;
  const auto finite = [](double v) { return std::isfinite(v) ? ordered_json(v) : ordered_json(nullptr); };
  j["optimal_checkpoint_interval_s"] = finite(cf.young_interval_s);
  j["optimal_checkpoint_interval_daly_s"] = finite(cf.daly_interval_s);
  j["optimal_checkpoint_interval_exact_s"] = finite(cf.exact_optimal_interval_s);
  j["ettr_closed_form_at_optimum"] = cf.ettr_at_young;
  j["interruptions"] = mc.interruptions_mean();
  j["interruptions_expected"] = e.interruptions_expected();
  j["interruptions_variance"] = mc.interruptions_variance();
  j["lost_gpu_hours"] = e.gpu_hours(mc.lost_work_s + mc.downtime_s);
  j["checkpoint_gpu_hours"] = e.gpu_hours(mc.checkpoint_s);
  j["lost_steps"] = in.step_time_s > 0 ? ordered_json(mc.lost_training_s / mc.replicas / in.step_time_s)
                                       : ordered_json(nullptr);
  j["time_fractions"] = {{"useful", mc.useful_s / total},
                         {"checkpoint", mc.checkpoint_s / total},
                         {"lost_work", mc.lost_work_s / total},
                         {"downtime", mc.downtime_s / total},
                         {"spare_wait", mc.spare_wait_s / total}};
  ordered_json causes = ordered_json::array();
  for (const CauseSummary& c : e.causes()) {
    causes.push_back({{"cause", c.cause->name},
                      {"rate_per_1000_node_days", c.cause->rate_per_1000_node_days},
                      {"per", c.cause->per_gpu ? "gpu" : "node"},
                      {"replace_node", c.cause->replace_node},
                      {"interruptions", c.interruptions},
                      {"interruptions_expected", c.interruptions_expected},
                      {"lost_gpu_hours", c.lost_gpu_hours()},
                      {"lost_work_gpu_hours", c.lost_work_gpu_hours},
                      {"downtime_gpu_hours", c.downtime_gpu_hours}});
  }
  j["causes"] = causes;
  if (!e.curve.empty()) {
    ordered_json curve = ordered_json::array();
    for (const CurvePoint& p : e.curve) {
      curve.push_back({{"gpus", p.gpus},
                       {"checkpoint_interval_s", p.checkpoint_interval_s},
                       {"at_optimum", p.at_optimum},
                       {"mtbf_s", p.mtbf_s},
                       {"ettr", p.ettr_monte_carlo},
                       {"ettr_ci95_low", p.ettr_monte_carlo - p.ettr_ci95},
                       {"ettr_ci95_high", p.ettr_monte_carlo + p.ettr_ci95},
                       {"ettr_closed_form", p.ettr_closed_form},
                       {"interruptions", p.interruptions_mean}});
    }
    j["curves"] = curve;
  }
  return j;
}

void print_report(const GoodputEstimate& e) {
  const GoodputInputs& in = e.inputs;
  const ClosedForm& cf = e.closed;
  const MonteCarloResult& mc = e.mc;
  const double total = mc.replicas * mc.horizon_s;
  const auto pct = [&](double s) { return 100.0 * s / total; };
  const std::string days = fmt::format("{:g} days", in.days);
  std::printf("gigasim goodput: %llu GPUs (%llu servers x %u), %u replicas x %s, seed %llu\n",
              static_cast<unsigned long long>(in.gpus), static_cast<unsigned long long>(in.nodes()), in.gpus_per_node,
              in.replicas, days.c_str(), static_cast<unsigned long long>(in.seed));
  std::printf("  failures     %.3g per 1,000 node-days (%s; %zu cause%s), %s\n",
              in.rates.total_per_1000_node_days(), in.rates.source().c_str(), in.rates.causes().size(),
              in.rates.causes().size() == 1 ? "" : "s",
              in.weibull_shape == 1 ? "exponential" : fmt::format("Weibull shape {:g}", in.weibull_shape).c_str());
  std::printf("               job MTBF %s: %.1f interruptions expected in %s\n", duration_text(cf.mtbf_s).c_str(),
              e.interruptions_expected(), days.c_str());
  const std::string steps =
      in.step_time_s > 0 ? fmt::format(" = {:.0f} steps of {}", in.checkpoint_interval_s / in.step_time_s,
                                       format_duration(in.step_time_s))
                         : "";
  std::printf("  checkpoint   every %s of training%s, %s each (training stalls)\n",
              format_duration(in.checkpoint_interval_s).c_str(), steps.c_str(),
              format_duration(in.checkpoint_cost_s).c_str());
  std::printf("  recovery     detection %s + restart %s; spares %s\n", format_duration(in.detection_s).c_str(),
              format_duration(in.restart_s).c_str(),
              in.hot_spares ? fmt::format("{} (repair {})", *in.hot_spares, format_duration(in.repair_s)).c_str()
                            : "unlimited");
  std::printf("  ETTR         Monte Carlo %.4f +- %.4f (95 %% CI) | closed form %.4f | first order %.4f\n",
              mc.ettr_mean(), mc.ettr_ci95(), cf.ettr, cf.ettr_first_order);
  const bool weibull = in.weibull_shape != 1, waited = mc.spare_wait_s > 0;
  if (weibull || waited) {
    std::printf("               (the closed form assumes exponential failures and a free spare at every failure;\n"
                "               here %s%s%s: it is only a reference)\n",
                weibull ? "inter-arrivals are Weibull" : "", weibull && waited ? " and " : "",
                waited ? "the job waited for spares" : "");
  }
  std::printf("  elapsed      useful %.1f %% | checkpoints %.1f %% | lost work %.1f %% | recovery %.1f %%%s\n",
              pct(mc.useful_s), pct(mc.checkpoint_s), pct(mc.lost_work_s), pct(mc.downtime_s),
              in.hot_spares ? fmt::format(" (waiting for a spare {:.1f} %)", pct(mc.spare_wait_s)).c_str() : "");
  if (std::isfinite(cf.young_interval_s)) {
    std::printf("  Young/Daly   checkpoint every %s (Daly %s, exact optimum %s): closed-form ETTR %.4f\n",
                format_duration(cf.young_interval_s).c_str(), format_duration(cf.daly_interval_s).c_str(),
                format_duration(cf.exact_optimal_interval_s).c_str(), cf.ettr_at_young);
  }
  std::printf("\n  %-12s %10s %5s %7s %13s %9s %15s\n", "cause", "rate", "per", "replace", "interruptions",
              "expected", "lost GPU-hours");
  std::printf("  %-12s %10s %5s %7s %13s %9s %15s\n", "", "/1k n-days", "", "server", fmt::format("/{}", days).c_str(),
              "", fmt::format("/{}", days).c_str());
  double lost = 0;
  for (const CauseSummary& c : e.causes()) {
    std::printf("  %-12s %10.3f %5s %7s %13.1f %9.1f %15.0f\n", c.cause->name.c_str(), c.cause->rate_per_1000_node_days,
                c.cause->per_gpu ? "gpu" : "node", c.cause->replace_node ? "yes" : "no", c.interruptions,
                c.interruptions_expected, c.lost_gpu_hours());
    lost += c.lost_gpu_hours();
  }
  std::printf("  %-12s %10.3f %5s %7s %13.1f %9.1f %15.0f\n", "total", in.rates.total_per_1000_node_days(), "", "",
              mc.interruptions_mean(), e.interruptions_expected(), lost);
  std::printf("  (lost = work since the last checkpoint + recovery downtime, x %llu GPUs; checkpoints cost %.0f more)\n",
              static_cast<unsigned long long>(in.gpus), e.gpu_hours(mc.checkpoint_s));
  if (!e.curve.empty()) {
    std::printf("\n  %8s %12s %21s %11s %s\n", "gpus", "interval", "ETTR Monte Carlo", "closed form", "");
    for (const CurvePoint& p : e.curve) {
      std::printf("  %8llu %12s %11.4f +- %.4f %11.4f %s\n", static_cast<unsigned long long>(p.gpus),
                  format_duration(p.checkpoint_interval_s).c_str(), p.ettr_monte_carlo, p.ettr_ci95,
                  p.ettr_closed_form, p.at_optimum ? "<- Young/Daly" : "");
    }
  }
}

void goodput_command(const GoodputOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const GoodputInputs in = inputs_from(o);
  std::vector<double> intervals;
  if (!o.sweep_interval.empty()) {
    intervals = list_arg("--sweep-interval", o.sweep_interval,
                         [](const std::string& t) { return positive_duration_arg("--sweep-interval", t); });
  }
  std::vector<uint64_t> sizes;
  if (!o.sweep_gpus.empty()) {
    for (double g : list_arg("--sweep-gpus", o.sweep_gpus, [](const std::string& t) {
           return static_cast<double>(gpus_arg("--sweep-gpus", t));
         })) {
      // Geometric points land on whole servers.
      const double per = in.gpus_per_node;
      sizes.push_back(static_cast<uint64_t>(g < per ? std::round(g) : std::round(g / per) * per));
    }
  }
  check_cost(in, intervals.size() + 2 * sizes.size());
  if (!o.output.empty()) check_output_writable(o.output);

  const GoodputEstimate e = estimate_goodput(in, intervals, sizes);
  if (o.json) {
    std::cout << to_json(e).dump(2) << "\n";
  } else {
    print_report(e);
  }
  std::cout.flush();
  if (!o.output.empty()) {
    RunMeta meta;
    meta.command_line = command_line();
    meta.simgrid_version = simgrid_version();
    meta.seed = static_cast<int64_t>(in.seed);
    meta.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    write_goodput(o.output, meta, e);
  }
}

}  // namespace

void setup_goodput(CLI::App& app) {
  auto opt = std::make_shared<GoodputOptions>();
  CLI::App* sub = app.add_subcommand(
      "goodput",
      "Goodput of a long training job: the effective training time ratio (ETTR, useful training / elapsed\n"
      "time) under interruptions, by Monte Carlo over days of training and in closed form (Daly's exact\n"
      "expression for exponential failures), with the Young/Daly optimal checkpoint interval sqrt(2 x cost x\n"
      "MTBF). Each interruption loses the work since the last checkpoint and costs detection + restart\n"
      "(+ a wait for a spare server). Prints the ETTR (Monte Carlo with its 95 % CI, closed form),\n"
      "interruptions and lost GPU-hours by cause, and the Young/Daly interval. Default rates: Llama 3 405B's\n"
      "419 unexpected interruptions on 2,048 servers in 54 days (3.79 per 1,000 node-days, node = server,\n"
      "by cause; sim/failures/failure_rates.yaml). Durations take units: 30s, 10min, 1.5h, 2d. Example:\n"
      "  gigasim goodput --gpus 16384 --checkpoint-interval 1h --checkpoint-cost 1min --restart-time 10min");
  sub->add_option("--gpus", opt->gpus, "GPUs of the job (servers = ceil(GPUs / --gpus-per-node))")->required();
  sub->add_option("--gpus-per-node", opt->gpus_per_node, "GPUs per server (node)")->capture_default_str();
  CLI::Option* rate = sub->add_option("--failures-per-1000-node-days", opt->rate,
                  "One total interruption rate per 1,000 server-days (cause 'all'), instead of the default table "
                  "(Llama 3: 3.79; Meta RSC-1: 6.50)");
  sub->add_option("--mtbf", opt->mtbf, "Instead of a rate: the mean time between failures of one server (e.g. 300d)");
  sub->add_option("--rates", opt->rates_file, "Instead of the default table: a YAML table of causes of the same form");
  sub->add_option("--rate-scale", opt->rate_scale, "Multiply every failure rate (e.g. 2 for a less reliable fleet)")
      ->capture_default_str();
  sub->add_option("--weibull-shape", opt->weibull_shape,
                  "Inter-arrival times Weibull of this shape with the same mean (1 = exponential; <1 bursty); the "
                  "closed form then holds only approximately")
      ->capture_default_str();
  sub->add_option("--checkpoint-interval", opt->interval,
                  "Training time between checkpoints (or 'young': the Young/Daly optimum)")
      ->capture_default_str();
  sub->add_option("--checkpoint-cost", opt->cost, "Checkpoint write cost: training stalls this long per checkpoint")
      ->capture_default_str();
  sub->add_option("--detection-time", opt->detection,
                  "From an interruption until the job notices (0: counted in --restart-time)")
      ->capture_default_str();
  sub->add_option("--restart-time", opt->restart,
                  "Restart time: reschedule, reload the last checkpoint, warm up (failures may hit it too)")
      ->capture_default_str();
  sub->add_option("--hot-spares", opt->spares,
                  "Hot spare servers for hardware causes: a number, or unlimited (a free one is always swapped in)")
      ->capture_default_str();
  sub->add_option("--repair-time", opt->repair,
                  "Repair time: with a finite --hot-spares pool, a replaced server returns after this; without a "
                  "free spare the job waits for the first one back")
      ->capture_default_str();
  sub->add_option("--step-time", opt->step_time,
                  "Step time: the interval is rounded to whole steps and lost work is also given in steps");
  sub->add_option("--from-run", opt->from_run, "Take the step time from a gigasim run result (/summary/step_time_mean_s)");
  sub->add_option("--days", opt->days, "Elapsed days of training per Monte Carlo replica")->capture_default_str();
  sub->add_option("--replicas", opt->replicas, "Monte Carlo replicas (the 95 % CI shrinks as 1/sqrt)")
      ->capture_default_str();
  sub->add_option("--seed", opt->seed, "Random seed (the same seed gives the same result, bit for bit)")
      ->capture_default_str();
  sub->add_option("--sweep-interval", opt->sweep_interval,
                  "ETTR curve over checkpoint intervals FROM:TO:COUNT (log-spaced, e.g. 5min:4h:16) or a,b,c");
  sub->add_option("--sweep-gpus", opt->sweep_gpus,
                  "ETTR curve over job sizes FROM:TO:COUNT (e.g. 1024:100000:8) or a,b,c: each at "
                  "--checkpoint-interval and at its own Young/Daly interval");
  sub->add_option("-o,--output", opt->output, "Also write an HDF5 result file (/goodput; written as OUT.tmp, renamed)");
  sub->add_flag("--json", opt->json,
                "Print one JSON object (ettr_monte_carlo, ettr_closed_form, interruptions, "
                "optimal_checkpoint_interval_s, causes, curves, ...)");
  sub->callback([opt, rate]() {
    opt->rate_given = rate->count() > 0;
    goodput_command(*opt);
  });
}

}  // namespace gigasim
