// The failure seam: models chosen by `kind:` parse their own keys; the short form (a model's
// keys at the top of `failures:`) is the same model; every model is listed.
#include <doctest/doctest.h>

#include "sim/failures/failure_spec.hpp"
#include "topologies/topology_builder.hpp"

using namespace gigasim;

namespace {

Topology small_fabric() {
  return build_topology(load_yaml_string("kind: fat_tree\nservers: 8\ngpus_per_server: 8\ntiers: 2\nswitch_radix: 16\n",
                                         "topology.yaml"));
}

std::vector<FailureEvent> events_of(const std::string& yaml) {
  return schedule_failures(parse_failures(load_yaml_string(yaml, "failures.yaml"), 7), small_fabric());
}

}  // namespace

TEST_CASE("failure models are listed with a kind and a description") {
  REQUIRE(failure_models().size() >= 2);
  for (const FailureModel* m : failure_models()) {
    CHECK(!m->kind().empty());
    CHECK(!m->description().empty());
    CHECK(find_failure_model(m->kind()) == m);
  }
  CHECK(find_failure_model("meteor") == nullptr);
}

TEST_CASE("models: entries and the short form give the same events") {
  const std::string events = "  - {at: 1ms, target: spine0, kind: down}\n  - {at: 0, target: gpu3, kind: slow, factor: 2}\n";
  const std::string processes = "  - {class: link, mtbf: 10h, kind: down, repair: 1ms}\n";
  const auto short_form = events_of("events:\n" + events + "processes:\n" + processes + "horizon: 1h\n");
  std::string indented_events, indented_processes;
  for (const auto& [from, to] : {std::pair{&events, &indented_events}, std::pair{&processes, &indented_processes}}) {
    size_t pos = 0;
    while (pos < from->size()) {
      const size_t nl = from->find('\n', pos);
      *to += "    " + from->substr(pos, nl - pos + 1);
      pos = nl + 1;
    }
  }
  const auto long_form = events_of("models:\n  - kind: scheduled\n    events:\n" + indented_events +
                                   "  - kind: stochastic\n    horizon: 1h\n    processes:\n" + indented_processes);
  REQUIRE(short_form.size() == long_form.size());
  REQUIRE(short_form.size() > 2);
  for (size_t i = 0; i < short_form.size(); ++i) {
    CHECK(short_form[i].time_s == long_form[i].time_s);
    CHECK(short_form[i].target == long_form[i].target);
    CHECK(short_form[i].kind == long_form[i].kind);
  }
}

TEST_CASE("a second model of the same kind draws its own events") {
  const std::string proc = "    processes:\n      - {class: link, mtbf: 10h, kind: down, repair: 1ms}\n";
  const auto one = events_of("models:\n  - kind: stochastic\n" + proc);
  const auto two = events_of("models:\n  - kind: stochastic\n" + proc + "  - kind: stochastic\n" + proc);
  REQUIRE(!one.empty());
  CHECK(two.size() > one.size());
}

TEST_CASE("unknown failure models and keys are config errors at their line") {
  CHECK_THROWS_WITH_AS(events_of("models:\n  - kind: meteor\n"), doctest::Contains("unknown failure model 'meteor'"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(events_of("models:\n  - kind: scheduled\n    processes: []\n"),
                       doctest::Contains("unknown key 'processes'"), ConfigError);
  CHECK_THROWS_WITH_AS(events_of("models:\n  - kind: stochastic\n    horizon: 0s\n"),
                       doctest::Contains("horizon must be positive"), ConfigError);
  CHECK_THROWS_WITH_AS(events_of("models:\n  - {events: []}\n"), doctest::Contains("kind"), ConfigError);
}
