// `gigasim inspect FILE.yaml... [--json]`: what fabrics are made of and cost, before simulating.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <utility>
#include <vector>

#include "sim/cli/commands.hpp"
#include "sim/spec/run_spec.hpp"
#include "sim/collectives/collective_algorithm.hpp"
#include "sim/core/topology_report.hpp"
#include "sim/core/units.hpp"
#include "sim/failures/failure_model.hpp"
#include "topologies/cost_model.hpp"
#include "topologies/routing.hpp"
#include "topologies/topology_builder.hpp"
#include "workloads/workload_source.hpp"

namespace gigasim {
namespace {

struct InspectOptions {
  std::vector<std::string> files;
  std::vector<std::string> sets;
  std::string prices;
  bool json = false;
  bool list = false;
};

struct Inspected {
  std::string file;
  TopologyReport report;
  CostReport cost;
  double build_s = 0;
};

uint64_t cable_count(const TopologyReport& r, const std::string& name) {
  for (const auto& c : r.cable_classes) {
    if (c.name == name) return c.cables;
  }
  return 0;
}

nlohmann::json to_json(const Inspected& in) {
  const TopologyReport& r = in.report;
  nlohmann::json j;
  j["file"] = in.file;
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
  for (const char* tier : {"leaf", "spine", "core"}) {
    if (!sw.contains(tier)) sw[tier] = 0;
  }
  sw["total"] = total_switches;
  j["switches"] = sw;
  j["radix"] = radix;
  j["oversubscription"] = over;
  nlohmann::json cables = nlohmann::json::object(), links = nlohmann::json::object(), classes = nlohmann::json::object();
  for (const CableClassReport& c : r.cable_classes) {
    cables[c.name] = c.cables;
    links[c.name] = 2 * c.cables;
    classes[c.name] = {{"bandwidth_Bps", c.bw_Bps}, {"bandwidth_bps", c.bw_Bps * 8}, {"latency_s", c.latency_s}};
  }
  for (const char* name : {"gpu-leaf", "leaf-spine", "spine-core"}) {
    if (!cables.contains(name)) cables[name] = 0;
  }
  cables["total"] = r.cables;
  links["total"] = r.links;
  j["cables"] = cables;
  j["links"] = links;
  j["link_classes"] = classes;
  j["bisection_bandwidth_bps"] = r.bisection_Bps * 8;
  j["bisection_bandwidth_Bps"] = r.bisection_Bps;
  j["full_bisection_bandwidth_bps"] = r.full_bisection_Bps * 8;
  j["bisection_ratio"] = r.full_bisection_Bps > 0 ? r.bisection_Bps / r.full_bisection_Bps : 0.0;
  j["diameter_hops"] = r.diameter_hops;
  j["ecmp_paths"] = {{"src_gpu", r.ecmp_src}, {"dst_gpu", r.ecmp_dst}, {"count", r.ecmp_paths}};
  j["connected"] = r.connected;
  nlohmann::json tiers = nlohmann::json::array();
  for (const TierCost& t : in.cost.tiers) {
    tiers.push_back({{"tier", t.tier}, {"switches", t.switches}, {"radix", t.radix}, {"port_bps", t.port_bps},
                     {"unit_usd", t.unit_usd}, {"unit_watts", t.unit_watts}});
  }
  j["cost"] = {{"switches_usd", in.cost.switches_usd}, {"optics_usd", in.cost.optics_usd},
               {"cables_usd", in.cost.cables_usd},     {"total_usd", in.cost.total_usd()},
               {"usd_per_gpu", r.gpus ? in.cost.total_usd() / r.gpus : 0.0},
               {"transceivers", in.cost.transceivers}, {"switch_tiers", tiers}};
  j["power"] = {{"switches_watts", in.cost.switches_watts},
                {"optics_watts", in.cost.optics_watts},
                {"total_watts", in.cost.total_watts()},
                {"watts_per_gpu", r.gpus ? in.cost.total_watts() / r.gpus : 0.0}};
  j["build_s"] = in.build_s;
  return j;
}

// One row per quantity, one column per file.
void print_side_by_side(const std::vector<Inspected>& all) {
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  auto row = [&](const std::string& name, auto f) {
    std::vector<std::string> cells;
    for (const Inspected& in : all) cells.push_back(f(in));
    rows.emplace_back(name, std::move(cells));
  };
  row("file", [](const Inspected& in) { return in.file; });
  row("kind", [](const Inspected& in) { return in.report.kind; });
  row("routing", [](const Inspected& in) { return in.report.routing; });
  row("GPUs", [](const Inspected& in) { return fmt::format("{}", in.report.gpus); });
  row("servers x GPUs", [](const Inspected& in) {
    return fmt::format("{} x {}", in.report.servers, in.report.gpus_per_server);
  });
  for (const char* tier : {"leaf", "spine", "core"}) {
    row(fmt::format("{} switches", tier), [&](const Inspected& in) {
      for (const TierReport& t : in.report.tiers) {
        if (t.name == tier) return fmt::format("{} (radix {})", t.switches, t.radix);
      }
      return std::string("-");
    });
  }
  for (const char* cls : {"gpu-leaf", "leaf-spine", "spine-core"}) {
    row(fmt::format("{} cables", cls), [&](const Inspected& in) {
      const uint64_t n = cable_count(in.report, cls);
      return n ? fmt::format("{}", n) : std::string("-");
    });
  }
  for (const char* tier : {"leaf", "spine"}) {
    row(fmt::format("{} oversubscription", tier), [&](const Inspected& in) {
      for (const TierReport& t : in.report.tiers) {
        if (t.name == tier && t.up_Bps > 0) return fmt::format("{:.3g}:1", t.oversubscription());
      }
      return std::string("-");
    });
  }
  row("bisection", [](const Inspected& in) {
    return fmt::format("{:.4g} Tb/s ({:.3g} of full)", in.report.bisection_Bps * 8 / 1e12,
                       in.report.full_bisection_Bps > 0 ? in.report.bisection_Bps / in.report.full_bisection_Bps : 0.0);
  });
  row("diameter (hops)", [](const Inspected& in) { return fmt::format("{}", in.report.diameter_hops); });
  row("ECMP paths", [](const Inspected& in) {
    return fmt::format("{:.0f} (gpu{} to gpu{})", in.report.ecmp_paths, in.report.ecmp_src, in.report.ecmp_dst);
  });
  row("cost", [](const Inspected& in) {
    return fmt::format("${:.2f}M (${:.0f}/GPU)", in.cost.total_usd() / 1e6,
                       in.report.gpus ? in.cost.total_usd() / in.report.gpus : 0.0);
  });
  row("  switches/optics/cables", [](const Inspected& in) {
    return fmt::format("${:.2f}M / ${:.2f}M / ${:.2f}M", in.cost.switches_usd / 1e6, in.cost.optics_usd / 1e6,
                       in.cost.cables_usd / 1e6);
  });
  row("power", [](const Inspected& in) {
    return fmt::format("{:.1f} kW ({:.1f} W/GPU)", in.cost.total_watts() / 1e3,
                       in.report.gpus ? in.cost.total_watts() / in.report.gpus : 0.0);
  });
  size_t w0 = 0;
  std::vector<size_t> w(all.size(), 0);
  for (const auto& [name, cells] : rows) {
    w0 = std::max(w0, name.size());
    for (size_t i = 0; i < cells.size(); ++i) w[i] = std::max(w[i], cells[i].size());
  }
  for (const auto& [name, cells] : rows) {
    std::string line = fmt::format("{:<{}}", name, w0 + 2);
    for (size_t i = 0; i < cells.size(); ++i) line += fmt::format("{:<{}}", cells[i], w[i] + 3);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
  }
}

void print_text(const Inspected& in) {
  const TopologyReport& r = in.report;
  std::printf("%s: %s fabric, routing %s\n", in.file.c_str(), r.kind.c_str(), r.routing.c_str());
  std::printf("  GPUs        %u (%u servers x %u, one NVSwitch each, %.1f TFLOP/s per GPU)\n", r.gpus, r.servers,
              r.gpus_per_server, r.gpu_flops / 1e12);
  uint64_t total = 0;
  for (const TierReport& t : r.tiers) total += t.switches;
  std::printf("  switches    %llu:", static_cast<unsigned long long>(total));
  for (const TierReport& t : r.tiers) {
    std::printf(" %u %s (radix %u, %u ports used)", t.switches, t.name.c_str(), t.radix, t.max_ports_used);
  }
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
  std::printf("  diameter    %u hops between GPUs; %.0f equal-cost paths from gpu%u to gpu%u\n", r.diameter_hops,
              r.ecmp_paths, r.ecmp_src, r.ecmp_dst);
  std::printf("  cost        $%.2fM: switches $%.2fM, %llu transceivers $%.2fM, cables $%.2fM ($%.0f per GPU)\n",
              in.cost.total_usd() / 1e6, in.cost.switches_usd / 1e6, static_cast<unsigned long long>(in.cost.transceivers),
              in.cost.optics_usd / 1e6, in.cost.cables_usd / 1e6, r.gpus ? in.cost.total_usd() / r.gpus : 0.0);
  std::printf("  power       %.1f kW: switches %.1f kW, optics %.1f kW (%.1f W per GPU)\n", in.cost.total_watts() / 1e3,
              in.cost.switches_watts / 1e3, in.cost.optics_watts / 1e3,
              r.gpus ? in.cost.total_watts() / r.gpus : 0.0);
  std::printf("  (prices are assumptions: see topologies/presets/README.md; built in %.2f s)\n", in.build_s);
}

// Every seam's explicit list, and the routing policies: (name, description) per entry.
struct Registry {
  const char* key;    // JSON key
  const char* title;  // text heading: what selects an entry
  std::vector<std::pair<std::string, std::string>> entries;
};

std::vector<Registry> registries() {
  std::vector<Registry> r{{"topologies", "topologies (topology.kind)", {}},
                          {"workloads", "workloads (workload.kind)", {}},
                          {"collectives", "collective algorithms (algorithm: in a workload, collbench --algo)", {}},
                          {"failures", "failure models (failures.models[].kind)", {}},
                          {"routing", "routing policies (topology.routing)", {}}};
  for (const auto* b : topology_builders()) r[0].entries.emplace_back(b->kind(), b->description());
  for (const auto* s : workload_sources()) r[1].entries.emplace_back(s->kind(), s->description());
  for (const auto* a : collective_algorithms()) r[2].entries.emplace_back(a->name(), a->description());
  for (const auto* m : failure_models()) r[3].entries.emplace_back(m->kind(), m->description());
  for (const RoutingPolicyInfo& p : routing_policies()) r[4].entries.emplace_back(p.name, p.description);
  return r;
}

void list_registries(bool json) {
  const std::vector<Registry> all = registries();
  if (json) {
    nlohmann::json j = nlohmann::json::object();
    for (const Registry& r : all) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& [name, description] : r.entries) list.push_back({{"name", name}, {"description", description}});
      j[r.key] = list;
    }
    std::cout << j.dump(2) << std::endl;
    return;
  }
  for (const Registry& r : all) {
    std::printf("%s:\n", r.title);
    for (const auto& [name, description] : r.entries) std::printf("  %-16s %s\n", name.c_str(), description.c_str());
  }
}

void inspect_command(const InspectOptions& o) {
  if (o.list) {
    list_registries(o.json);
    if (o.files.empty()) return;
  }
  if (o.files.empty()) throw ConfigError("inspect needs a topology or run file (or --list)");
  PriceTable base;
  if (!o.prices.empty()) base = parse_price_table(load_yaml_file(o.prices));
  std::vector<Inspected> all;
  for (const std::string& file : o.files) {
    const ConfigNode spec = load_topology_or_run(file, o.sets);
    const auto t0 = std::chrono::steady_clock::now();
    const Topology topo = build_topology(spec);
    Inspected in;
    in.build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    in.file = file;
    in.report = make_topology_report(topo);
    const PriceTable prices = spec.has("cost") ? parse_price_table(spec.at("cost"), base) : base;
    in.cost = estimate_cost(topo, prices);
    all.push_back(std::move(in));
  }
  if (o.json) {
    if (all.size() == 1) {
      std::cout << to_json(all[0]).dump(2) << std::endl;
    } else {
      nlohmann::json arr = nlohmann::json::array();
      for (const Inspected& in : all) arr.push_back(to_json(in));
      std::cout << arr.dump(2) << std::endl;
    }
  } else if (all.size() == 1) {
    print_text(all[0]);
  } else {
    print_side_by_side(all);
  }
}

}  // namespace

void setup_inspect(CLI::App& app) {
  auto opt = std::make_shared<InspectOptions>();
  CLI::App* sub = app.add_subcommand(
      "inspect",
      "Describe fabrics without simulating: GPUs, switches and cables per tier, oversubscription,\n"
      "bisection bandwidth (max-flow between the two halves of the GPUs), diameter, equal-cost paths,\n"
      "and a cost and power estimate. Several files are shown side by side.\n"
      "FILE is a topology file or a run file. Example:\n"
      "  gigasim inspect topologies/presets/dgx-superpod-h100.yaml --set scalable_units=16\n"
      "  gigasim inspect topologies/presets/*.yaml");
  sub->add_option("files", opt->files, "Topology or run files (YAML)");
  sub->add_option("--set", opt->sets, "Override a config value: key.path=value (repeatable)");
  sub->add_option("--prices", opt->prices, "Price/power table (YAML, the keys of a topology's 'cost:')");
  sub->add_flag("--json", opt->json, "Print JSON on stdout: one object, or a list for several files");
  sub->add_flag("--list", opt->list,
                "List what can be chosen, with a line on each: topology families, workload sources, collective "
                "algorithms, failure models and routing policies (--json: an object of lists of {name, description})");
  sub->callback([opt]() { inspect_command(*opt); });
}

}  // namespace gigasim
