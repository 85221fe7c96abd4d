#include "sim/failures/failure_rates.hpp"

#include <fmt/format.h>

#include <cmath>

#include "sim/failures/failure_rates_data.hpp"

namespace gigasim {

const FailureRates& FailureRates::builtin() {
  static const FailureRates r = parse(load_yaml_string(kDefaultFailureRatesYaml, "sim/failures/failure_rates.yaml"));
  return r;
}

FailureRates FailureRates::load(const std::string& path) { return parse(load_yaml_file(path)); }

FailureRates FailureRates::parse(const ConfigNode& root) {
  root.require_map("a failure-rate table: source, node_days, gpus_per_node, causes");
  root.check_keys({"source", "node_days", "gpus_per_node", "causes"});
  FailureRates r;
  r.source_ = root.get_string("source", root.file());
  r.gpus_per_node_ = static_cast<uint32_t>(root.get_int("gpus_per_node", 8, 1, 1024));
  const ConfigNode causes = root.at("causes");
  causes.require_sequence("a list of causes ({name, interruptions or rate, per, replace_node})");
  if (causes.size() == 0) causes.fail("'causes' must list at least one cause");
  for (size_t i = 0; i < causes.size(); ++i) {
    const ConfigNode c = causes.element(i);
    c.require_map("a cause: {name, interruptions or rate, per, replace_node, components}");
    c.check_keys({"name", "interruptions", "rate", "per", "replace_node", "components"});
    FailureCause fc;
    fc.name = c.get_string("name");
    for (const FailureCause& seen : r.causes_) {
      if (seen.name == fc.name) c.at("name").fail(fmt::format("cause '{}' is listed twice", fc.name));
    }
    if (c.has("interruptions") == c.has("rate")) {
      c.fail(fmt::format("cause '{}': give either 'interruptions' (a count over node_days) or 'rate' "
                         "(per 1,000 node-days)", fc.name));
    }
    if (c.has("rate")) {
      fc.rate_per_1000_node_days = c.get_double("rate", 0);
    } else {
      if (!root.has("node_days")) c.at("interruptions").fail("'interruptions' needs 'node_days' at the top level");
      const double node_days = root.get_double("node_days", 0);
      if (!(node_days > 0)) root.at("node_days").fail("'node_days' must be positive");
      fc.rate_per_1000_node_days = c.get_double("interruptions", 0) / node_days * 1000.0;
    }
    if (fc.rate_per_1000_node_days < 0) c.fail(fmt::format("cause '{}': a rate cannot be negative", fc.name));
    const std::string per = c.get_string("per", "node");
    if (per != "gpu" && per != "node") c.at("per").fail(fmt::format("'per' must be gpu or node, got '{}'", per));
    fc.per_gpu = per == "gpu";
    fc.replace_node = c.get_bool("replace_node", true);
    fc.components = c.get_string("components", "");
    r.causes_.push_back(std::move(fc));
  }
  return r;
}

FailureRates FailureRates::single(double rate_per_1000_node_days, const std::string& source) {
  GIGASIM_ASSERT(rate_per_1000_node_days >= 0 && std::isfinite(rate_per_1000_node_days), "failure rate");
  FailureRates r;
  r.source_ = source;
  r.causes_.push_back({"all", rate_per_1000_node_days, false, true, "every cause"});
  return r;
}

FailureRates FailureRates::scaled(double factor) const {
  GIGASIM_ASSERT(factor >= 0 && std::isfinite(factor), "rate scale");
  FailureRates r = *this;
  for (FailureCause& c : r.causes_) c.rate_per_1000_node_days *= factor;
  if (factor != 1) r.source_ = fmt::format("{} x {:g}", source_, factor);
  return r;
}

double FailureRates::total_per_1000_node_days() const {
  double t = 0;
  for (const FailureCause& c : causes_) t += c.rate_per_1000_node_days;
  return t;
}

}  // namespace gigasim
