#include "workloads/llm/parallel_layout.hpp"

namespace gigasim {

uint32_t ParallelConfig::size(ParallelDim d) const {
  switch (d) {
    case ParallelDim::kTP: return tp;
    case ParallelDim::kCP: return cp;
    case ParallelDim::kPP: return pp;
    case ParallelDim::kDP: return dp;
  }
  return 1;
}

ParallelLayout make_layout(const ParallelConfig& cfg) {
  ParallelLayout l;
  l.cfg = cfg;
  uint32_t stride = 1;
  for (ParallelDim d : cfg.order) {
    l.stride[static_cast<size_t>(d)] = stride;
    stride *= cfg.size(d);
  }
  return l;
}

GroupFamily ParallelLayout::family(ParallelDim d) const {
  return GroupFamily{to_string(d), to_string(d), cfg.size(d), stride[static_cast<size_t>(d)], cfg.ranks(), 0};
}

GroupFamily ParallelLayout::ep_family() const {
  return GroupFamily{"ep", "ep", cfg.ep, stride[static_cast<size_t>(ParallelDim::kDP)], cfg.ranks(), 0};
}

GroupFamily ParallelLayout::edp_family() const {
  return GroupFamily{"edp", "dp", cfg.dp / cfg.ep, stride[static_cast<size_t>(ParallelDim::kDP)] * cfg.ep,
                     cfg.ranks(), 0};
}

const char* to_string(ParallelDim d) {
  static constexpr const char* kNames[] = {"tp", "cp", "pp", "dp"};
  return kNames[static_cast<size_t>(d)];
}

bool parse_parallel_dim(const std::string& s, ParallelDim& out) {
  for (ParallelDim d : {ParallelDim::kTP, ParallelDim::kCP, ParallelDim::kPP, ParallelDim::kDP}) {
    if (s == to_string(d)) {
      out = d;
      return true;
    }
  }
  return false;
}

}  // namespace gigasim
