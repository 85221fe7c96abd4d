#pragma once
// CollectiveAlgorithm: the seam for collective algorithms (ring, tree, halving-doubling, direct,
// hierarchical, NVLS, PXN, NVLSTree, CollNet). An algorithm says which requests it can serve (and why not, in
// words), turns a request into a CollectivePlan at a fidelity, and states its alpha-beta closed
// form, which the tests hold the simulation to on contention-free fabrics and which the selector
// uses to pick an algorithm and protocol the way NCCL's tuning model does. Pure: no SimGrid.
// Algorithms are listed explicitly in sim/collectives/builtin.cpp.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/collectives/calibration.hpp"
#include "sim/core/flow_plan.hpp"

namespace gigasim {

struct CollectiveRequest {
  CollectiveKind kind = CollectiveKind::kAllReduce;
  uint32_t n = 1;          ///< group members
  double bytes = 0;        ///< nccl-tests convention for S (see workloads/presets/README.md)
  uint32_t root = 0;       ///< broadcast, reduce
  Fidelity fidelity = Fidelity::kCollapsed;
  Protocol protocol = Protocol::kSimple;
  uint32_t channels = 1;   ///< NCCL channels; 0: NCCL's default for the server (Calibration)
  /// Stages that stay inside one server's NVLink domain become closed-form delays instead of
  /// flows (right where nothing else uses those NVLinks at the same time; see README).
  bool nvlink_analytic = false;
};

class CollectiveAlgorithm {
 public:
  virtual ~CollectiveAlgorithm() = default;
  virtual std::string_view name() const = 0;
  /// One line for `gigasim inspect --list`.
  virtual std::string_view description() const = 0;
  /// "" when the algorithm serves `req` on `net`, otherwise why not.
  virtual std::string unsupported(const CollectiveRequest& req, const GroupNet& net) const = 0;
  /// Requires: unsupported(req, net) is empty.
  virtual std::unique_ptr<CollectivePlan> plan(const CollectiveRequest& req, const GroupNet& net,
                                               const Calibration& cal) const = 0;
  /// The time with no contention (the per-step terms of the plan, summed).
  virtual double closed_form(const CollectiveRequest& req, const GroupNet& net, const Calibration& cal) const = 0;
  /// The time NCCL's tuner expects, which ranks the candidates in select_collective: the closed
  /// form, unless NCCL's own model of the algorithm differs from what it achieves (a tree on two
  /// or three servers sends less per NIC than NCCL's tuner assumes, so NCCL does not choose it).
  virtual double tuner_estimate(const CollectiveRequest& req, const GroupNet& net, const Calibration& cal) const {
    return closed_form(req, net, cal);
  }
};

const std::vector<const CollectiveAlgorithm*>& collective_algorithms();
/// nullptr if unknown.
const CollectiveAlgorithm* find_collective_algorithm(std::string_view name);
/// "ring, tree, ..." for messages.
std::string collective_algorithm_names();

/// The nccl-tests bus-bandwidth factor: busbw = algbw * factor (2(n-1)/n for all-reduce).
double busbw_factor(CollectiveKind kind, uint32_t n);

/// What NCCL would run: the (algorithm, protocol) of smallest tuner estimate (the closed form,
/// as NCCL's tuner sees it) among the algorithms NCCL itself uses for this collective (see
/// sim/collectives/README.md).
struct Selection {
  const CollectiveAlgorithm* algorithm = nullptr;
  Protocol protocol = Protocol::kSimple;
  double estimate_s = 0;  ///< the chosen one's closed form
};
/// `algorithm` may be "auto" (then the table above) or a name (then only the protocol is chosen,
/// unless `protocol` is given; none: auto). Throws: std::invalid_argument with the reason when nothing fits.
Selection select_collective(const CollectiveRequest& req, const GroupNet& net, const Calibration& cal,
                            const std::string& algorithm, std::optional<Protocol> protocol = std::nullopt);

}  // namespace gigasim
