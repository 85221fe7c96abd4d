// The explicit list of collective algorithms, the selector, and the helpers they share.
#include <fmt/format.h>

#include <limits>
#include <stdexcept>
#include <string_view>

#include "sim/collectives/algorithms.hpp"
#include "sim/collectives/plan_support.hpp"

namespace gigasim {

const std::vector<const CollectiveAlgorithm*>& collective_algorithms() {
  static const std::vector<const CollectiveAlgorithm*> all{
      &ring_algorithm(),         &tree_algorithm(), &halving_doubling_algorithm(), &direct_algorithm(),
      &hierarchical_algorithm(), &nvls_algorithm(), &pxn_algorithm(),   &nvls_tree_algorithm(),
      &collnet_algorithm()};
  return all;
}

const CollectiveAlgorithm* find_collective_algorithm(std::string_view name) {
  for (const CollectiveAlgorithm* a : collective_algorithms()) {
    if (a->name() == name) return a;
  }
  return nullptr;
}

std::string collective_algorithm_names() {
  std::string s;
  for (const CollectiveAlgorithm* a : collective_algorithms()) s += (s.empty() ? "" : ", ") + std::string(a->name());
  return s;
}

double busbw_factor(CollectiveKind kind, uint32_t n) {
  if (n <= 1) return 0;
  switch (kind) {
    case CollectiveKind::kAllReduce: return 2.0 * (n - 1) / n;
    case CollectiveKind::kReduceScatter:
    case CollectiveKind::kAllGather:
    case CollectiveKind::kAllToAll: return static_cast<double>(n - 1) / n;
    case CollectiveKind::kBroadcast:
    case CollectiveKind::kReduce:
    case CollectiveKind::kSendRecv: return 1.0;
  }
  return 1;
}

namespace {
// The algorithms NCCL itself chooses among, per collective (NCCL 2.18+ on NVSwitch systems).
std::vector<const CollectiveAlgorithm*> nccl_candidates(CollectiveKind k) {
  switch (k) {
    case CollectiveKind::kAllReduce:
      return {&ring_algorithm(), &tree_algorithm(), &nvls_algorithm(), &nvls_tree_algorithm(), &collnet_algorithm()};
    case CollectiveKind::kReduceScatter:
    case CollectiveKind::kAllGather: return {&ring_algorithm(), &nvls_algorithm()};
    case CollectiveKind::kBroadcast:
    case CollectiveKind::kReduce: return {&ring_algorithm()};
    case CollectiveKind::kAllToAll: return {&direct_algorithm(), &pxn_algorithm()};
    case CollectiveKind::kSendRecv: return {&direct_algorithm()};
  }
  return {};
}
}  // namespace

Selection select_collective(const CollectiveRequest& req, const GroupNet& net, const Calibration& cal,
                            const std::string& algorithm, std::optional<Protocol> protocol) {
  std::vector<const CollectiveAlgorithm*> algos;
  if (algorithm == "auto") {
    algos = nccl_candidates(req.kind);
  } else {
    const CollectiveAlgorithm* a = find_collective_algorithm(algorithm);
    if (a == nullptr) throw std::invalid_argument(fmt::format("unknown algorithm '{}' (known: auto, {})", algorithm, collective_algorithm_names()));
    algos = {a};
  }
  std::vector<Protocol> protos{Protocol::kSimple, Protocol::kLL128, Protocol::kLL};
  if (protocol) protos = {*protocol};
  Selection best;
  double best_rank = std::numeric_limits<double>::infinity();
  std::string why;
  for (const CollectiveAlgorithm* a : algos) {
    const std::string no = a->unsupported(req, net);
    if (!no.empty()) {
      why = no;
      continue;
    }
    for (Protocol p : protos) {
      if (!cal.get(std::string(a->name()), p).available) {
        if (why.empty()) why = fmt::format("calibration '{}' has no {}/{} entry", cal.name(), a->name(), to_string(p));
        continue;
      }
      CollectiveRequest r = req;
      r.protocol = p;
      const double t = a->tuner_estimate(r, net, cal);
      if (t < best_rank) best_rank = t, best = Selection{a, p, a->closed_form(r, net, cal)};
    }
  }
  if (best.algorithm == nullptr) throw std::invalid_argument(why.empty() ? "no algorithm fits" : why);
  return best;
}

namespace detail {

double lockstep_time(const CollectivePlan& plan, uint32_t n, double alpha_s, double bw_Bps) {
  double total = plan.tail_s;
  std::vector<Transfer> t;
  std::vector<double> in(n), out(n);
  for (uint32_t k = 0; k < plan.phases(); ++k) {
    std::fill(in.begin(), in.end(), 0.0);
    std::fill(out.begin(), out.end(), 0.0);
    bool any = false;
    for (uint32_t pos = 0; pos < n; ++pos) {
      t.clear();
      plan.transfers(pos, k, t);
      for (const Transfer& x : t) (x.send ? out[pos] : in[pos]) += x.bytes, any = true;
    }
    double busiest = 0;
    for (uint32_t pos = 0; pos < n; ++pos) busiest = std::max({busiest, in[pos], out[pos]});
    total += plan.phase_delay_s(k) + (any ? alpha_s + busiest / bw_Bps : 0);
  }
  return total;
}

double lockstep_time_by_medium(const CollectivePlan& plan, uint32_t n, const GroupNet& net) {
  const uint32_t m = std::max(1U, net.members_per_server);
  double total = plan.tail_s;
  std::vector<Transfer> t;
  for (uint32_t k = 0; k < plan.phases(); ++k) {
    double busiest = 0;
    bool any = false;
    for (uint32_t pos = 0; pos < n; ++pos) {
      t.clear();
      plan.transfers(pos, k, t);
      // [inter][send]: bytes, and the longest a single capped transfer takes
      double bytes[2][2] = {{0, 0}, {0, 0}}, capped[2][2] = {{0, 0}, {0, 0}};
      for (const Transfer& x : t) {
        const int inter = net.spans_servers && x.peer / m != pos / m;
        bytes[inter][x.send] += x.bytes;
        if (x.rate_Bps > 0) capped[inter][x.send] = std::max(capped[inter][x.send], x.bytes / x.rate_Bps);
        any = true;
      }
      for (int inter = 0; inter < 2; ++inter) {
        const double alpha = inter ? net.alpha_inter_s : net.alpha_intra_s;
        const double bw = inter ? net.bw_inter_Bps : net.bw_intra_Bps;
        for (int send = 0; send < 2; ++send) {
          if (bytes[inter][send] > 0) {
            busiest = std::max(busiest, alpha + std::max(bytes[inter][send] / bw, capped[inter][send]));
          }
        }
      }
    }
    total += plan.phase_delay_s(k) + (any ? busiest : 0);
  }
  return total;
}

}  // namespace detail
}  // namespace gigasim
