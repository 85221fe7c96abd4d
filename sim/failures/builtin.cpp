// The explicit list of failure models.
#include "sim/failures/models.hpp"

namespace gigasim {

const std::vector<const FailureModel*>& failure_models() {
  static const std::vector<const FailureModel*> all{&scheduled_failure_model(), &stochastic_failure_model()};
  return all;
}

const FailureModel* find_failure_model(std::string_view kind) {
  for (const FailureModel* m : failure_models()) {
    if (m->kind() == kind) return m;
  }
  return nullptr;
}

}  // namespace gigasim
