#pragma once
// Shared by the libFuzzer targets: each feeds one input to a loader and accepts a clean refusal
// (gigasim::Error: a ConfigError or IoError, exit 2 or 3 in the CLI). Anything else is a bug
// libFuzzer reports: a sanitizer finding, an abort (GIGASIM_ASSERT), an uncaught exception
// (the CLI's "internal error"), a timeout or running out of memory.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "sim/core/error.hpp"
#include "sim/core/memory_budget.hpp"

namespace gigasim_fuzz {

inline void init() {
  // Absurd sizes must be refused by the memory guards, not allocated: a small limit.
  static const bool once = [] {
    gigasim::set_memory_limit(256e6, "the fuzzer's 256 MB");
    return true;
  }();
  (void)once;
}

template <class F>
int run(const uint8_t* data, size_t size, F&& f) {
  init();
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    f(text);
  } catch (const gigasim::Error&) {
    // refused with a message: what malformed input must get
  }
  return 0;
}

/// A per-process scratch file (loaders that take a path: run and sweep files).
inline std::string write_scratch(const std::string& text, const char* ext) {
  const std::string path = "/tmp/gigasim-fuzz-" + std::to_string(getpid()) + ext;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f != nullptr) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  return path;
}

}  // namespace gigasim_fuzz
