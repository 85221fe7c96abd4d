// `failures:` sections: parse (events, processes, recovery) and schedule them on a small cluster.
#include "sim/failures/failure_spec.hpp"
#include "tests/fuzz/fuzz_cluster.hpp"
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gigasim_fuzz::run(data, size, [](const std::string& text) {
    const gigasim::ConfigNode doc = gigasim::load_yaml_string(text, "fuzz-failures.yaml");
    const gigasim::FailureSpec fs = gigasim::parse_failures(doc, 1);
    gigasim::schedule_failures(fs, gigasim_fuzz::cluster());
  });
}
