// Topology documents (fat_tree, rail_optimized, rail_only, graph): parse, build, validate.
#include "sim/core/yaml.hpp"
#include "tests/fuzz/fuzz_common.hpp"
#include "topologies/topology_builder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gigasim_fuzz::run(data, size, [](const std::string& text) {
    const gigasim::ConfigNode doc = gigasim::load_yaml_string(text, "fuzz-topology.yaml");
    gigasim::build_topology(doc);
  });
}
