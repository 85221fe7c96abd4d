#include "sim/replay/rank_actor.hpp"

#include <xbt/log.h>

#include <memory>

#include "sim/core/error.hpp"
#include "sim/replay/rank.hpp"

XBT_LOG_NEW_DEFAULT_CATEGORY(gigasim_replay, "gigasim rank replay");

namespace gigasim {

void RankActor::operator()() const {
  ReplayShared* sh = shared_;
  auto r = std::make_unique<detail::Rank>(sh, rank_);
  try {
    r->run();
  } catch (const SimulationError& e) {
    abort_replay(*sh, e.what());
  }
}

}  // namespace gigasim
