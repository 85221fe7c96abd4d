// make_chakra_et PREFIX: writes PREFIX.<rank>.et for a small job, like ASTRA-sim's
// microbenchmark traces: on each rank a compute node, then a collective that depends on it.
//   make_chakra_et PREFIX [--ranks 4] [--bytes 1048576] [--compute-us 100] [--collective 0]
//                  [--version 0.0.4] [--gzip]
// --collective takes a Chakra CollectiveCommType number (0 all-reduce, 2 all-gather, ...).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "chakra_et_writer.hpp"

int main(int argc, char** argv) {
  using namespace gigasim::test;
  if (argc < 2) {
    std::fprintf(stderr, "usage: make_chakra_et PREFIX [--ranks N] [--bytes B] [--compute-us U] [--collective T] "
                         "[--version V] [--gzip]\n");
    return 2;
  }
  const std::string prefix = argv[1];
  int ranks = 4, type = et::ALL_REDUCE;
  long long bytes = 1 << 20, micros = 100;
  std::string version = "0.0.4";
  bool gzip = false;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : "";
    if (a == "--ranks") ranks = std::atoi(v), ++i;
    else if (a == "--bytes") bytes = std::atoll(v), ++i;
    else if (a == "--compute-us") micros = std::atoll(v), ++i;
    else if (a == "--collective") type = std::atoi(v), ++i;
    else if (a == "--version") version = v, ++i;
    else if (a == "--gzip") gzip = true;
    else {
      std::fprintf(stderr, "make_chakra_et: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  for (int r = 0; r < ranks; ++r) {
    const std::string path = prefix + "." + std::to_string(r) + ".et";
    write_et(path,
             {compute(1, "GEMM", static_cast<uint64_t>(micros)),
              collective(2, et::CollectiveCommType_Name(static_cast<et::CollectiveCommType>(type)),
                         static_cast<et::CollectiveCommType>(type), bytes, {1})},
             version, gzip);
  }
  std::printf("wrote %s.0.et to %s.%d.et\n", prefix.c_str(), prefix.c_str(), ranks - 1);
  return 0;
}
