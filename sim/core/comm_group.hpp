#pragma once
// GroupFamily: a set of communicator groups described by four numbers instead of member lists,
// so 100k ranks cost nothing. The family partitions ranks [base, base + span) into groups of
// `size` members spaced `stride` apart — the mixed-radix layout of TP/PP/DP dimensions. Rank r
// sits at position ((r - base) / stride) % size of its group; its peers are found by arithmetic.
// Requires: span is a multiple of size * stride.

#include <cstdint>
#include <string>

namespace gigasim {

struct GroupFamily {
  std::string name;       ///< "dp", "world", "custom"...
  std::string dim;        ///< parallelism dimension: "dp", "tp", "pp", "ep", "cp" or "custom"
  uint32_t size = 1;      ///< members per group
  uint32_t stride = 1;    ///< rank distance between consecutive members
  uint32_t span = 1;      ///< ranks [base, base + span) belong to the family
  uint32_t base = 0;

  bool contains(uint32_t rank) const { return rank >= base && rank - base < span; }
  uint32_t position(uint32_t rank) const { return ((rank - base) / stride) % size; }
  /// First and one-past-last rank of the family.
  uint32_t first() const { return base; }
  uint32_t end() const { return base + span; }
  /// The member at `pos` of rank's group.
  uint32_t member(uint32_t rank, uint32_t pos) const { return rank - position(rank) * stride + pos * stride; }
  /// The member `offset` positions after rank (cyclic; offset may be negative).
  uint32_t peer(uint32_t rank, int64_t offset) const {
    const int64_t n = size;
    const int64_t p = ((static_cast<int64_t>(position(rank)) + offset) % n + n) % n;
    return member(rank, static_cast<uint32_t>(p));
  }
  uint32_t group_count() const { return span / size; }
  /// A dense id of rank's group in [0, group_count()).
  uint32_t group_index(uint32_t rank) const {
    const uint32_t r = rank - base;
    return (r / (stride * size)) * stride + r % stride;
  }
};

}  // namespace gigasim
