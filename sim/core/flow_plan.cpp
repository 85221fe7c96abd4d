#include "sim/core/flow_plan.hpp"

namespace gigasim {

const char* to_string(Fidelity f) {
  switch (f) {
    case Fidelity::kStepwise: return "stepwise";
    case Fidelity::kCollapsed: return "collapsed";
    case Fidelity::kAnalytic: return "analytic";
  }
  return "?";
}

const char* to_string(CollectiveKind k) {
  switch (k) {
    case CollectiveKind::kAllReduce: return "all_reduce";
    case CollectiveKind::kReduceScatter: return "reduce_scatter";
    case CollectiveKind::kAllGather: return "all_gather";
    case CollectiveKind::kAllToAll: return "alltoall";
    case CollectiveKind::kBroadcast: return "broadcast";
    case CollectiveKind::kReduce: return "reduce";
    case CollectiveKind::kSendRecv: return "sendrecv";
  }
  return "?";
}

const char* to_string(Protocol p) {
  switch (p) {
    case Protocol::kSimple: return "simple";
    case Protocol::kLL128: return "ll128";
    case Protocol::kLL: return "ll";
  }
  return "?";
}

const std::vector<CollectiveKind>& all_collective_kinds() {
  static const std::vector<CollectiveKind> all{CollectiveKind::kAllReduce, CollectiveKind::kReduceScatter,
                                               CollectiveKind::kAllGather, CollectiveKind::kAllToAll,
                                               CollectiveKind::kBroadcast, CollectiveKind::kReduce,
                                               CollectiveKind::kSendRecv};
  return all;
}

bool parse_collective_kind(std::string_view s, CollectiveKind& out) {
  if (s == "all_to_all") s = "alltoall";
  if (s == "send_recv") s = "sendrecv";
  for (CollectiveKind k : all_collective_kinds()) {
    if (s == to_string(k)) {
      out = k;
      return true;
    }
  }
  return false;
}

bool parse_fidelity(std::string_view s, Fidelity& out) {
  for (Fidelity f : {Fidelity::kStepwise, Fidelity::kCollapsed, Fidelity::kAnalytic}) {
    if (s == to_string(f)) {
      out = f;
      return true;
    }
  }
  return false;
}

bool parse_protocol(std::string_view s, Protocol& out) {
  for (Protocol p : {Protocol::kSimple, Protocol::kLL128, Protocol::kLL}) {
    if (s == to_string(p)) {
      out = p;
      return true;
    }
  }
  return false;
}

}  // namespace gigasim
