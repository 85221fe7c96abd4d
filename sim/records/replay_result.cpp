#include "sim/records/replay_result.hpp"

namespace gigasim {

const char* to_string(TimeClass c) {
  static constexpr const char* kNames[] = {"compute", "tp", "pp", "dp", "ep", "cp", "bubble", "other"};
  return c < TimeClass::kCount ? kNames[static_cast<size_t>(c)] : "?";
}

TimeClass time_class_of_dim(const std::string& dim) {
  for (TimeClass c : {TimeClass::kTP, TimeClass::kPP, TimeClass::kDP, TimeClass::kEP, TimeClass::kCP}) {
    if (dim == to_string(c)) return c;
  }
  return TimeClass::kOther;
}

void finalize_steps(std::vector<StepRecord>& steps) {
  for (size_t i = 0; i < steps.size(); ++i) {
    steps[i].start_s = i == 0 || !(steps[i - 1].end_s > -1) ? steps[i].first_start_s : steps[i - 1].end_s;
  }
}

}  // namespace gigasim
