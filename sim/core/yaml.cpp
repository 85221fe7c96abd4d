#include "sim/core/yaml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/core/units.hpp"

namespace gigasim {

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {}

ConfigNode& ConfigNode::operator=(const ConfigNode& o) {
  if (this != &o) {
    node_.reset(o.node_);
    file_ = o.file_;
    path_ = o.path_;
  }
  return *this;
}

SourceLocation ConfigNode::where() const {
  const std::string file = file_ ? *file_ : std::string("<config>");
  const YAML::Mark m = node_.IsDefined() ? node_.Mark() : YAML::Mark::null_mark();
  if (m.is_null() || m.line < 0) {
    return SourceLocation{path_.empty() ? file : file + " (--set " + path_ + ")", 0, 0};
  }
  return SourceLocation{file, m.line + 1, m.column + 1};
}

void ConfigNode::fail(const std::string& message) const { throw ConfigError(where(), message); }

void ConfigNode::require_map(const char* what) const {
  if (!node_.IsMap()) {
    fail(fmt::format("'{}' must be {}", path_.empty() ? "document" : path_, what));
  }
}

void ConfigNode::require_sequence(const char* what) const {
  if (!node_.IsSequence()) fail(fmt::format("'{}' must be {}", path_, what));
}

ConfigNode ConfigNode::child(const YAML::Node& n, std::string_view key) const {
  std::string p = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  return ConfigNode(n, file_, std::move(p));
}

bool ConfigNode::has(std::string_view key) const {
  if (!node_.IsMap()) return false;
  const YAML::Node& n = node_;
  return static_cast<bool>(n[std::string(key)]);
}

ConfigNode ConfigNode::at(std::string_view key) const {
  require_map();
  const YAML::Node& n = node_;
  YAML::Node v = n[std::string(key)];
  if (!v) fail(fmt::format("missing required key '{}' in '{}'", key, path_.empty() ? "document" : path_));
  return child(v, key);
}

std::optional<ConfigNode> ConfigNode::find(std::string_view key) const {
  if (!node_.IsMap()) return std::nullopt;
  const YAML::Node& n = node_;
  YAML::Node v = n[std::string(key)];
  if (!v) return std::nullopt;
  return child(v, key);
}

ConfigNode ConfigNode::element(size_t i) const {
  require_sequence();
  const YAML::Node& n = node_;
  return ConfigNode(n[i], file_, fmt::format("{}[{}]", path_, i));
}

std::vector<std::pair<std::string, ConfigNode>> ConfigNode::entries() const {
  require_map();
  std::vector<std::pair<std::string, ConfigNode>> out;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    std::string k = it->first.as<std::string>();
    out.emplace_back(k, child(it->second, k));
  }
  return out;
}

namespace {
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string best;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (std::string_view c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = std::string(c);
    }
  }
  return best;
}

void ConfigNode::check_keys(std::initializer_list<std::string_view> allowed) const {
  check_keys(std::span<const std::string_view>(allowed.begin(), allowed.size()));
}

void ConfigNode::check_keys(std::span<const std::string_view> allowed) const {
  require_map();
  std::vector<std::string_view> list(allowed.begin(), allowed.end());
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string key = it->first.as<std::string>();
    if (std::find(list.begin(), list.end(), key) != list.end()) continue;
    ConfigNode key_node(it->first, file_, path_.empty() ? key : path_ + "." + key);
    std::string msg = fmt::format("unknown key '{}'{}", key, path_.empty() ? "" : " in '" + path_ + "'");
    std::string hint = closest_match(key, list);
    if (!hint.empty()) {
      msg += fmt::format(" (did you mean '{}'?)", hint);
    } else {
      std::string all;
      for (std::string_view a : list) all += (all.empty() ? "" : ", ") + std::string(a);
      msg += fmt::format(" (allowed: {})", all);
    }
    key_node.fail(msg);
  }
}

std::string ConfigNode::as_string() const {
  if (!node_.IsScalar()) fail(fmt::format("'{}' must be a single value", path_));
  return node_.Scalar();
}

int64_t ConfigNode::as_int(int64_t min, int64_t max) const {
  const std::string s = as_string();
  int64_t v = 0;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (b != e && *b == '+') ++b;
  auto [ptr, ec] = std::from_chars(b, e, v);
  if (ec == std::errc::result_out_of_range) fail(fmt::format("'{}' = {} is out of range", path_, s));
  if (ec != std::errc() || ptr != e) {
    // Accept integral values written like 1e3 or 4096.0.
    double d = 0;
    auto [p2, ec2] = std::from_chars(b, e, d);
    if (ec2 != std::errc() || p2 != e || d != std::floor(d) || std::fabs(d) > 9.0e18) {
      fail(fmt::format("'{}' must be an integer, got '{}'", path_, s));
    }
    v = static_cast<int64_t>(d);
  }
  if (v < min) {
    if (min == 1) fail(fmt::format("'{}' must be positive, got {}", path_, v));
    fail(fmt::format("'{}' must be at least {}, got {}", path_, min, v));
  }
  if (v > max) fail(fmt::format("'{}' = {} is too large (at most {})", path_, v, max));
  return v;
}

double ConfigNode::as_double() const {
  const std::string s = as_string();
  double d = 0;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (b != e && *b == '+') ++b;
  auto [ptr, ec] = std::from_chars(b, e, d);
  if (ec != std::errc() || ptr != e || !std::isfinite(d)) {
    fail(fmt::format("'{}' must be a number, got '{}'", path_, s));
  }
  return d;
}

bool ConfigNode::as_bool() const {
  const std::string s = as_string();
  if (s == "true" || s == "yes" || s == "on" || s == "True") return true;
  if (s == "false" || s == "no" || s == "off" || s == "False") return false;
  fail(fmt::format("'{}' must be true or false, got '{}'", path_, s));
}

namespace {
template <class F>
double unit_value(const ConfigNode& n, F parse, bool strictly_positive, const char* what) {
  double v = 0;
  try {
    v = parse(n.as_string());
  } catch (const UnitError& e) {
    n.fail(fmt::format("'{}': {}", n.path(), e.what()));
  }
  if (strictly_positive && !(v > 0)) {
    n.fail(fmt::format("'{}' must be a positive {}, got '{}'", n.path(), what, n.as_string()));
  }
  if (!strictly_positive && v < 0) {
    n.fail(fmt::format("'{}' must not be negative, got '{}'", n.path(), n.as_string()));
  }
  return v;
}
}  // namespace

double ConfigNode::as_bandwidth() const { return unit_value(*this, parse_bandwidth, true, "bandwidth"); }
double ConfigNode::as_duration() const { return unit_value(*this, parse_duration, false, "duration"); }
double ConfigNode::as_bytes() const { return unit_value(*this, parse_bytes, false, "size"); }
double ConfigNode::as_flop_rate() const { return unit_value(*this, parse_flop_rate, true, "compute rate"); }
double ConfigNode::as_flops() const { return unit_value(*this, parse_flops, false, "FLOP count"); }

std::string ConfigNode::as_path() const {
  std::filesystem::path p(as_string());
  if (p.is_relative() && file_ && where().line > 0) p = std::filesystem::path(*file_).parent_path() / p;
  return p.lexically_normal().string();
}

double ConfigNode::as_ratio() const {
  const std::string s = as_string();
  const auto colon = s.find(':');
  double v = 0;
  if (colon == std::string::npos) {
    v = as_double();
  } else {
    double a = 0, b = 0;
    auto r1 = std::from_chars(s.data(), s.data() + colon, a);
    auto r2 = std::from_chars(s.data() + colon + 1, s.data() + s.size(), b);
    if (r1.ec != std::errc() || r2.ec != std::errc() || r1.ptr != s.data() + colon ||
        r2.ptr != s.data() + s.size() || b == 0) {
      fail(fmt::format("'{}' must be a ratio like 2 or \"2:1\", got '{}'", path_, s));
    }
    v = a / b;
  }
  if (!(v > 0) || !std::isfinite(v)) fail(fmt::format("'{}' must be a positive ratio, got '{}'", path_, s));
  return v;
}

std::string ConfigNode::get_string(std::string_view key, const std::string& def) const {
  auto n = find(key);
  return n ? n->as_string() : def;
}
int64_t ConfigNode::get_int(std::string_view key, int64_t def, int64_t min, int64_t max) const {
  auto n = find(key);
  return n ? n->as_int(min, max) : def;
}
double ConfigNode::get_double(std::string_view key, double def) const {
  auto n = find(key);
  return n ? n->as_double() : def;
}
bool ConfigNode::get_bool(std::string_view key, bool def) const {
  auto n = find(key);
  return n ? n->as_bool() : def;
}
double ConfigNode::get_duration(std::string_view key, double def) const {
  auto n = find(key);
  return n ? n->as_duration() : def;
}
double ConfigNode::get_bytes(std::string_view key, double def) const {
  auto n = find(key);
  return n ? n->as_bytes() : def;
}

namespace {
// yaml-cpp keeps both entries of a repeated key and finds the first: a later value the user
// meant to win would be ignored silently. Refuse it, at the second occurrence. And keys that
// are not names (found by fuzz_failures: a flow map as a key made check_keys throw yaml-cpp's
// bad conversion, an internal error).
void reject_duplicate_keys(const YAML::Node& node, const std::string& name, int depth = 0) {
  if (depth > 4096) return;  // yaml-cpp bounds nesting itself; this only bounds our recursion
  if (node.IsSequence()) {
    for (const auto& e : node) reject_duplicate_keys(e, name, depth + 1);
  } else if (node.IsMap()) {
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) {  // `{a: 1}: 2`, `? [x]`: every loader reads keys as names
        const YAML::Mark m = it->first.Mark();
        throw ConfigError(SourceLocation{name, m.line + 1, m.column + 1},
                          "a key must be a plain name, not a mapping, a list or empty");
      }
      if (!seen.insert(it->first.Scalar()).second) {
        const YAML::Mark m = it->first.Mark();
        throw ConfigError(SourceLocation{name, m.line + 1, m.column + 1},
                          fmt::format("duplicate key '{}' (each key may appear once in a mapping)", it->first.Scalar()));
      }
      reject_duplicate_keys(it->second, name, depth + 1);
    }
  }
}

ConfigNode parse_document(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(SourceLocation{name, e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  auto file = std::make_shared<const std::string>(name);
  if (!root || root.IsNull()) throw ConfigError(SourceLocation{name, 0, 0}, "the document is empty");
  reject_duplicate_keys(root, name);
  return ConfigNode(root, file, "");
}
}  // namespace

ConfigNode load_yaml_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw ConfigError(SourceLocation{path, 0, 0}, "no such file");
  if (std::filesystem::is_directory(path, ec)) throw ConfigError(SourceLocation{path, 0, 0}, "is a directory, not a YAML file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("{}: error: cannot read file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_document(ss.str(), path);
}

ConfigNode load_yaml_string(const std::string& text, const std::string& name) {
  return parse_document(text, name);
}

YAML::Node clone_without_marks(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return YAML::Node(node.Scalar());
    case YAML::NodeType::Sequence: {
      YAML::Node out(YAML::NodeType::Sequence);
      for (const auto& e : node) out.push_back(clone_without_marks(e));
      return out;
    }
    case YAML::NodeType::Map: {
      YAML::Node out(YAML::NodeType::Map);
      for (auto it = node.begin(); it != node.end(); ++it) {
        out[it->first.as<std::string>()] = clone_without_marks(it->second);
      }
      return out;
    }
    default:
      return YAML::Node(YAML::NodeType::Null);
  }
}

void apply_override(YAML::Node& root, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError(fmt::format("--set expects key.path=value, got '{}'", assignment));
  }
  const std::string path = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  YAML::Node value;
  try {
    value = clone_without_marks(YAML::Load(text));
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("--set {}: cannot parse value '{}': {}", path, text, e.msg));
  }
  std::vector<std::string> keys;
  size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    keys.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  // yaml-cpp nodes have reference semantics: walk by reassigning a handle.
  YAML::Node cur = root;
  std::string walked;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].empty()) throw ConfigError(fmt::format("--set: empty key in '{}'", path));
    if (!cur.IsMap() && !cur.IsNull()) {
      throw ConfigError(fmt::format("--set {}: '{}' is not a mapping", path, walked));
    }
    if (i + 1 == keys.size()) {
      cur[keys[i]] = value;
    } else {
      YAML::Node next = cur[keys[i]];
      if (!next || next.IsNull()) {
        cur[keys[i]] = YAML::Node(YAML::NodeType::Map);
        next = cur[keys[i]];
      }
      cur.reset(next);
    }
    walked += (walked.empty() ? "" : ".") + keys[i];
  }
}

std::string to_yaml_text(const YAML::Node& node) {
  YAML::Emitter out;
  out << node;
  return std::string(out.c_str()) + "\n";
}

}  // namespace gigasim
