// `gigasim run RUN.yaml -o OUT.h5`: one simulation point, end to end.
#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "sim/cli/commands.hpp"
#include "sim/cli/failure_impact.hpp"
#include "sim/cli/progress.hpp"
#include "sim/cli/sweep_dir.hpp"
#include "sim/spec/run_setup.hpp"
#include "sim/spec/run_spec.hpp"
#include "sim/core/atomic_file.hpp"
#include "sim/core/interrupt.hpp"
#include "sim/core/memory_budget.hpp"
#include "sim/core/units.hpp"
#include "sim/replay/replay_engine.hpp"
#include "sim/results/results_writer.hpp"
#include "sim/results/summary.hpp"
#include "sim/results/timeline_writer.hpp"

namespace gigasim {
namespace {

struct RunOptions {
  std::string file;
  std::string output;
  std::vector<std::string> sets;
  std::vector<std::string> sg_cfg;
  std::vector<std::string> logs;
  int64_t seed = -1;
  int64_t steps = 0;
  std::string progress = "auto";
  double progress_interval = 30;
  bool json = false;
  bool record_nvlink = false;
  std::string calibration;
  std::string timeline;
  std::string timeline_ranks;
  std::string timeline_steps = "1";
  std::string failure_impact = "auto";
  std::string max_memory;
};

// "N": the first N steps; "a-b": steps a to b (0-based).
size_t op_count(const Workload& w) {
  size_t n = 0;
  for (const Program& p : w.programs) n += p.ops.size();
  return n;
}

std::pair<uint32_t, uint32_t> parse_step_range(const std::string& s, uint32_t steps) {
  try {
    const size_t dash = s.find('-');
    if (dash == std::string::npos) {
      const unsigned long n = std::stoul(s);
      if (n == 0) throw std::invalid_argument("zero");
      return {0, static_cast<uint32_t>(std::min<unsigned long>(n, steps) - 1)};
    }
    const unsigned long a = std::stoul(s.substr(0, dash)), b = std::stoul(s.substr(dash + 1));
    if (b < a) throw std::invalid_argument("range");
    return {static_cast<uint32_t>(a), static_cast<uint32_t>(b)};
  } catch (const std::exception&) {
    throw ConfigError(fmt::format("--timeline-steps '{}': a count (the first N steps) or a range a-b", s));
  }
}

double peak_rss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) * 1024.0;
}

double wall_now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string topology_line(const Topology& t) {
  std::string tiers;
  std::vector<uint32_t> count(t.tiers + 1, 0);
  for (const Node& n : t.nodes) {
    if (n.kind == NodeKind::kSwitch) ++count[n.tier];
  }
  for (uint32_t i = 1; i <= t.tiers; ++i) tiers += fmt::format("{}{} {}", i > 1 ? ", " : "", count[i], t.tier_names[i]);
  return fmt::format("{}: {} GPUs ({} servers x {}), {}; routing {}", t.kind, t.gpus, t.servers, t.gpus_per_server,
                     tiers, t.router->policy());
}

void print_report(const RunSpec& spec, const std::string& out, const Topology& topo, const Workload& work,
                  const NetworkModelSpec& net, const ReplayResult& res, const Summary& s, const std::string& status) {
  auto v = [&](const char* k) { return summary_value(s, k); };
  std::printf("gigasim run %s -> %s: %s\n", spec.path.c_str(), out.c_str(), status.c_str());
  if (!res.ok) std::printf("  error       %s\n", res.error.c_str());
  std::printf("  topology    %s\n", topology_line(topo).c_str());
  std::printf("  workload    %s: %u ranks, %u steps, %zu ops (%zu collectives)\n", work.kind.c_str(), work.ranks,
              work.steps, op_count(work), res.collectives.size());
  std::printf("  network     %s, crosstraffic %s; fidelity %s%s\n", net.model.c_str(), net.crosstraffic ? "on" : "off",
              run_fidelity(res).c_str(),
              res.fold > 1 ? fmt::format("; ranks folded x{} (one simulated rank per symmetric group{})", res.fold,
                                           res.fold_exact ? "" : ", forced: copies move in lockstep").c_str()
              : !res.fold_note.empty() ? fmt::format("; no rank folding: {}", res.fold_note).c_str()
                                       : "");
  std::printf("  step time   mean %s | p50 %s | p99 %s\n", format_duration(v("step_time_mean_s")).c_str(),
              format_duration(v("step_time_p50_s")).c_str(), format_duration(v("step_time_p99_s")).c_str());
  std::printf("  breakdown   compute %s | exposed comm %s (%.1f %% of the step)\n",
              format_duration(v("compute_time_mean_s")).c_str(), format_duration(v("exposed_comm_mean_s")).c_str(),
              100 * v("comm_exposed_frac"));
  {  // where the critical rank's time went, per parallel dimension
    std::string parts;
    for (const char* d : {"tp", "pp", "dp", "ep", "cp", "other"}) {
      const double t = v(fmt::format("exposed_{}_mean_s", d).c_str());
      if (t > 0) parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", d, format_duration(t));
    }
    const double bubble = v("bubble_mean_s");
    if (bubble > 0) parts += fmt::format("{}pipeline bubble {}", parts.empty() ? "" : ", ", format_duration(bubble));
    if (!parts.empty()) std::printf("  exposed     %s\n", parts.c_str());
  }
  if (work.flops_per_step > 0) {
    std::printf("  throughput  %.1f TFLOP/s per GPU (%s FLOPs) | MFU %.1f %% of %.0f TFLOP/s\n", v("tflops_per_gpu"),
                work.flops_convention.c_str(), 100 * v("mfu"), work.peak_flops_per_gpu / 1e12);
  }
  if (!res.collectives.empty()) {
    std::printf("  collectives %zu, mean %s, algbw %.2f GB/s, busbw %.2f GB/s\n", res.collectives.size(),
                format_duration(v("collective_time_mean_s")).c_str(), v("algbw_mean_Bps") / 1e9,
                v("busbw_mean_Bps") / 1e9);
  }
  if (!res.failures.empty()) {
    const double base = v("step_time_without_failures_s");
    std::printf("  failures    %zu events, %.0f flows cut and reissued%s\n", res.failures.size(), v("flows_cut"),
                std::isfinite(base) ? fmt::format("; step time {} without them, {} lost in all", format_duration(base),
                                                  format_duration(v("failure_lost_time_s")))
                                          .c_str()
                                    : "");
    size_t shown = 0;
    for (const FailureRecord& f : res.failures) {
      if (shown++ == 8) {
        std::printf("              ... (%zu more in /failures)\n", res.failures.size() - 8);
        break;
      }
      std::printf("              %-24s %-7s at %s%s: %s%s\n", f.event.target.c_str(), to_string(f.event.kind),
                  format_duration(f.event.time_s).c_str(),
                  std::isfinite(f.event.duration_s) ? (" for " + format_duration(f.event.duration_s)).c_str() : "",
                  f.applied ? (std::isfinite(f.lost_s) ? ("+" + format_duration(f.lost_s)).c_str() : "impact not measured")
                            : "after the run ended",
                  f.flows_cut > 0 ? fmt::format(" ({} flows cut)", f.flows_cut).c_str() : "");
    }
  }
  std::printf("  links       max utilization %.3f; %s crossed switch-to-switch links\n", v("max_link_util"),
              format_bytes(v("fabric_bytes")).c_str());
  std::printf("  cost        %.0f flows | build %.2f s (fabric %.2f s, actors %.2f s) | replay %.2f s | %.1f us/flow | "
              "peak RSS %s\n",
              v("flows"), v("topology_build_s") + v("build_wall_s"), v("topology_build_s") + v("platform_wall_s"),
              v("actors_wall_s"), v("replay_wall_s"), v("wall_us_per_flow"), format_bytes(v("peak_rss_bytes")).c_str());
  std::printf("Read it: /usr/bin/python3 -c \"import gigasim_results as g; r = g.open_run('%s'); "
              "print(r.summary); print(r.table('steps'))\"   (pip install ./analysis, or PYTHONPATH=analysis)\n",
              out.c_str());
}

void run_command(const RunOptions& o) {
  const double t0 = wall_now();
  apply_max_memory(o.max_memory);
  std::vector<std::string> sets = o.sets;
  RunSpec spec = load_run_spec(o.file, sets);
  if (o.steps > 0) {
    const std::string key = spec.workload.get_string("kind", "") == "collective" ? "iterations" : "steps";
    sets.push_back(fmt::format("workload.{}={}", key, o.steps));
    spec = load_run_spec(o.file, sets);
  }
  const std::string out = !o.output.empty() ? o.output : spec.output;
  if (out.empty()) throw ConfigError(SourceLocation{o.file, 0, 0}, "no output file: give -o OUT.h5 or 'output:' in the run file");
  check_output_writable(out);
  interrupt::install(fmt::format("gigasim run {}", o.file));
  interrupt::set_outcome(fmt::format("nothing was written ({} not created)", out));

  auto progress = make_progress(o.progress, o.progress_interval);
  RunSetup setup(spec, o.calibration, o.seed);
  bool each = false;
  const uint32_t comparisons = failure_impact_replays(o.failure_impact, setup.events.size(), &each);
  const RunEstimate est = setup.estimate(1 + comparisons);
  RunSetup::check_memory(spec, est);
  check_output_room(out, est.result_bytes);
  progress->message(fmt::format("estimate: {} of memory ({}), {} to {} of wall time", format_bytes(est.memory_bytes()),
                                est.detail(), format_duration(est.wall_low_s), format_duration(est.wall_high_s)));
  const Topology& topo = setup.topo;
  const Workload& work = setup.work;
  NetworkModelSpec net = setup.net;
  for (const std::string& c : o.sg_cfg) net.extra.push_back(c);

  ReplayOptions ropt;
  ropt.calibration = &setup.cal;
  std::unique_ptr<TimelineRecorder> timeline;
  if (!o.timeline.empty()) {
    const auto [first, last] = parse_step_range(o.timeline_steps, work.steps);
    timeline = std::make_unique<TimelineRecorder>(
        o.timeline_ranks.empty() ? default_timeline_ranks(work.ranks, topo.gpus_per_server)
                                 : parse_rank_list(o.timeline_ranks, work.ranks),
        first, last);
    ropt.timeline = timeline.get();
  }
  for (const std::string& l : o.logs) ropt.simgrid_args.push_back("--log=" + l);
  ropt.progress = progress.get();
  if (setup.failures) {
    ropt.failures = setup.events;
    ropt.reissue_delay_s = setup.failures->reissue_delay_s;
  }
  FailureImpact impact;
  const bool measure = comparisons > 0;
  if (measure) {
    progress->message(fmt::format("{} failure events: measuring their impact ({} comparison replays)",
                                  ropt.failures.size(), comparisons));
    impact = measure_failure_impact(topo, work, net, ropt, each);
  }
  progress->message(fmt::format("{} GPUs, {} ranks, {} ops: simulating", topo.gpus, work.ranks, op_count(work)));
  // A sweep point started by `gigasim sweep run`: its execution goes into the sweep's run log.
  if (const char* sweep_dir = std::getenv("GIGASIM_SWEEP_DIR"); sweep_dir != nullptr && !spec.point_id.empty()) {
    sweep::log_run_event(sweep_dir, "run", sweep::ManifestRow{spec.point_id, "", ""});
  }
  ReplayEngine engine(topo, work, net, ropt);
  ReplayResult res = engine.run();
  for (size_t i = 0; i < res.failures.size() && i < impact.lost_s.size(); ++i) res.failures[i].lost_s = impact.lost_s[i];

  Summary summary = compute_summary(topo, work, res);
  if (!ropt.failures.empty()) {
    summary.emplace_back("failure_events", static_cast<double>(res.failures.size()));
    summary.emplace_back("flows_cut", static_cast<double>(res.flows_cut));
    double lost = measure ? 0.0 : std::nan("");
    for (size_t s = 0; measure && s < res.steps.size(); ++s) {
      const StepRecord& st = res.steps[s];
      if (s < impact.baseline.step_s.size() && st.end_s >= st.start_s) lost += st.duration() - impact.baseline.step_s[s];
    }
    summary.emplace_back("failure_lost_time_s", lost);
    if (measure && !impact.baseline.step_s.empty()) {
      double base = 0;
      for (double d : impact.baseline.step_s) base += d;
      summary.emplace_back("step_time_without_failures_s", base / impact.baseline.step_s.size());
    }
  }
  summary.emplace_back("topology_build_s", setup.topology_build_s);
  summary.emplace_back("peak_rss_bytes", peak_rss_bytes());
  RunMeta meta;
  meta.status = res.ok ? "ok" : "failed";
  meta.error = res.error;
  meta.seed = o.seed >= 0 ? o.seed : spec.seed;
  meta.expected_bytes = est.result_bytes;
  meta.command_line = command_line();
  meta.simgrid_version = simgrid_version();
  meta.network = net;
  meta.config = {{"run_yaml", spec.run_yaml}, {"topology_yaml", spec.topology_yaml}, {"workload_yaml", spec.workload_yaml}};
  if (!spec.failures_yaml.empty()) meta.config.emplace_back("failures_yaml", spec.failures_yaml);
  meta.record_nvlink = o.record_nvlink;
  meta.params = spec.params;
  if (!spec.point_id.empty()) meta.params.emplace_back("point_id", spec.point_id);
  meta.wall_time_s = wall_now() - t0;
  write_results(out, meta, topo, work, res, summary);
  if (timeline) {
    interrupt::set_outcome(fmt::format("{} was written, the timeline {} was not", out, o.timeline));
    try {
      write_timeline(o.timeline, *timeline, topo, work, res);
    } catch (const Error&) {
      std::remove(out.c_str());  // all or nothing: the command failed
      throw;
    }
  }

  progress->message(fmt::format("{}: step time mean {} p99 {} | wall {:.2f} s | {}", meta.status,
                                format_duration(summary_value(summary, "step_time_mean_s")),
                                format_duration(summary_value(summary, "step_time_p99_s")), wall_now() - t0, out));
  if (o.json) {
    nlohmann::json j;
    j["status"] = meta.status;
    j["output"] = out;
    j["fidelity"] = run_fidelity(res);
    j["network_model"] = net.model;
    if (!res.ok) j["error"] = res.error;
    for (const auto& [k, v] : summary) j[k] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    nlohmann::json steps = nlohmann::json::array();
    for (const StepRecord& st : res.steps) steps.push_back(num(st.end_s >= st.start_s ? st.duration() : NAN));
    j["step_durations_s"] = steps;
    if (!res.failures.empty()) {
      nlohmann::json fs = nlohmann::json::array();
      for (const FailureRecord& f : res.failures) {
        fs.push_back({{"time_s", f.event.time_s}, {"target", f.event.target}, {"target_kind", to_string(f.event.target_kind)}, {"targets", f.event.targets.size()},
                      {"kind", to_string(f.event.kind)}, {"duration_s", num(f.event.duration_s)},
                      {"factor", f.event.factor}, {"applied", f.applied}, {"step", f.step},
                      {"flows_cut", f.flows_cut}, {"lost_s", num(f.lost_s)}});
      }
      j["failures"] = fs;
    }
    j["wall_s"] = meta.wall_time_s;
    std::cout << j.dump(2) << std::endl;
  } else {
    print_report(spec, out, topo, work, net, res, summary, meta.status);
  }
  if (!res.ok) throw SimulationError(fmt::format("{}: simulation failed: {}", o.file, res.error));
}

}  // namespace

void check_output_writable(const std::string& out) {
  namespace fs = std::filesystem;
  const fs::path p(out);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    if (ec && ec.value() != ENOENT && ec.value() != ENOTDIR) throw io_error(out, ec.value(), "cannot reach the output directory");
    throw IoError(fmt::format("{}: error: output directory '{}' does not exist", out, dir.string()));
  }
  if (fs::is_directory(p, ec)) throw IoError(fmt::format("{}: error: output is a directory", out));
  const std::string probe = out + ".tmp";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw io_error(out, errno, "cannot create the output file");
  ::close(fd);
  std::remove(probe.c_str());
}

void check_output_room(const std::string& out, double result_bytes) {
  namespace fs = std::filesystem;
  const fs::path p(out);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  struct statvfs vfs{};
  if (::statvfs(dir.c_str(), &vfs) != 0) return;  // unknown: the write will tell
  const double free_bytes = static_cast<double>(vfs.f_bavail) * static_cast<double>(vfs.f_frsize);
  // Compressed result files measured at least 0.57 of the uncompressed estimate: refuse only
  // when even half of it would not fit, before minutes of simulation are spent for nothing.
  if (free_bytes < 0.5 * result_bytes) {
    throw io_error(out, ENOSPC,
                   fmt::format("the result file needs about {}, {} free; nothing was simulated",
                               format_bytes(0.5 * result_bytes), format_bytes(free_bytes)));
  }
}

void add_max_memory_option(CLI::App* sub, std::string& value) {
  sub->add_option("--max-memory", value,
                  "Refuse to start a run whose estimated peak memory exceeds this (e.g. 8GiB; default: this "
                  "machine's memory, or the cgroup's limit when lower)");
}

void apply_max_memory(const std::string& value) {
  if (value.empty()) return;
  double bytes = 0;
  try {
    bytes = parse_bytes(value);
  } catch (const UnitError& e) {
    throw ConfigError(fmt::format("--max-memory {}: {}", value, e.what()));
  }
  if (!(bytes > 0)) throw ConfigError(fmt::format("--max-memory {}: must be positive", value));
  set_memory_limit(bytes, fmt::format("--max-memory {}", format_bytes(bytes)));
}

void setup_run(CLI::App& app) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* sub = app.add_subcommand(
      "run",
      "Run one simulation: build the topology, replay the workload in SimGrid, write HDF5.\n"
      "Example: gigasim run examples/quickstart/run.yaml -o quickstart.h5 --set topology.servers=32");
  sub->add_option("run_file", opt->file, "Run file (YAML): topology, workload, network, seed, output")->required();
  sub->add_option("-o,--output", opt->output, "Result file (HDF5); written as OUT.tmp, renamed when complete");
  sub->add_option("--set", opt->sets, "Override a config value: key.path=value (repeatable), e.g. topology.tiers=3");
  sub->add_option("--seed", opt->seed, "Random seed (overrides 'seed:' in the run file)");
  sub->add_option("--steps", opt->steps, "Number of training steps (or collective iterations)");
  sub->add_option("--progress", opt->progress, "Progress on stderr: auto, tty, log or none")->capture_default_str();
  sub->add_option("--progress-interval", opt->progress_interval, "Seconds between log progress lines")->capture_default_str();
  sub->add_option("--sg-cfg", opt->sg_cfg, "SimGrid configuration key:value, passed to Engine::set_config (repeatable)");
  sub->add_option("--log", opt->logs, "SimGrid log control, e.g. gigasim_replay.thres:debug (repeatable)");
  sub->add_flag("--json", opt->json, "Print the summary as one JSON object on stdout instead of the report");
  sub->add_option("--calibration", opt->calibration,
                  "Collective calibration: nccl (default), ideal (pure alpha-beta) or a YAML file");
  sub->add_flag("--record-nvlink", opt->record_nvlink, "Also write NVLink links to /links");
  sub->add_option("--failure-impact", opt->failure_impact,
                  "With failures: measure each event's impact on step time by replaying without it (each: "
                  "one replay per event; total: one replay without any; none; auto: each up to 16 events)")
      ->capture_default_str();
  add_max_memory_option(sub, opt->max_memory);
  sub->add_option("--timeline", opt->timeline,
                  "Write a Chrome trace (open in ui.perfetto.dev): compute and communication per sampled rank; "
                  ".json.gz is gzip-compressed");
  sub->add_option("--timeline-ranks", opt->timeline_ranks,
                  "Ranks in the timeline, e.g. 0-63,128 (default: the first server and 16 more)");
  sub->add_option("--timeline-steps", opt->timeline_steps, "Steps in the timeline: the first N, or a range a-b")
      ->capture_default_str();
  sub->callback([opt]() { run_command(*opt); });
}

}  // namespace gigasim
