#pragma once
// NCCL's double binary tree over n nodes (servers), as src/graph/trees.cc describes it: tree 0
// is a binary tree on the bit pattern of the node index (node 0 the root with one child, the
// largest power of two below n; odd nodes are leaves), tree 1 its mirror (node i plays n-1-i)
// when n is even, or the same tree shifted by one node when n is odd. Every node is inner in at
// most one tree, so it has at most four tree edges (3 + 1): what NVLSTree and Tree move per NIC.
// O(log n) per node, no tables.

#include <cstdint>

namespace gigasim::detail {

struct BtreeNode {
  int64_t up = -1;     ///< parent, -1 at the root
  int64_t down[2] = {-1, -1};  ///< children, -1 where absent
};

/// Node `i` of the bit-pattern binary tree over `n` nodes.
inline BtreeNode btree_node(int64_t n, int64_t i) {
  BtreeNode b;
  int64_t bit = 1;
  while (bit < n && (bit & i) == 0) bit <<= 1;
  if (i == 0) {
    if (n > 1) b.down[1] = bit >> 1;
    return b;
  }
  int64_t up = (i ^ bit) | (bit << 1);
  if (up >= n) up = i ^ bit;
  b.up = up;
  int64_t low = bit >> 1;
  if (low > 0) {
    b.down[0] = i - low;
    while (low > 0 && i + low >= n) low >>= 1;
    b.down[1] = low > 0 ? i + low : -1;
  }
  return b;
}

/// Node `i` of tree `t` (0 or 1) of the double binary tree over `n` nodes.
inline BtreeNode dtree_node(int64_t n, int64_t i, int t) {
  if (t == 0) return btree_node(n, i);
  const bool mirror = n % 2 == 0;
  auto to = [&](int64_t v) { return mirror ? n - 1 - v : (v + n - 1) % n; };    // node -> tree 0 index
  auto from = [&](int64_t v) { return v < 0 ? -1 : (mirror ? n - 1 - v : (v + 1) % n); };
  const BtreeNode b = btree_node(n, to(i));
  return BtreeNode{from(b.up), {from(b.down[0]), from(b.down[1])}};
}

/// Tree edges of node `i` over both trees (each edge carries traffic both ways).
inline uint32_t dtree_edges(int64_t n, int64_t i) {
  uint32_t e = 0;
  for (int t = 0; t < 2; ++t) {
    const BtreeNode b = dtree_node(n, i, t);
    e += (b.up >= 0) + (b.down[0] >= 0) + (b.down[1] >= 0);
  }
  return e;
}

}  // namespace gigasim::detail
