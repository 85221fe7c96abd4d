// Sweep files: load (base, grid, zip, seeds) and expand to points with their overrides.
#include "sim/spec/sweep_spec.hpp"
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gigasim_fuzz::run(data, size, [](const std::string& text) {
    // The base run file must exist: the sweep's own scratch file stands in for it.
    const std::string path = gigasim_fuzz::write_scratch(text, ".sweep.yaml");
    const gigasim::SweepSpec s = gigasim::SweepSpec::load(path);
    for (const gigasim::SweepPoint& p : s.expand()) {
      p.overrides({});
      p.describe();
    }
  });
}
