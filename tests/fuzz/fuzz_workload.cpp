// Workload sections (collective, data_parallel, llm, trace, ...) on a small cluster: build the
// workload, then compile it as the engine would (RankProgram: streams, groups, algorithms).
#include "sim/collectives/calibration.hpp"
#include "sim/plan/rank_program.hpp"
#include "tests/fuzz/fuzz_cluster.hpp"
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gigasim_fuzz::run(data, size, [](const std::string& text) {
    const gigasim::ConfigNode doc = gigasim::load_yaml_string(text, "fuzz-workload.yaml");
    const gigasim::Topology& topo = gigasim_fuzz::cluster();
    const gigasim::Workload w = gigasim::build_workload(doc, gigasim_fuzz::cluster_info());
    const gigasim::Calibration cal = gigasim::Calibration::nccl().for_profile(topo.gpu_model);
    gigasim::RankProgram::compile(w, topo, cal);
  });
}
