#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "sim/core/yaml.hpp"

using namespace gigasim;

namespace {
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("syntax errors carry file:line:column") {
  const std::string msg = error_of([] { load_yaml_string("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml"); });
  CHECK(msg.rfind("bad.yaml:", 0) == 0);
  CHECK(msg.find(": error: ") != std::string::npos);
}

TEST_CASE("unknown keys point at the key and suggest the closest") {
  ConfigNode n = load_yaml_string("kind: fat_tree\nservres: 4\n", "t.yaml");
  const std::string msg = error_of([&] { n.check_keys({"kind", "servers"}); });
  CHECK(msg.find("t.yaml:2:1: error: unknown key 'servres'") == 0);
  CHECK(msg.find("did you mean 'servers'") != std::string::npos);
}

TEST_CASE("typed values: wrong types, bad units, non-positive bandwidth") {
  ConfigNode n = load_yaml_string("a: abc\nbw: 0Gbps\nneg: -5\nlat: 1 parsec\nok: 400Gbps\n", "v.yaml");
  CHECK(error_of([&] { n.get_int("a", 1, 100); }).find("v.yaml:1:4: error: 'a' must be an integer") == 0);
  CHECK(error_of([&] { n.get_bandwidth("bw"); }).find("v.yaml:2:5: error: 'bw' must be a positive bandwidth") == 0);
  CHECK(error_of([&] { n.get_int("neg", 1, 100); }).find("v.yaml:3:6: error: 'neg' must be positive") == 0);
  CHECK(error_of([&] { n.get_duration("lat"); }).find("v.yaml:4:6: error:") == 0);
  CHECK(n.get_bandwidth("ok") == doctest::Approx(50e9));
}

TEST_CASE("missing required key names the map") {
  ConfigNode n = load_yaml_string("x:\n  y: 1\n", "m.yaml");
  const std::string msg = error_of([&] { n.at("x").at("z"); });
  CHECK(msg.find("m.yaml:2:3: error: missing required key 'z' in 'x'") == 0);
}

TEST_CASE("--set overrides create and replace values; their errors name the override") {
  ConfigNode n = load_yaml_string("topology:\n  servers: 4\n", "r.yaml");
  YAML::Node root = n.yaml();
  apply_override(root, "topology.servers=16");
  apply_override(root, "topology.links.nic.bandwidth=200Gbps");
  ConfigNode r(root, n.file_ptr(), "");
  CHECK(r.at("topology").get_int("servers", 1, 100) == 16);
  CHECK(r.at("topology").at("links").at("nic").get_bandwidth("bandwidth") == doctest::Approx(25e9));
  apply_override(root, "topology.servers=many");
  const std::string msg = error_of([&] { r.at("topology").get_int("servers", 1, 100); });
  CHECK(msg.find("r.yaml (--set topology.servers): error:") == 0);
  CHECK_THROWS_AS(apply_override(root, "novalue"), ConfigError);
  CHECK_THROWS_AS(apply_override(root, "topology.servers.x=1"), ConfigError);
}

TEST_CASE("ratios for oversubscription") {
  ConfigNode n = load_yaml_string("a: 2\nb: \"7:1\"\nc: \"1:0\"\n", "o.yaml");
  CHECK(n.at("a").as_ratio() == 2.0);
  CHECK(n.at("b").as_ratio() == 7.0);
  CHECK_THROWS_AS(n.at("c").as_ratio(), ConfigError);
}

TEST_CASE("empty documents and missing files") {
  CHECK_THROWS_AS(load_yaml_string("", "e.yaml"), ConfigError);
  CHECK(error_of([] { load_yaml_file("/nonexistent/x.yaml"); }).find("/nonexistent/x.yaml: error: no such file") == 0);
}

TEST_CASE("assigning a ConfigNode rebinds it and leaves the tree alone") {
  ConfigNode root = load_yaml_string("a: {x: 1, y: 2}\nb: 3\n", "r.yaml");
  ConfigNode n = root.at("a");
  n = n.at("x");
  CHECK(n.as_int() == 1);
  CHECK(root.at("a").is_map());
  CHECK(root.at("a").get_int("y", 0, 10) == 2);
}

TEST_CASE("as_path: relative to the file a value came from; --set values to the working directory") {
  ConfigNode n = load_yaml_string("file: traces/../t.yaml\nabs: /data/t.yaml\n", "runs/a/run.yaml");
  CHECK(n.at("file").as_path() == "runs/a/t.yaml");
  CHECK(n.at("abs").as_path() == "/data/t.yaml");
  YAML::Node root = n.yaml();
  apply_override(root, "file=here.yaml");
  CHECK(ConfigNode(root, n.file_ptr(), "").at("file").as_path() == "here.yaml");
}
