#include "sim/spec/run_spec.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace gigasim {
namespace {

namespace fs = std::filesystem;

// Replaces a section given as a file name by that file's document. Returns the file the section
// came from (the run file itself when inline).
std::string resolve_section(YAML::Node& root, const ConfigNode& run, const std::string& key) {
  auto node = run.find(key);
  if (!node) return run.file();
  if (!node->is_scalar()) return run.file();
  // Relative to the run file; a name given with --set is relative to the working directory.
  const std::string p = node->as_path();
  if (!fs::exists(p)) node->fail(fmt::format("{} file '{}' not found", key, p));
  if (fs::is_directory(p)) node->fail(fmt::format("{} file '{}' is a directory, not a YAML file", key, p));
  ConfigNode doc = load_yaml_file(p);
  root[key] = doc.yaml();
  return doc.file();
}

void apply_all(YAML::Node& root, const std::vector<std::string>& overrides) {
  for (const std::string& o : overrides) apply_override(root, o);
}

}  // namespace

RunSpec load_run_spec(const std::string& path, const std::vector<std::string>& overrides) {
  RunSpec s;
  s.path = path;
  ConfigNode run = load_yaml_file(path);
  run.require_map("a run file: a mapping with 'topology' and 'workload'");
  run.check_keys({"name", "description", "topology", "workload", "network", "seed", "output", "calibration", "sweep", "failures"});
  YAML::Node root = run.yaml();
  // Overrides that replace a whole section by a file name apply first, so the file is loaded.
  std::vector<std::string> rest;
  for (const std::string& o : overrides) {
    if (o.rfind("topology=", 0) == 0 || o.rfind("workload=", 0) == 0) {
      apply_override(root, o);
    } else {
      rest.push_back(o);
    }
  }
  run = ConfigNode(root, run.file_ptr(), "");
  const std::string topo_file = resolve_section(root, run, "topology");
  const std::string work_file = resolve_section(root, run, "workload");
  const std::string fail_file = resolve_section(root, run, "failures");
  apply_all(root, rest);
  s.root = ConfigNode(root, run.file_ptr(), "");
  // Re-check after overrides: --set may add an unknown key.
  s.root.check_keys({"name", "description", "topology", "workload", "network", "seed", "output", "calibration", "sweep", "failures"});
  auto file_of = [&](const std::string& f) { return f == run.file() ? run.file_ptr() : std::make_shared<const std::string>(f); };
  s.topology = ConfigNode(s.root.at("topology").yaml(), file_of(topo_file), "topology");
  s.workload = ConfigNode(s.root.at("workload").yaml(), file_of(work_file), "workload");
  s.topology.require_map("a mapping (or the path of a topology file)");
  s.workload.require_map("a mapping (or the path of a workload file)");
  s.network = s.root.find("network");
  if (auto f = s.root.find("failures")) {
    s.failures = ConfigNode(f->yaml(), file_of(fail_file), "failures");
    s.failures_yaml = to_yaml_text(f->yaml());
  }
  s.seed = s.root.get_int("seed", 1, 0, INT64_MAX);
  s.output = s.root.get_string("output", "");
  if (auto sw = s.root.find("sweep")) {
    sw->require_map("{name, point_id, params}");
    sw->check_keys({"name", "point_id", "params"});
    s.point_id = sw->get_string("point_id", "");
    if (auto ps = sw->find("params")) {
      for (const auto& [k, v] : ps->entries()) s.params.emplace_back(k, v.is_scalar() ? v.as_string() : to_yaml_text(v.yaml()));
    }
  }
  if (auto c = s.root.find("calibration")) {
    s.calibration = c->as_string();
    if (s.calibration != "nccl" && s.calibration != "ideal") {
      fs::path p(s.calibration);
      if (p.is_relative()) p = fs::path(run.file()).parent_path() / p;
      if (!fs::exists(p)) c->fail(fmt::format("calibration file '{}' not found (or use nccl, ideal)", p.string()));
      s.calibration = p.lexically_normal().string();
    }
  }
  s.run_yaml = to_yaml_text(root);
  s.topology_yaml = to_yaml_text(s.topology.yaml());
  s.workload_yaml = to_yaml_text(s.workload.yaml());
  return s;
}

ConfigNode load_topology_or_run(const std::string& path, const std::vector<std::string>& overrides) {
  ConfigNode doc = load_yaml_file(path);
  doc.require_map("a topology (with 'kind') or a run file (with 'topology')");
  if (doc.has("topology")) return load_run_spec(path, overrides).topology;
  YAML::Node root = doc.yaml();
  apply_all(root, overrides);
  return ConfigNode(root, doc.file_ptr(), "");
}

}  // namespace gigasim
