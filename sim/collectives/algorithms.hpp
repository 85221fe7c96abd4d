#pragma once
// The built-in collective algorithms, one file each; builtin.cpp lists them.

#include "sim/collectives/collective_algorithm.hpp"

namespace gigasim {

const CollectiveAlgorithm& ring_algorithm();
const CollectiveAlgorithm& tree_algorithm();
const CollectiveAlgorithm& halving_doubling_algorithm();
const CollectiveAlgorithm& direct_algorithm();
const CollectiveAlgorithm& hierarchical_algorithm();
const CollectiveAlgorithm& nvls_algorithm();
const CollectiveAlgorithm& pxn_algorithm();
const CollectiveAlgorithm& nvls_tree_algorithm();
const CollectiveAlgorithm& collnet_algorithm();

}  // namespace gigasim
