// Run files: load (sections inline or by path, --set semantics), then everything `gigasim run`
// builds before the engine starts (RunSetup: topology, workload, network model, calibration,
// failures) and the cost estimate. Preset paths resolve against the scratch file in /tmp, so
// seeds give their sections inline.
#include "sim/spec/run_setup.hpp"
#include "sim/spec/run_spec.hpp"
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gigasim_fuzz::run(data, size, [](const std::string& text) {
    const std::string path = gigasim_fuzz::write_scratch(text, ".run.yaml");
    const gigasim::RunSpec spec = gigasim::load_run_spec(path, {});
    gigasim::RunSetup setup(spec, "", -1);
    const gigasim::RunEstimate e = setup.estimate(1);
    gigasim::RunSetup::check_memory(spec, e);
  });
}
