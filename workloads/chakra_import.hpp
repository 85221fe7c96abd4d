#pragma once
// `kind: chakra` — MLCommons Chakra execution traces, one `<prefix>.<rank>.et` per rank (as
// ASTRA-sim reads them), read through our own minimal schema (workloads/chakra/et_subset.proto).
// The files describe a *template*: the ranks of one replica (a data-parallel copy). The template
// is replicated along data parallelism to fill the cluster, so a 100k-GPU run reads a handful of
// files. Compute nodes become compute ops, collective nodes collectives over group families named
// by their process group, sends and receives p2p ops; Chakra's dependency graph becomes stream
// order plus stream-count dependencies. Built only with GIGASIM_WITH_CHAKRA (protobuf).

#include "workloads/workload_source.hpp"

namespace gigasim {

class ChakraSource final : public WorkloadSource {
 public:
  std::string_view kind() const override { return "chakra"; }
  std::string_view description() const override {
    return "Chakra execution traces (<prefix>.<rank>.et) of one replica, replicated along data parallelism";
  }
  Workload build(const ConfigNode& spec, const ClusterInfo& cluster) const override;
};

}  // namespace gigasim
