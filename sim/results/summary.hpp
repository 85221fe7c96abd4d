#pragma once
// Summary: the scalar results of one run (the /summary attributes and the one-screen report):
// step-time statistics, exposed communication, link utilization, collective bandwidths and the
// run's own costs. Pure arithmetic over a ReplayResult; ordered so reports read top-down.

#include <string>
#include <utility>
#include <vector>

#include "sim/core/topology.hpp"
#include "sim/core/workload.hpp"
#include "sim/records/replay_result.hpp"

namespace gigasim {

using Summary = std::vector<std::pair<std::string, double>>;

Summary compute_summary(const Topology& topo, const Workload& work, const ReplayResult& res);

/// The value of `key` in `s`, or NaN.
double summary_value(const Summary& s, const std::string& key);

/// p-quantile (0..1) of `v` by linear interpolation; NaN when empty.
double quantile(std::vector<double> v, double p);

/// Algorithm bandwidth (S / t) and bus bandwidth (nccl-tests factor) of one collective record.
double algbw_Bps(const Op& op, const CollectiveRecord& rec);
double busbw_Bps(const Op& op, const GroupFamily& family, const CollectiveRecord& rec);

}  // namespace gigasim
