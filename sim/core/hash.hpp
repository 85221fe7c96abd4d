#pragma once
// A fixed 64-bit mixer (the MurmurHash3 finalizer) for routing hashes: deterministic across runs
// and machines, so ECMP choices are reproducible.

#include <cstdint>

namespace gigasim {

constexpr uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace gigasim
