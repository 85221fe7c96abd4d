#include "sim/spec/sweep_spec.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "sim/core/hash.hpp"

namespace gigasim {
namespace {

namespace fs = std::filesystem;

// A value as it would be written after `--set key=`: scalars as is, lists and maps in flow style.
std::string value_text(const ConfigNode& n) {
  if (n.is_scalar()) return n.as_string();
  YAML::Emitter out;
  out << YAML::Flow << n.yaml();
  return out.c_str();
}

// The values of one axis. Values of the `topology` and `workload` axes are files, relative to
// the sweep file.
std::vector<std::string> values_of(const std::string& key, const ConfigNode& axis, const std::string& sweep_file) {
  axis.require_sequence("a list of values");
  if (axis.size() == 0) axis.fail(fmt::format("axis '{}' has no values", axis.path()));
  std::vector<std::string> v;
  for (size_t i = 0; i < axis.size(); ++i) {
    std::string value = value_text(axis.element(i));
    if ((key == "topology" || key == "workload") && axis.element(i).is_scalar()) {
      fs::path p(value);
      if (p.is_relative()) p = fs::path(sweep_file).parent_path() / p;
      if (!fs::exists(p)) axis.element(i).fail(fmt::format("{} file '{}' not found", key, p.string()));
      value = fs::absolute(p).lexically_normal().string();
    }
    v.push_back(value);
  }
  return v;
}

uint64_t fnv(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return mix64(h);
}

}  // namespace

SweepSpec SweepSpec::load(const std::string& path) {
  SweepSpec s;
  s.path = path;
  ConfigNode root = load_yaml_file(path);
  root.require_map("a sweep: a mapping with 'base' and 'grid' or 'zip'");
  root.check_keys({"name", "description", "base", "grid", "zip", "seeds"});
  s.name = root.get_string("name", fs::path(path).stem().string());
  const ConfigNode base = root.at("base");
  fs::path b(base.as_string());
  if (b.is_relative()) b = fs::path(path).parent_path() / b;
  if (!fs::exists(b)) base.fail(fmt::format("base run file '{}' not found", b.string()));
  s.base = fs::absolute(b).lexically_normal().string();
  if (auto g = root.find("grid")) {
    for (const auto& [key, axis] : g->entries()) s.grid.emplace_back(key, values_of(key, axis, path));
  }
  if (auto z = root.find("zip")) {
    z->require_sequence("a list of groups of axes advanced together");
    for (size_t i = 0; i < z->size(); ++i) {
      const ConfigNode group = z->element(i);
      std::vector<std::pair<std::string, std::vector<std::string>>> axes;
      for (const auto& [key, axis] : group.entries()) {
        axes.emplace_back(key, values_of(key, axis, path));
        if (axes.back().second.size() != axes.front().second.size()) {
          axis.fail(fmt::format("zipped axes must have equal lengths: '{}' has {}, '{}' has {}", key,
                                axes.back().second.size(), axes.front().first, axes.front().second.size()));
        }
      }
      if (axes.empty()) group.fail("an empty zip group");
      s.zips.push_back(std::move(axes));
    }
  }
  if (auto seeds = root.find("seeds")) {
    if (seeds->is_sequence()) {
      for (size_t i = 0; i < seeds->size(); ++i) s.seeds.push_back(seeds->element(i).as_int(0, INT64_MAX));
    } else {
      const int64_t n = seeds->as_int(1, 100000);
      for (int64_t i = 1; i <= n; ++i) s.seeds.push_back(i);
    }
  }
  if (s.grid.empty() && s.zips.empty() && s.seeds.empty()) root.fail("a sweep needs 'grid', 'zip' or 'seeds'");
  // An axis may appear once.
  std::vector<std::string> keys;
  for (const auto& [k, v] : s.grid) keys.push_back(k);
  for (const auto& z : s.zips) {
    for (const auto& [k, v] : z) keys.push_back(k);
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    for (size_t j = i + 1; j < keys.size(); ++j) {
      if (keys[i] == keys[j]) root.fail(fmt::format("axis '{}' appears twice", keys[i]));
    }
  }
  // Before expand() allocates them: a bounded number of points (the product saturates).
  constexpr double kMaxPoints = 1e6;
  double total = s.seeds.empty() ? 1.0 : static_cast<double>(s.seeds.size());
  for (const auto& z : s.zips) total *= static_cast<double>(z.front().second.size());
  for (const auto& [k, v] : s.grid) total *= static_cast<double>(v.size());
  if (total > kMaxPoints) {
    root.fail(fmt::format("the sweep expands to {:.4g} points, more than {:.0f}", total, kMaxPoints));
  }
  return s;
}

std::vector<std::string> SweepPoint::overrides(const std::vector<std::string>& extra) const {
  std::vector<std::string> sets;
  for (const auto& [k, v] : params) {
    if (k == "topology" || k == "workload") sets.push_back(k + "=" + v);
  }
  sets.insert(sets.end(), extra.begin(), extra.end());
  for (const auto& [k, v] : params) {
    if (k != "topology" && k != "workload") sets.push_back(k + "=" + v);
  }
  if (seed >= 0) sets.push_back(fmt::format("seed={}", seed));
  return sets;
}

std::string SweepPoint::describe() const {
  std::string p;
  for (const auto& [k, v] : params) p += fmt::format(" {}={}", k, v);
  if (seed >= 0) p += fmt::format(" seed={}", seed);
  return fmt::format("{} ({})", id, p.empty() ? "base" : p.substr(1));
}

void SweepPoint::rethrow(const std::string& sweep_file, const Error& e) const {
  if (dynamic_cast<const IoError*>(&e) != nullptr) {
    throw IoError(fmt::format("{}: error: sweep point {}: {}", sweep_file, describe(), e.what()));
  }
  throw ConfigError(SourceLocation{sweep_file, 0, 0}, fmt::format("sweep point {}: {}", describe(), e.what()));
}

std::vector<SweepPoint> SweepSpec::expand() const {
  // Mixed-radix counting over: zip groups (outermost), grid axes, seeds (innermost).
  std::vector<size_t> radix;
  for (const auto& z : zips) radix.push_back(z.front().second.size());
  for (const auto& [k, v] : grid) radix.push_back(v.size());
  radix.push_back(seeds.empty() ? 1 : seeds.size());
  uint64_t total = 1;
  for (size_t r : radix) total *= r;
  std::vector<SweepPoint> points;
  points.reserve(total);
  std::vector<size_t> digit(radix.size(), 0);
  for (uint64_t i = 0; i < total; ++i) {
    uint64_t rest = i;
    for (size_t d = radix.size(); d-- > 0;) {
      digit[d] = rest % radix[d];
      rest /= radix[d];
    }
    SweepPoint p;
    p.index = static_cast<uint32_t>(i);
    size_t d = 0;
    for (const auto& z : zips) {
      for (const auto& [k, v] : z) p.params.emplace_back(k, v[digit[d]]);
      ++d;
    }
    for (const auto& [k, v] : grid) p.params.emplace_back(k, v[digit[d++]]);
    p.seed = seeds.empty() ? -1 : seeds[digit[d]];
    std::string canon;
    for (const auto& [k, v] : p.params) canon += k + "=" + v + ";";
    canon += "seed=" + std::to_string(p.seed);
    p.id = fmt::format("{:05d}-{:08x}", i, static_cast<uint32_t>(fnv(canon)));
    points.push_back(std::move(p));
  }
  return points;
}

}  // namespace gigasim
