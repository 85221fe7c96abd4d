// `gigasim sweep plan|run|status|slurm`: batches of runs, one result file per point
// (docs/conventions.md §4). Plan writes DIR/manifest.csv and one resolved run file per point; run
// executes points in child processes (one SimGrid engine per process), skipping points whose
// result exists with status ok, so a killed sweep resumes and a failing point stops nothing.
#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <optional>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "sim/cli/commands.hpp"
#include "sim/cli/progress.hpp"
#include "sim/cli/sweep_dir.hpp"
#include "sim/cli/sweep_runner.hpp"
#include "sim/core/atomic_file.hpp"
#include "sim/core/interrupt.hpp"
#include "sim/spec/run_spec.hpp"
#include "sim/spec/sweep_spec.hpp"
#include "sim/results/h5.hpp"
#include "topologies/topology_builder.hpp"
#include "workloads/workload_source.hpp"

namespace gigasim {
namespace {

namespace fs = std::filesystem;
using namespace sweep;

// ---- plan ------------------------------------------------------------------------------------

struct PlanOptions {
  std::string sweep;
  std::string dir;
  std::vector<std::string> sets;
  bool no_validate = false;
};

void plan_command(const PlanOptions& o) {
  const SweepSpec spec = SweepSpec::load(o.sweep);
  const std::vector<SweepPoint> points = spec.expand();
  const fs::path dir(o.dir);
  std::error_code ec;
  for (const char* sub : {"points", "results", "logs"}) fs::create_directories(dir / sub, ec);
  if (ec) throw io_error(o.dir, ec.value(), "cannot create the sweep directory");

  // A signal leaves nothing behind: the loop below notices it and discards what it wrote.
  interrupt::install(fmt::format("gigasim sweep plan {}", o.sweep));
  interrupt::set_deferred(true);
  std::map<std::string, bool> topology_ok;  // validated topology texts
  std::ofstream manifest(dir / "manifest.csv.tmp");
  if (!manifest) throw io_error((dir / "manifest.csv").string(), errno != 0 ? errno : EIO, "cannot write the manifest");
  manifest << "point_id,index,seed";
  if (!points.empty()) {
    for (const auto& [k, v] : points.front().params) manifest << "," << csv_field(k);
  }
  manifest << ",run_file,output\n";
  // A point that fails validation leaves nothing behind: no manifest, no point files.
  std::vector<fs::path> written;
  auto discard = [&] {
    manifest.close();
    std::error_code rm;
    fs::remove(dir / "manifest.csv.tmp", rm);
    for (const fs::path& f : written) fs::remove(f, rm);
    for (const char* sub : {"points", "results", "logs"}) {
      if (fs::is_empty(dir / sub, rm)) fs::remove(dir / sub, rm);
    }
    if (fs::is_empty(dir, rm)) fs::remove(dir, rm);
  };
  try {
  for (const SweepPoint& p : points) {
    if (const int sig = interrupt::pending()) {
      throw Interrupted(sig, fmt::format("gigasim sweep plan {}: interrupted by {}; nothing was written", o.sweep,
                                         interrupt::signal_name(sig)));
    }
    const std::vector<std::string> sets = p.overrides(o.sets);
    RunSpec rs;
    try {
      rs = load_run_spec(spec.base, sets);
      if (!o.no_validate) {
        const std::string key = rs.topology_yaml;
        Topology topo = build_topology(rs.topology);
        topology_ok[key] = true;
        build_workload(rs.workload, ClusterInfo{topo.gpus, topo.gpus_per_server, topo.gpu_flops, topo.gpu_model});
      }
    } catch (const Error& e) {
      p.rethrow(spec.path, e);
    }
    // The point's run file: the resolved run, plus where it came from.
    YAML::Node root = clone_without_marks(rs.root.yaml());
    root.remove("output");
    YAML::Node sw(YAML::NodeType::Map);
    sw["name"] = spec.name;
    sw["point_id"] = p.id;
    YAML::Node params(YAML::NodeType::Map);
    for (const auto& [k, v] : p.params) params[k] = v;
    if (p.seed >= 0) params["seed"] = std::to_string(p.seed);
    sw["params"] = params;
    root["sweep"] = sw;
    const std::string run_file = "points/" + p.id + ".yaml";
    {
      if (!fs::exists(dir / run_file)) written.push_back(dir / run_file);  // not an earlier plan's
      errno = 0;
      std::ofstream f(dir / run_file);
      f << "# gigasim sweep point " << p.id << " of " << spec.path << " (written by 'gigasim sweep plan')\n"
        << to_yaml_text(root);
      f.close();
      if (!f) throw io_error((dir / run_file).string(), errno != 0 ? errno : EIO, "cannot write the point's run file");
    }
    manifest << p.id << "," << p.index << "," << (p.seed >= 0 ? std::to_string(p.seed) : std::string(""));
    for (const auto& [k, v] : p.params) manifest << "," << csv_field(v);
    manifest << "," << run_file << ",results/" << p.id << ".h5\n";
  }
  errno = 0;
  manifest.close();
  if (!manifest) throw io_error((dir / "manifest.csv").string(), errno != 0 ? errno : EIO, "cannot write the manifest");
  } catch (...) {
    discard();
    throw;
  }
  fs::rename(dir / "manifest.csv.tmp", dir / "manifest.csv", ec);
  if (ec) throw io_error((dir / "manifest.csv").string(), ec.value(), "cannot write the manifest");
  fs::copy_file(spec.path, dir / "sweep.yaml", fs::copy_options::overwrite_existing, ec);
  std::printf("planned %zu points of sweep '%s' in %s (manifest.csv, points/*.yaml)\n", points.size(), spec.name.c_str(),
              o.dir.c_str());
  std::printf("run them: gigasim sweep run %s --jobs N   (or on Slurm: gigasim sweep slurm %s)\n", o.dir.c_str(),
              o.dir.c_str());
}

// ---- run -------------------------------------------------------------------------------------

struct RunSweepOptions {
  std::string dir;
  uint32_t jobs = 1;
  int64_t index = -1;
  uint32_t count = 1;
  std::string progress = "auto";
  double progress_interval = 30;
};

int run_sweep_command(const RunSweepOptions& o) {
  const std::vector<ManifestRow> all = read_manifest(o.dir);
  size_t first = 0, last = all.size();
  if (o.index >= 0) {
    if (o.count == 0) throw ConfigError("--count must be at least 1");
    first = std::min(all.size(), static_cast<size_t>(o.index) * o.count);
    last = std::min(all.size(), first + o.count);
  }
  // A signal stops the points this process runs (they stay not ok) and says how far it got.
  interrupt::install(fmt::format("gigasim sweep run {}", o.dir));
  interrupt::set_deferred(true);
  std::vector<const ManifestRow*> todo;
  size_t skipped = 0;
  for (size_t i = first; i < last; ++i) {
    if (point_status(o.dir, all[i]).state == PointState::kOk) {
      ++skipped;
    } else {
      todo.push_back(&all[i]);
    }
  }
  auto progress = make_progress(o.progress, o.progress_interval);
  progress->message(fmt::format("sweep {}: points {}-{} of {}: {} already ok, {} to run on {} job(s)", o.dir, first,
                                last == 0 ? 0 : last - 1, all.size(), skipped, todo.size(), o.jobs));
  const auto t0 = std::chrono::steady_clock::now();
  struct Running {
    const ManifestRow* row;
    PointLock lock;
  };
  std::map<pid_t, Running> running;
  size_t next = 0, done = 0, failed = 0, elsewhere = 0;
  auto stop = [&](int sig) {
    for (const auto& [pid, r] : running) ::kill(pid, SIGTERM);
    for (auto& [pid, r] : running) {
      int ws = 0;
      while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
      }
      log_run_event(o.dir, "stopped", *r.row, interrupt::signal_name(sig));
      interrupt::remove_child(pid);
    }
    const size_t ok = std::count_if(all.begin() + static_cast<std::ptrdiff_t>(first),
                                    all.begin() + static_cast<std::ptrdiff_t>(last),
                                    [&](const ManifestRow& r) { return point_status(o.dir, r).state == PointState::kOk; });
    throw Interrupted(sig, fmt::format("gigasim sweep run {}: interrupted by {}: {} of {} points ok, {} stopped and "
                                       "not ok; 'gigasim sweep run {}' resumes",
                                       o.dir, interrupt::signal_name(sig), ok, last - first, running.size(), o.dir));
  };
  while (next < todo.size() || !running.empty()) {
    if (interrupt::pending()) stop(interrupt::pending());
    while (next < todo.size() && running.size() < std::max(1U, o.jobs)) {
      const ManifestRow* row = todo[next++];
      // Claim the point; another process may run it, or have finished it since the scan.
      std::optional<PointLock> lock = PointLock::try_claim(o.dir, *row);
      if (!lock) {
        ++elsewhere;
        continue;
      }
      if (point_status(o.dir, *row).state == PointState::kOk) {
        ++skipped;
        continue;
      }
      std::error_code ec;
      fs::remove(fs::path(o.dir) / fs::path(row->output).replace_extension(".error"), ec);
      log_run_event(o.dir, "start", *row);
      const pid_t pid = spawn_point(o.dir, *row, lock->fd());
      interrupt::add_child(pid);
      running.emplace(pid, Running{row, std::move(*lock)});
    }
    if (running.empty()) break;
    int ws = 0;
    const pid_t pid = waitpid(-1, &ws, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    interrupt::remove_child(pid);
    const ManifestRow* row = it->second.row;
    if (interrupt::pending()) {  // stopped by the signal, not a failure of its own
      log_run_event(o.dir, "stopped", *row, interrupt::signal_name(interrupt::pending()));
      running.erase(it);
      stop(interrupt::pending());
    }
    record_outcome(o.dir, *row, ws);
    const PointStatus st = point_status(o.dir, *row);
    log_run_event(o.dir, "end", *row, to_string(st.state));
    ++done;
    if (st.state != PointState::kOk) {
      ++failed;
      progress->message(fmt::format("point {} failed: {}", row->id, st.error));
    }
    running.erase(it);  // releases the claim
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::string line = fmt::format("[points {}/{}] {} ok, {} failed | running {} | wall {:.0f} s", done, todo.size(),
                                   done - failed, failed, running.size(), wall);
    if (done < todo.size()) line += fmt::format(" | ETA {:.0f} s", wall / done * (todo.size() - done));
    progress->status(line, false);
  }
  progress->message(fmt::format("sweep {}: {} run, {} ok, {} failed ({} skipped as already ok, {} run by another "
                                "process)",
                                o.dir, done, done - failed, failed, skipped, elsewhere));
  return failed == 0 ? 0 : 1;
}

// ---- status ----------------------------------------------------------------------------------

struct StatusOptions {
  std::string dir;
  bool json = false;
};

void status_command(const StatusOptions& o) {
  const std::vector<ManifestRow> rows = read_manifest(o.dir);
  std::map<PointState, size_t> counts{{PointState::kOk, 0}, {PointState::kFailed, 0}, {PointState::kMissing, 0}};
  size_t running = 0;
  nlohmann::json points = nlohmann::json::array();
  std::vector<std::pair<std::string, std::string>> failures, runs;
  for (const ManifestRow& r : rows) {
    const PointStatus s = point_status(o.dir, r);
    // A point being run (its lock held by a live process) is counted apart from missing ones.
    const PointHolder h = s.state == PointState::kOk ? PointHolder{} : point_holder(o.dir, r);
    nlohmann::json p{{"point_id", r.id}, {"status", h.running ? "running" : to_string(s.state)}, {"error", s.error}};
    if (h.running) {
      ++running;
      p["host"] = h.host;
      p["pid"] = h.pid;
      runs.emplace_back(r.id, fmt::format("{} pid {}", h.host, h.pid));
    } else {
      ++counts[s.state];
      if (s.state == PointState::kFailed) failures.emplace_back(r.id, s.error);
    }
    points.push_back(p);
  }
  if (o.json) {
    nlohmann::json j{{"dir", o.dir},
                     {"points", rows.size()},
                     {"ok", counts[PointState::kOk]},
                     {"failed", counts[PointState::kFailed]},
                     {"missing", counts[PointState::kMissing]},
                     {"running", running},
                     {"status", points}};
    std::cout << j.dump(2) << std::endl;
    return;
  }
  std::printf("%s: %zu points: %zu ok, %zu failed, %zu running, %zu missing\n", o.dir.c_str(), rows.size(),
              counts[PointState::kOk], counts[PointState::kFailed], running, counts[PointState::kMissing]);
  for (const auto& [id, where] : runs) std::printf("  running %s: %s\n", id.c_str(), where.c_str());
  for (const auto& [id, err] : failures) std::printf("  failed %s: %s\n", id.c_str(), err.c_str());
}

// ---- slurm -----------------------------------------------------------------------------------

struct SlurmOptions {
  std::string dir;
  uint32_t count = 1;
  uint32_t max_parallel = 50;
  std::string time = "02:00:00";
  std::string mem = "16G";
  std::string extra;
};

void slurm_command(const SlurmOptions& o) {
  const std::vector<ManifestRow> rows = read_manifest(o.dir);
  if (rows.empty()) throw ConfigError(fmt::format("{}: error: the sweep has no points", o.dir));
  if (o.count == 0) throw ConfigError("--count must be at least 1");
  const size_t tasks = (rows.size() + o.count - 1) / o.count;
  const fs::path dir = fs::absolute(o.dir);
  const std::string exe = self_exe();
  const fs::path analysis = fs::path(exe).parent_path().parent_path() / "analysis";
  std::string extra;
  if (!o.extra.empty()) {
    std::ifstream in(o.extra);
    if (!in) throw IoError(fmt::format("{}: error: cannot read --sbatch-extra file", o.extra));
    std::stringstream ss;
    ss << in.rdbuf();
    extra = ss.str();
    if (!extra.empty() && extra.back() != '\n') extra += '\n';
  }
  const std::string submit = fmt::format(
      "#!/bin/bash\n"
      "# gigasim sweep: {} points in {} array tasks of {} (written by 'gigasim sweep slurm')\n"
      "#SBATCH --job-name=gigasim-sweep\n"
      "#SBATCH --array=0-{}%{}\n"
      "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n"
      "#SBATCH --time={}\n#SBATCH --mem={}\n"
      "#SBATCH --output={}/logs/slurm-%A_%a.out\n"
      "{}"
      "exec {} sweep run {} --index \"$SLURM_ARRAY_TASK_ID\" --count {} --progress log\n",
      rows.size(), tasks, o.count, tasks - 1, o.max_parallel, o.time, o.mem, dir.string(), extra, exe, dir.string(),
      o.count);
  const std::string merge = fmt::format(
      "#!/bin/bash\n"
      "# Merges the sweep's results into one tidy table (written by 'gigasim sweep slurm')\n"
      "#SBATCH --job-name=gigasim-merge\n#SBATCH --ntasks=1\n#SBATCH --time=00:30:00\n#SBATCH --mem=4G\n"
      "#SBATCH --output={}/logs/slurm-merge-%j.out\n"
      "{}"
      "{} sweep status {}\n"
      "PYTHONPATH={}${{PYTHONPATH:+:$PYTHONPATH}} exec /usr/bin/python3 -m gigasim_results merge {} -o {}/summary.h5 --csv\n",
      dir.string(), extra, exe, dir.string(), analysis.string(), dir.string(), dir.string());
  const std::string submit_sh = fmt::format(
      "#!/bin/bash\n# Submits the array, then the merge once every task has ended (ok or not).\nset -euo pipefail\n"
      "cd \"$(dirname \"$0\")\"\n"
      "array=$(sbatch --parsable submit.sbatch)\n"
      "merge=$(sbatch --parsable --dependency=afterany:${{array%%;*}} merge.sbatch)\n"
      "echo \"submitted array job $array and merge job $merge\"\n");
  for (const auto& [name, text] : {std::pair{"submit.sbatch", submit}, std::pair{"merge.sbatch", merge},
                                   std::pair{"submit.sh", submit_sh}}) {
    const fs::path p = dir / name;
    errno = 0;
    std::ofstream f(p);
    f << text;
    f.close();
    if (!f) throw io_error(p.string(), errno != 0 ? errno : EIO, "cannot write the Slurm script");
    fs::permissions(p, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
  }
  std::printf("wrote %s/submit.sbatch (%zu array tasks of %u points, at most %u at once), merge.sbatch, submit.sh\n",
              dir.c_str(), tasks, o.count, o.max_parallel);
  std::printf("submit: %s/submit.sh   (site options: --sbatch-extra FILE with #SBATCH lines)\n", dir.c_str());
}

int g_sweep_exit = 0;

}  // namespace

int sweep_exit_code() { return g_sweep_exit; }

void setup_sweep(CLI::App& app) {
  CLI::App* sweep = app.add_subcommand(
      "sweep",
      "Batches of runs: plan a grid of points from a sweep file, run them locally or as a Slurm\n"
      "array, check their state; merge with /usr/bin/python3 -m gigasim_results merge DIR.");
  sweep->require_subcommand(1);

  auto plan = std::make_shared<PlanOptions>();
  CLI::App* p = sweep->add_subcommand(
      "plan", "Expand SWEEP.yaml into DIR/manifest.csv and one resolved run file per point (DIR/points/).");
  p->add_option("sweep_file", plan->sweep, "Sweep file: base, grid, zip, seeds")->required();
  p->add_option("-o,--output", plan->dir, "Sweep directory")->required();
  p->add_flag("--no-validate", plan->no_validate, "Skip building each distinct topology and workload");
  p->add_option("--set", plan->sets, "Override a value of every point (after section files, before the axes)");
  p->callback([plan]() { plan_command(*plan); });

  auto run = std::make_shared<RunSweepOptions>();
  CLI::App* r = sweep->add_subcommand(
      "run", "Run a planned sweep's points (skipping those already ok): locally with --jobs, or one\n"
             "Slurm array task with --index I --count K. Exit 1 if a point failed.");
  r->add_option("dir", run->dir, "Sweep directory")->required();
  r->add_option("-j,--jobs", run->jobs, "Points at once (local process pool)")->capture_default_str();
  r->add_option("--index", run->index, "Array task index: runs points [I*K, I*K+K)");
  r->add_option("--count", run->count, "Points per array task")->capture_default_str();
  r->add_option("--progress", run->progress, "auto, tty, log or none")->capture_default_str();
  r->add_option("--progress-interval", run->progress_interval, "Seconds between log lines")->capture_default_str();
  r->callback([run]() { g_sweep_exit = run_sweep_command(*run); });

  auto st = std::make_shared<StatusOptions>();
  CLI::App* s = sweep->add_subcommand("status", "Count ok, failed and missing points (and say why points failed).");
  s->add_option("dir", st->dir, "Sweep directory")->required();
  s->add_flag("--json", st->json, "JSON: ok, failed, missing counts and each point's status");
  s->callback([st]() { status_command(*st); });

  auto sl = std::make_shared<SlurmOptions>();
  CLI::App* sm = sweep->add_subcommand(
      "slurm", "Write DIR/submit.sbatch (an array over the points), DIR/merge.sbatch and DIR/submit.sh.");
  sm->add_option("dir", sl->dir, "Sweep directory")->required();
  sm->add_option("--count", sl->count, "Points per array task")->capture_default_str();
  sm->add_option("--max-parallel", sl->max_parallel, "Array tasks at once (%N)")->capture_default_str();
  sm->add_option("--time", sl->time, "Time limit per task")->capture_default_str();
  sm->add_option("--mem", sl->mem, "Memory per task (see gigasim run's peak_rss_bytes)")->capture_default_str();
  sm->add_option("--sbatch-extra", sl->extra, "File of extra #SBATCH lines (account, partition)");
  sm->callback([sl]() { slurm_command(*sl); });
}

}  // namespace gigasim
