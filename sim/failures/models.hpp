#pragma once
// The built-in failure models, one file each; builtin.cpp lists them.

#include "sim/failures/failure_model.hpp"

namespace gigasim {

const FailureModel& scheduled_failure_model();
const FailureModel& stochastic_failure_model();

}  // namespace gigasim
