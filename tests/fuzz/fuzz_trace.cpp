// gigasim-trace documents (kind: trace): read and check, then compile on a small cluster when
// the trace fits it.
#include "sim/collectives/calibration.hpp"
#include "sim/plan/rank_program.hpp"
#include "tests/fuzz/fuzz_cluster.hpp"
#include "tests/fuzz/fuzz_common.hpp"
#include "workloads/trace_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gigasim_fuzz::run(data, size, [](const std::string& text) {
    const gigasim::ConfigNode doc = gigasim::load_yaml_string(text, "fuzz.gtrace.yaml");
    const gigasim::Workload w = gigasim::read_trace(doc);
    const gigasim::Topology& topo = gigasim_fuzz::cluster();
    if (w.ranks == 0 || w.ranks > topo.gpus) return;
    const gigasim::Calibration cal = gigasim::Calibration::nccl().for_profile(topo.gpu_model);
    gigasim::RankProgram::compile(w, topo, cal);
  });
}
