// `gigasim validate RUN.yaml [--estimate] [--json]`: everything a run checks before it simulates
// (the run file, its topology, workload, network model, calibration and failures) without
// starting the engine; with --estimate, what the run will cost (flows, memory, wall time).
// A sweep file (one with `base:`) is validated point by point.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "sim/cli/commands.hpp"
#include "sim/spec/run_setup.hpp"
#include "sim/spec/run_spec.hpp"
#include "sim/spec/sweep_spec.hpp"
#include "sim/core/memory_budget.hpp"
#include "sim/core/units.hpp"

namespace gigasim {
namespace {

struct ValidateOptions {
  std::string file;
  std::vector<std::string> sets;
  std::string calibration;
  std::string failure_impact = "auto";
  std::string max_memory;
  int64_t seed = -1;
  bool estimate = false;
  bool json = false;
};

nlohmann::json estimate_json(const RunEstimate& e) {
  return nlohmann::json{{"gpus", e.gpus},
                        {"hosts", e.hosts},
                        {"links", e.links},
                        {"actors", e.actors},
                        {"ops", e.ops},
                        {"flows", e.flows},
                        {"peak_flows", e.peak_flows},
                        {"replays", e.replays},
                        {"fold", e.fold},
                        {"memory_bytes", e.memory_bytes()},
                        {"memory",
                         {{"process", e.process_bytes},
                          {"topology", e.topology_bytes},
                          {"platform", e.platform_bytes},
                          {"actors", e.actor_bytes},
                          {"flows", e.flow_bytes},
                          {"program", e.program_bytes}}},
                        {"wall_low_s", e.wall_low_s},
                        {"wall_high_s", e.wall_high_s},
                        {"result_bytes", e.result_bytes},
                        {"memory_limit_bytes", memory_limit().bytes},
                        {"fits", e.memory_bytes() <= memory_limit().bytes}};
}

// One run file (a sweep point: its overrides): validated, and its estimate when asked.
nlohmann::json validate_run(const ValidateOptions& o, const std::string& file, const std::vector<std::string>& sets) {
  const RunSpec spec = load_run_spec(file, sets);
  RunSetup setup(spec, o.calibration, o.seed);
  nlohmann::json j{{"file", file}, {"ok", true}, {"gpus", setup.topo.gpus}, {"ranks", setup.work.ranks},
                   {"steps", setup.work.steps}, {"failure_events", setup.events.size()}};
  // As `gigasim run` would: a run over the memory limit is refused (after printing the
  // estimate, with --estimate).
  const uint32_t comparisons = failure_impact_replays(o.failure_impact, setup.events.size());
  const RunEstimate est = setup.estimate(1 + comparisons);
  if (o.estimate) {
    j["estimate"] = estimate_json(est);
    if (!j["estimate"]["fits"].get<bool>()) {
      j["ok"] = false;
      j["error"] = fmt::format("{}: the run needs an estimated {}, more than {}", file, format_bytes(est.memory_bytes()),
                               memory_limit().source);
    }
  } else {
    RunSetup::check_memory(spec, est);
  }
  return j;
}

void print_human(const nlohmann::json& j) {
  std::printf("%s: ok: %llu GPUs, %llu ranks, %llu steps, %llu failure events\n", j["file"].get<std::string>().c_str(),
              j["gpus"].get<unsigned long long>(), j["ranks"].get<unsigned long long>(),
              j["steps"].get<unsigned long long>(), j["failure_events"].get<unsigned long long>());
  if (!j.contains("estimate")) return;
  const auto& e = j["estimate"];
  const auto& m = e["memory"];
  std::printf("  flows: %llu (at most %llu in flight), %llu replays\n", e["flows"].get<unsigned long long>(),
              e["peak_flows"].get<unsigned long long>(), e["replays"].get<unsigned long long>());
  std::printf("  simgrid: %llu hosts, %llu links, %llu actors%s; %llu ops\n", e["hosts"].get<unsigned long long>(),
              e["links"].get<unsigned long long>(), e["actors"].get<unsigned long long>(),
              e["fold"].get<unsigned>() > 1 ? fmt::format(" (ranks folded x{})", e["fold"].get<unsigned>()).c_str() : "",
              e["ops"].get<unsigned long long>());
  std::printf("  memory: %s (process %s, topology %s, platform %s, actors %s, flows %s, program %s); limit %s%s\n",
              format_bytes(e["memory_bytes"].get<double>()).c_str(), format_bytes(m["process"].get<double>()).c_str(),
              format_bytes(m["topology"].get<double>()).c_str(), format_bytes(m["platform"].get<double>()).c_str(),
              format_bytes(m["actors"].get<double>()).c_str(), format_bytes(m["flows"].get<double>()).c_str(),
              format_bytes(m["program"].get<double>()).c_str(), memory_limit().source.c_str(),
              e["fits"].get<bool>() ? "" : " (EXCEEDED: gigasim run would refuse it)");
  std::printf("  wall time: %s to %s\n", format_duration(e["wall_low_s"].get<double>()).c_str(),
              format_duration(e["wall_high_s"].get<double>()).c_str());
  std::printf("  result file: at most about %s before compression\n", format_bytes(e["result_bytes"].get<double>()).c_str());
}

void validate_command(const ValidateOptions& o) {
  apply_max_memory(o.max_memory);
  failure_impact_replays(o.failure_impact, 0);  // reject a bad mode first
  // A sweep file names its base run; a run file names its topology.
  const ConfigNode root = load_yaml_file(o.file);
  nlohmann::json out;
  if (root.is_map() && root.has("base") && !root.has("topology")) {
    const SweepSpec spec = SweepSpec::load(o.file);
    out = nlohmann::json::array();
    for (const SweepPoint& p : spec.expand()) {
      try {
        nlohmann::json j = validate_run(o, spec.base, p.overrides(o.sets));
        j["point_id"] = p.id;
        out.push_back(std::move(j));
      } catch (const Error& e) {
        p.rethrow(spec.path, e);
      }
    }
  } else {
    out = validate_run(o, o.file, o.sets);
  }
  bool fits = true;
  for (const auto& j : out.is_array() ? out : nlohmann::json::array({out})) fits = fits && j["ok"].get<bool>();
  if (o.json) {
    std::cout << out.dump(2) << "\n";
  } else if (out.is_array()) {
    for (const auto& j : out) print_human(j);
    std::printf("%zu points ok\n", out.size());
  } else {
    print_human(out);
  }
  if (!fits) {
    std::cout.flush();
    throw ConfigError(SourceLocation{o.file, 0, 0}, "the run would exceed the memory limit (see the estimate above); give --max-memory to allow more");
  }
}

}  // namespace

void setup_validate(CLI::App& app) {
  auto opt = std::make_shared<ValidateOptions>();
  CLI::App* sub = app.add_subcommand(
      "validate", "Check a run (or sweep) file as a run would, without simulating; --estimate: predicted cost");
  sub->add_option("file", opt->file, "Run file, or sweep file (every point)")->required();
  sub->add_option("--set", opt->sets, "Override a config value: key.path=value (repeatable)");
  sub->add_option("--calibration", opt->calibration, "Collective calibration: nccl, ideal or a file");
  sub->add_option("--seed", opt->seed, "Seed (default: the run file's)");
  sub->add_option("--failure-impact", opt->failure_impact, "As for 'gigasim run' (counts its comparison replays)")
      ->capture_default_str();
  sub->add_flag("--estimate", opt->estimate, "Predict flows, memory and wall time");
  sub->add_flag("--json", opt->json, "Print JSON on stdout");
  add_max_memory_option(sub, opt->max_memory);
  sub->callback([opt] { validate_command(*opt); });
}

}  // namespace gigasim
