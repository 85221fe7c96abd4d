#pragma once
// ParallelLayout: where each rank sits in the five parallel dimensions of an LLM job and the
// group families that follow. Ranks are numbered in mixed radix over the placement order,
// innermost first — by default [tp, cp, pp, dp]: TP inside a server, then context, pipeline and
// data parallelism — so every dimension's groups are one GroupFamily (size, stride), never a
// member list. Expert parallelism splits the data-parallel dimension: EP groups are runs of ep
// consecutive DP indices, and expert parameters are replicated over the dp/ep "expert data
// parallel" groups.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/comm_group.hpp"

namespace gigasim {

enum class ParallelDim : uint8_t { kTP = 0, kCP = 1, kPP = 2, kDP = 3 };

struct ParallelConfig {
  uint32_t tp = 1, cp = 1, pp = 1, dp = 1, ep = 1;
  bool sequence_parallel = false;
  /// Placement order, innermost first: a permutation of tp, cp, pp, dp.
  std::array<ParallelDim, 4> order{ParallelDim::kTP, ParallelDim::kCP, ParallelDim::kPP, ParallelDim::kDP};

  uint32_t ranks() const { return tp * cp * pp * dp; }
  uint32_t size(ParallelDim d) const;
};

struct ParallelLayout {
  ParallelConfig cfg;
  std::array<uint32_t, 4> stride{};  ///< rank distance between neighbours of each dimension

  uint32_t coord(uint32_t rank, ParallelDim d) const { return (rank / stride[static_cast<size_t>(d)]) % cfg.size(d); }
  /// The family of a dimension's groups ("tp", "cp", "pp", "dp").
  GroupFamily family(ParallelDim d) const;
  /// EP groups: ep consecutive DP indices. Expert-DP groups: the dp/ep ranks holding the same experts.
  GroupFamily ep_family() const;
  GroupFamily edp_family() const;
};

ParallelLayout make_layout(const ParallelConfig& cfg);
const char* to_string(ParallelDim d);
/// "tp" -> kTP ...; false if unknown.
bool parse_parallel_dim(const std::string& s, ParallelDim& out);

}  // namespace gigasim
