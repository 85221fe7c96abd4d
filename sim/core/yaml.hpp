#pragma once
// Config nodes: a thin layer over yaml-cpp that remembers which file a node came from and the
// key path that led to it, so every complaint about a value reads "file:line:col: error: ...".
// It also owns the typed accessors with units (bandwidth, duration, bytes), the unknown-key check
// ("did you mean ...?") and `--set key.path=value` overrides. Values set on the command line
// have no line; their errors name the override instead.
// Only this file, topologies/, workloads/ and the spec loaders in sim/cli see yaml-cpp.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/error.hpp"

namespace gigasim {

class ConfigNode {
 public:
  ConfigNode() = default;
  /// `file` names the document the node came from; `path` is the key path from the config root
  /// ("topology.links.nic"), used in messages and matching --set syntax.
  ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path);
  ConfigNode(const ConfigNode&) = default;
  ConfigNode(ConfigNode&&) = default;
  /// Rebinds to `o`'s node. (yaml-cpp's own Node::operator= writes through the reference into
  /// the node it refers to, which would silently rewrite the config tree.)
  ConfigNode& operator=(const ConfigNode& o);
  ConfigNode& operator=(ConfigNode&& o) { return *this = static_cast<const ConfigNode&>(o); }

  const YAML::Node& yaml() const { return node_; }
  const std::string& path() const { return path_; }
  const std::string& file() const { return *file_; }
  std::shared_ptr<const std::string> file_ptr() const { return file_; }
  SourceLocation where() const;
  [[noreturn]] void fail(const std::string& message) const;

  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool is_null() const { return !node_.IsDefined() || node_.IsNull(); }
  size_t size() const { return node_.size(); }

  /// Throws unless the node is a map (or a sequence) — names what was expected.
  void require_map(const char* what = "a mapping") const;
  void require_sequence(const char* what = "a list") const;

  bool has(std::string_view key) const;
  /// The child `key`; Throws: ConfigError at this map if it is missing.
  ConfigNode at(std::string_view key) const;
  std::optional<ConfigNode> find(std::string_view key) const;
  /// Element i of a sequence.
  ConfigNode element(size_t i) const;
  /// Every key of a map, with its value.
  std::vector<std::pair<std::string, ConfigNode>> entries() const;

  /// Throws at the first key that is not in `allowed`, suggesting the closest allowed key.
  void check_keys(std::initializer_list<std::string_view> allowed) const;
  void check_keys(std::span<const std::string_view> allowed) const;

  // Scalars (this node).
  std::string as_string() const;
  int64_t as_int(int64_t min = INT64_MIN, int64_t max = INT64_MAX) const;
  double as_double() const;
  bool as_bool() const;
  double as_bandwidth() const;   ///< bytes/s, > 0
  double as_duration() const;    ///< seconds, >= 0
  double as_bytes() const;       ///< bytes, >= 0
  double as_flop_rate() const;   ///< FLOP/s, > 0
  double as_flops() const;       ///< FLOP, >= 0
  /// A file name, relative to the directory of the file this node came from (to the working
  /// directory for a value given with --set).
  std::string as_path() const;
  /// A positive ratio written as a number (2, 0.5) or "a:b" (meaning a/b): oversubscription.
  double as_ratio() const;

  // Keyed shortcuts: required (no default) and optional (with default).
  std::string get_string(std::string_view key) const { return at(key).as_string(); }
  std::string get_string(std::string_view key, const std::string& def) const;
  int64_t get_int(std::string_view key, int64_t min = INT64_MIN, int64_t max = INT64_MAX) const {
    return at(key).as_int(min, max);
  }
  int64_t get_int(std::string_view key, int64_t def, int64_t min, int64_t max) const;
  double get_double(std::string_view key, double def) const;
  bool get_bool(std::string_view key, bool def) const;
  double get_duration(std::string_view key) const { return at(key).as_duration(); }
  double get_duration(std::string_view key, double def) const;
  double get_bytes(std::string_view key) const { return at(key).as_bytes(); }
  double get_bytes(std::string_view key, double def) const;
  double get_bandwidth(std::string_view key) const { return at(key).as_bandwidth(); }

 private:
  ConfigNode child(const YAML::Node& n, std::string_view key) const;

  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::string path_;
};

/// Loads a YAML file. Throws: IoError if it cannot be read, ConfigError (with line and column)
/// on a syntax error or an empty document.
ConfigNode load_yaml_file(const std::string& path);
/// Parses YAML text that stands for a file called `name` (tests, embedded presets).
ConfigNode load_yaml_string(const std::string& text, const std::string& name);

/// Applies "a.b.c=value" to `root` (a map), creating intermediate maps. The value is parsed as
/// YAML (so lists and numbers work) and carries no line: errors about it name the override.
/// Throws: ConfigError if the text has no '=' or the path crosses a non-map.
void apply_override(YAML::Node& root, const std::string& assignment);

/// Emits a node as block-style YAML text (for /config in result files).
std::string to_yaml_text(const YAML::Node& node);

/// Deep copy without source marks (yaml-cpp nodes are references otherwise).
YAML::Node clone_without_marks(const YAML::Node& node);

/// The closest candidate by edit distance, or "" when none is close.
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace gigasim
