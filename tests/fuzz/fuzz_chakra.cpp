// Chakra ET import (kind: chakra): the input is one rank's .et file (protobuf, varint-delimited
// nodes), imported as a one-rank template on a small cluster and compiled.
#include <unistd.h>

#include "sim/collectives/calibration.hpp"
#include "sim/plan/rank_program.hpp"
#include "tests/fuzz/fuzz_cluster.hpp"
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gigasim_fuzz::run(data, size, [](const std::string& bytes) {
    const std::string prefix = "/tmp/gigasim-fuzz-chakra-" + std::to_string(getpid());
    FILE* f = std::fopen((prefix + ".0.et").c_str(), "wb");
    if (f == nullptr) return;
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    const gigasim::ConfigNode spec = gigasim::load_yaml_string(
        "{kind: chakra, prefix: '" + prefix + "', template_ranks: 1, replicas: 1}", "fuzz-chakra.yaml");
    const gigasim::Topology& topo = gigasim_fuzz::cluster();
    const gigasim::Workload w = gigasim::build_workload(spec, gigasim_fuzz::cluster_info());
    const gigasim::Calibration cal = gigasim::Calibration::nccl().for_profile(topo.gpu_model);
    gigasim::RankProgram::compile(w, topo, cal);
  });
}
