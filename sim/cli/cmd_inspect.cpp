// `gigasim inspect FILE.yaml [--json]`: what a fabric is made of, before simulating anything.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

#include "sim/cli/commands.hpp"
#include "sim/cli/run_spec.hpp"
#include "sim/collectives/collective_algorithm.hpp"
#include "sim/core/topology_report.hpp"
#include "sim/core/units.hpp"
#include "topologies/topology_builder.hpp"
#include "workloads/workload_source.hpp"

namespace gigasim {
namespace {

struct InspectOptions {
  std::string file;
  std::vector<std::string> sets;
  bool json = false;
  bool list = false;
};

nlohmann::json to_json(const TopologyReport& r) {
  nlohmann::json j;
  j["kind"] = r.kind;
  j["routing"] = r.routing;
  j["gpus"] = r.gpus;
  j["servers"] = r.servers;
  j["gpus_per_server"] = r.gpus_per_server;
  j["gpu_flops"] = r.gpu_flops;
  j["nvswitches"] = r.nvswitches;
  uint64_t total_switches = 0;
  nlohmann::json sw = nlohmann::json::object(), over = nlohmann::json::object(), radix = nlohmann::json::object();
  for (const TierReport& t : r.tiers) {
    sw[t.name] = t.switches;
    radix[t.name] = t.radix;
    total_switches += t.switches;
    if (t.up_Bps > 0) over[t.name] = t.oversubscription();
  }
  sw["total"] = total_switches;
  j["switches"] = sw;
  j["radix"] = radix;
  j["oversubscription"] = over;
  nlohmann::json cables = nlohmann::json::object(), links = nlohmann::json::object(), classes = nlohmann::json::object();
  for (const CableClassReport& c : r.cable_classes) {
    cables[c.name] = c.cables;
    links[c.name] = 2 * c.cables;
    classes[c.name] = {{"bandwidth_Bps", c.bw_Bps}, {"latency_s", c.latency_s}};
  }
  cables["total"] = r.cables;
  links["total"] = r.links;
  j["cables"] = cables;
  j["links"] = links;
  j["link_classes"] = classes;
  j["bisection_bandwidth_Bps"] = r.bisection_Bps;
  j["full_bisection_bandwidth_Bps"] = r.full_bisection_Bps;
  j["bisection_ratio"] = r.full_bisection_Bps > 0 ? r.bisection_Bps / r.full_bisection_Bps : 0.0;
  j["diameter_hops"] = r.diameter_hops;
  j["connected"] = r.connected;
  return j;
}

void print_text(const std::string& file, const TopologyReport& r) {
  std::printf("%s: %s fabric, routing %s\n", file.c_str(), r.kind.c_str(), r.routing.c_str());
  std::printf("  GPUs        %u (%u servers x %u, one NVSwitch each, %.1f TFLOP/s per GPU)\n", r.gpus, r.servers,
              r.gpus_per_server, r.gpu_flops / 1e12);
  uint64_t total = 0;
  for (const TierReport& t : r.tiers) total += t.switches;
  std::printf("  switches    %llu:", static_cast<unsigned long long>(total));
  for (const TierReport& t : r.tiers) std::printf(" %u %s (radix %u, %u ports used)", t.switches, t.name.c_str(), t.radix, t.max_ports_used);
  std::printf("\n  cables      %llu (%llu directed links)\n", static_cast<unsigned long long>(r.cables),
              static_cast<unsigned long long>(r.links));
  for (const CableClassReport& c : r.cable_classes) {
    std::printf("    %-12s %9llu cables  %s, %s\n", c.name.c_str(), static_cast<unsigned long long>(c.cables),
                format_bandwidth(c.bw_Bps).c_str(), format_duration(c.latency_s).c_str());
  }
  std::printf("  oversubscription (down:up bandwidth)");
  for (const TierReport& t : r.tiers) {
    if (t.up_Bps > 0) std::printf("  %s %.3g:1", t.name.c_str(), t.oversubscription());
  }
  std::printf("\n  bisection   %s (%.3g of full bisection %s)\n", format_bandwidth(r.bisection_Bps).c_str(),
              r.full_bisection_Bps > 0 ? r.bisection_Bps / r.full_bisection_Bps : 0.0,
              format_bandwidth(r.full_bisection_Bps).c_str());
  std::printf("  diameter    %u hops between GPUs\n", r.diameter_hops);
}

void list_registries() {
  std::printf("topologies (topology.kind):\n");
  for (const auto* b : topology_builders()) std::printf("  %-16s %s\n", std::string(b->kind()).c_str(), std::string(b->description()).c_str());
  std::printf("workloads (workload.kind):\n");
  for (const auto* s : workload_sources()) std::printf("  %-16s %s\n", std::string(s->kind()).c_str(), std::string(s->description()).c_str());
  std::printf("collective algorithms (workload.algorithm):\n");
  for (const auto* a : collective_algorithms()) std::printf("  %s\n", std::string(a->name()).c_str());
}

void inspect_command(const InspectOptions& o) {
  if (o.list) {
    list_registries();
    if (o.file.empty()) return;
  }
  if (o.file.empty()) throw ConfigError("inspect needs a topology or run file (or --list)");
  const ConfigNode spec = load_topology_or_run(o.file, o.sets);
  const Topology topo = build_topology(spec);
  const TopologyReport r = make_topology_report(topo);
  if (o.json) {
    std::cout << to_json(r).dump(2) << std::endl;
  } else {
    print_text(o.file, r);
  }
}

}  // namespace

void setup_inspect(CLI::App& app) {
  auto opt = std::make_shared<InspectOptions>();
  CLI::App* sub = app.add_subcommand(
      "inspect",
      "Describe a fabric without simulating: GPUs, switches and cables per tier, oversubscription,\n"
      "bisection bandwidth (max-flow between the two halves of the GPUs) and diameter.\n"
      "FILE is a topology file or a run file. Example: gigasim inspect topologies/presets/fat_tree_128.yaml --json");
  sub->add_option("file", opt->file, "Topology or run file (YAML)");
  sub->add_option("--set", opt->sets, "Override a config value: key.path=value (repeatable)");
  sub->add_flag("--json", opt->json, "Print one JSON object on stdout");
  sub->add_flag("--list", opt->list, "List every registered topology family, workload source and algorithm");
  sub->callback([opt]() { inspect_command(*opt); });
}

}  // namespace gigasim
