#include "sim/results/goodput_writer.hpp"

#include <cmath>

#include "sim/results/h5.hpp"
#include "sim/results/result_file.hpp"

namespace gigasim {
namespace {

void write_file(const std::string& tmp, const RunMeta& meta, const GoodputEstimate& e) {
  const GoodputInputs& in = e.inputs;
  const ClosedForm& cf = e.closed;
  const MonteCarloResult& mc = e.mc;
  h5::File f = h5::File::create(tmp);
  write_root_attrs(f, meta);
  f.attr("result_kind", "goodput");

  {
    h5::Group g = f.create_group("goodput");
    // Results.
    g.attr("ettr_monte_carlo", mc.ettr_mean());
    g.attr("ettr_monte_carlo_ci95_low", mc.ettr_mean() - mc.ettr_ci95());
    g.attr("ettr_monte_carlo_ci95_high", mc.ettr_mean() + mc.ettr_ci95());
    g.attr("ettr_closed_form", cf.ettr);
    g.attr("ettr_first_order", cf.ettr_first_order);
    g.attr("closed_form_applies", int64_t{cf.applies ? 1 : 0});
    g.attr("mtbf_s", cf.mtbf_s);
    g.attr("optimal_checkpoint_interval_s", cf.young_interval_s);
    g.attr("optimal_checkpoint_interval_daly_s", cf.daly_interval_s);
    g.attr("optimal_checkpoint_interval_exact_s", cf.exact_optimal_interval_s);
    g.attr("ettr_closed_form_at_optimum", cf.ettr_at_young);
    g.attr("interruptions_mean", mc.interruptions_mean());
    g.attr("interruptions_variance", mc.interruptions_variance());
    g.attr("interruptions_expected", e.interruptions_expected());
    g.attr("useful_fraction", mc.useful_s / (mc.replicas * mc.horizon_s));
    g.attr("checkpoint_fraction", mc.checkpoint_s / (mc.replicas * mc.horizon_s));
    g.attr("lost_work_fraction", mc.lost_work_s / (mc.replicas * mc.horizon_s));
    g.attr("downtime_fraction", mc.downtime_s / (mc.replicas * mc.horizon_s));
    g.attr("spare_wait_fraction", mc.spare_wait_s / (mc.replicas * mc.horizon_s));
    g.attr("lost_gpu_hours", e.gpu_hours(mc.lost_work_s + mc.downtime_s));
    g.attr("checkpoint_gpu_hours", e.gpu_hours(mc.checkpoint_s));
    g.attr("checkpoints_mean", static_cast<double>(mc.checkpoints) / mc.replicas);
    g.attr("lost_steps_mean", in.step_time_s > 0 ? mc.lost_training_s / mc.replicas / in.step_time_s : NAN);
    // Inputs.
    g.attr("gpus", static_cast<int64_t>(in.gpus));
    g.attr("gpus_per_node", static_cast<int64_t>(in.gpus_per_node));
    g.attr("nodes", static_cast<int64_t>(in.nodes()));
    g.attr("rates_source", in.rates.source());
    g.attr("failures_per_1000_node_days", in.rates.total_per_1000_node_days());
    g.attr("weibull_shape", in.weibull_shape);
    g.attr("checkpoint_interval_s", in.checkpoint_interval_s);
    g.attr("checkpoint_cost_s", in.checkpoint_cost_s);
    g.attr("detection_time_s", in.detection_s);
    g.attr("restart_time_s", in.restart_s);
    g.attr("hot_spares", in.hot_spares ? static_cast<int64_t>(*in.hot_spares) : int64_t{-1});
    g.attr("repair_time_s", in.repair_s);
    g.attr("step_time_s", in.step_time_s > 0 ? in.step_time_s : NAN);
    g.attr("days", in.days);
    g.attr("replicas", static_cast<int64_t>(in.replicas));

    {
      const std::vector<CauseSummary> causes = e.causes();
      const size_t n = causes.size();
      std::vector<std::string> name(n), components(n);
      std::vector<uint8_t> per(n);
      std::vector<int64_t> replace(n);
      std::vector<double> rate(n), job_rate(n), count(n), expected(n), lost(n), lost_work(n), down(n);
      for (size_t i = 0; i < n; ++i) {
        const CauseSummary& c = causes[i];
        name[i] = c.cause->name;
        components[i] = c.cause->components;
        per[i] = c.cause->per_gpu ? 0 : 1;
        replace[i] = c.cause->replace_node ? 1 : 0;
        rate[i] = c.cause->rate_per_1000_node_days;
        job_rate[i] = c.job_rate_per_day;
        count[i] = c.interruptions;
        expected[i] = c.interruptions_expected;
        lost[i] = c.lost_gpu_hours();
        lost_work[i] = c.lost_work_gpu_hours;
        down[i] = c.downtime_gpu_hours;
      }
      h5::Table t(g, "causes", n);
      t.column("cause", name);
      t.column("rate", rate, "1/(1000 node-days)");
      t.enum_column("per", h5::EnumType{{"gpu", "node"}}, per);
      t.column("replace_node", replace);
      t.column("job_rate_per_day", job_rate, "1/day");
      t.column("interruptions", count, "1");
      t.column("interruptions_expected", expected, "1");
      t.column("lost_gpu_hours", lost, "GPU-h");
      t.column("lost_work_gpu_hours", lost_work, "GPU-h");
      t.column("downtime_gpu_hours", down, "GPU-h");
      t.column("components", components);
      t.finish();
    }
    {
      const size_t n = mc.replicas;
      std::vector<int64_t> replica(n);
      std::vector<double> ettr(mc.ettr.begin(), mc.ettr.end());
      for (size_t i = 0; i < n; ++i) replica[i] = static_cast<int64_t>(i);
      h5::Table t(g, "replicas", n);
      t.column("replica", replica);
      t.column("ettr", ettr, "1");
      t.column("interruptions", mc.interruptions);
      t.finish();
    }
    if (!e.curve.empty()) {
      const size_t n = e.curve.size();
      std::vector<int64_t> gpus(n), opt(n);
      std::vector<double> interval(n), mtbf(n), ettr(n), lo(n), hi(n), closed(n), count(n);
      for (size_t i = 0; i < n; ++i) {
        const CurvePoint& p = e.curve[i];
        gpus[i] = static_cast<int64_t>(p.gpus);
        interval[i] = p.checkpoint_interval_s;
        opt[i] = p.at_optimum ? 1 : 0;
        mtbf[i] = p.mtbf_s;
        ettr[i] = p.ettr_monte_carlo;
        lo[i] = p.ettr_monte_carlo - p.ettr_ci95;
        hi[i] = p.ettr_monte_carlo + p.ettr_ci95;
        closed[i] = p.ettr_closed_form;
        count[i] = p.interruptions_mean;
      }
      h5::Table t(g, "curves", n);
      t.column("gpus", gpus);
      t.column("checkpoint_interval_s", interval, "s");
      t.column("at_optimum", opt);
      t.column("mtbf_s", mtbf, "s");
      t.column("ettr", ettr, "1");
      t.column("ettr_ci95_low", lo, "1");
      t.column("ettr_ci95_high", hi, "1");
      t.column("ettr_closed_form", closed, "1");
      t.column("interruptions", count, "1");
      t.finish();
    }
  }
  f.close();
}

}  // namespace

void write_goodput(const std::string& path, const RunMeta& meta, const GoodputEstimate& estimate) {
  write_atomically(path, "the goodput file", [&](const std::string& tmp) { write_file(tmp, meta, estimate); });
}

}  // namespace gigasim
