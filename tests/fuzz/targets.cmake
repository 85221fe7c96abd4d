# The fuzz targets (tests/fuzz/<name>.cpp): built for libFuzzer by tests/fuzz/CMakeLists.txt
# (GIGASIM_FUZZ=ON, clang) and, in every test build, as <name>_corpus for ctest (tests/CMakeLists.txt).
set(GIGASIM_FUZZ_TARGETS fuzz_topology fuzz_workload fuzz_failures fuzz_run_spec fuzz_sweep_spec fuzz_trace)
if(GIGASIM_CHAKRA)
  list(APPEND GIGASIM_FUZZ_TARGETS fuzz_chakra)
endif()
