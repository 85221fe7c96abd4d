#include "sim/results/results_writer.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "sim/core/error.hpp"
#include "sim/core/version.hpp"
#include "sim/results/h5.hpp"
#include "sim/results/result_file.hpp"
#include "sim/results/slowdown.hpp"

namespace gigasim {
namespace {

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

const h5::EnumType kFidelityEnum{{"stepwise", "collapsed", "analytic"}};
const h5::EnumType kCollectiveEnum{{"all_reduce", "reduce_scatter", "all_gather", "alltoall", "broadcast", "reduce",
                                    "sendrecv"}};
const h5::EnumType kProtocolEnum{{"simple", "ll128", "ll"}};
const h5::EnumType kNodeKindEnum{{"gpu", "nvswitch", "switch"}};
const h5::EnumType kLinkKindEnum{{"nvlink", "nic", "fabric"}};
const h5::EnumType kDimEnum{{"dp", "tp", "pp", "ep", "cp", "custom"}};

uint8_t dim_code(const std::string& dim) {
  for (size_t i = 0; i < kDimEnum.names.size(); ++i) {
    if (kDimEnum.names[i] == dim) return static_cast<uint8_t>(i);
  }
  return static_cast<uint8_t>(kDimEnum.names.size() - 1);
}

// Root attributes: what ran and how (beyond those every result file has).
void write_run_attrs(const h5::File& f, const RunMeta& meta, const Topology& topo, const Workload& work,
                     const ReplayResult& res) {
  f.attr("sim_time_s", res.sim_time_s);
  f.attr("network_model", meta.network.model);
  f.attr("network_crosstraffic", int64_t{meta.network.crosstraffic ? 1 : 0});
  f.attr("fidelity", run_fidelity(res));
  f.attr("flows_simulated", static_cast<int64_t>(res.flows));
  f.attr("rank_folding", static_cast<int64_t>(res.fold));
  f.attr("rank_folding_exact", int64_t{res.fold_exact ? 1 : 0});
  f.attr("topology_kind", topo.kind);
  f.attr("routing", std::string(topo.router->policy()));
  f.attr("workload_kind", work.kind);
}

// /config (the resolved YAML), /params (sweep parameters), /summary (scalars).
void write_config_and_summary(const h5::File& f, const RunMeta& meta, const Summary& summary) {
  {
    h5::Group cfg = f.create_group("config");
    for (const auto& [name, text] : meta.config) cfg.string_dataset(name, text);
  }
  {
    h5::Group params = f.create_group("params");
    for (const auto& [k, v] : meta.params) params.attr(k, v);
  }
  {
    h5::Group sum = f.create_group("summary");
    for (const auto& [k, v] : summary) sum.attr(k, v);
  }
}

// /steps: one row per step, with where its critical rank's time went.
void write_steps(const h5::File& f, const ReplayResult& res) {
// /steps
  const size_t n = res.steps.size();
  std::vector<int64_t> step(n), failed(n), critical(n);
  std::vector<double> first(n), start(n), end(n), dur(n), comp(n), exposed(n);
  constexpr size_t kClasses = static_cast<size_t>(TimeClass::kCount);
  std::vector<std::vector<double>> parts(kClasses, std::vector<double>(n));
  for (size_t i = 0; i < n; ++i) {
    const StepRecord& s = res.steps[i];
    const bool done = s.end_s >= s.start_s;
    step[i] = static_cast<int64_t>(i);
    first[i] = s.first_start_s;
    start[i] = done ? s.start_s : NAN;
    end[i] = done ? s.end_s : NAN;
    dur[i] = done ? s.duration() : NAN;
    comp[i] = s.compute_s();
    exposed[i] = done ? std::max(0.0, s.duration() - s.compute_s()) : NAN;
    critical[i] = s.critical_rank;
    for (size_t c = 1; c < kClasses; ++c) parts[c][i] = s.breakdown[c];
    failed[i] = done && res.ok ? 0 : 1;
  }
  h5::Table t(f, "steps", n);
  t.column("step", step);
  t.column("first_start_s", first, "s");
  t.column("start_s", start, "s");
  t.column("end_s", end, "s");
  t.column("duration_s", dur, "s");
  t.column("compute_s", comp, "s");
  t.column("exposed_comm_s", exposed, "s");
  for (size_t c = 1; c < kClasses; ++c) {
    const auto tc = static_cast<TimeClass>(c);
    t.column(tc == TimeClass::kBubble ? std::string("bubble_s") : fmt::format("exposed_{}_s", to_string(tc)), parts[c],
             "s");
  }
  t.column("critical_rank", critical);
  t.column("failed", failed);
  t.finish();
}

// /collectives: one row per collective op, what ran and how long against its closed form.
void write_collectives(const h5::File& f, const Workload& work, const ReplayResult& res) {
// /collectives
  const size_t n = res.collectives.size();
  std::vector<int64_t> step(n), op_id(n), program(n), group(n), flows(n), channels(n);
  std::vector<uint8_t> kind(n), algo(n), fid(n), proto(n);
  std::vector<double> bytes(n), first(n), start(n), end(n), dur(n), alg(n), bus(n), alpha(n), est(n);
  std::vector<std::string> label(n);
  std::vector<std::string> algo_names;
  for (size_t i = 0; i < n; ++i) {
    const CollectiveRecord& r = res.collectives[i];
    const Op& op = work.programs[r.program].ops[r.op];
    auto it = std::find(algo_names.begin(), algo_names.end(), r.algorithm);
    if (it == algo_names.end()) it = algo_names.insert(algo_names.end(), r.algorithm);
    const bool done = r.end_s >= r.start_s;
    step[i] = op.step;
    op_id[i] = r.op;
    program[i] = r.program;
    group[i] = op.family;
    flows[i] = static_cast<int64_t>(r.flows);
    channels[i] = static_cast<int64_t>(r.channels);
    kind[i] = static_cast<uint8_t>(op.collective);
    algo[i] = static_cast<uint8_t>(it - algo_names.begin());
    fid[i] = static_cast<uint8_t>(r.fidelity);
    proto[i] = static_cast<uint8_t>(r.protocol);
    est[i] = r.estimate_s;
    bytes[i] = op.bytes;
    first[i] = r.first_start_s;
    start[i] = done ? r.start_s : NAN;
    end[i] = done ? r.end_s : NAN;
    dur[i] = done ? r.end_s - r.start_s : NAN;
    alg[i] = done ? algbw_Bps(op, r) : NAN;
    bus[i] = done ? busbw_Bps(op, work.families[op.family], r) : NAN;
    alpha[i] = r.alpha_s;
    label[i] = op.label;
  }
  if (algo_names.empty()) algo_names.push_back("ring");
  h5::Table t(f, "collectives", n);
  t.column("step", step);
  t.column("op_id", op_id);
  t.column("program", program);
  t.column("group_id", group);
  t.enum_column("kind", kCollectiveEnum, kind);
  t.enum_column("algorithm", h5::EnumType{algo_names}, algo);
  t.enum_column("protocol", kProtocolEnum, proto);
  t.enum_column("fidelity", kFidelityEnum, fid);
  t.column("bytes", bytes, "B");
  t.column("first_start_s", first, "s");
  t.column("start_s", start, "s");
  t.column("end_s", end, "s");
  t.column("duration_s", dur, "s");
  t.column("algbw_Bps", alg, "B/s");
  t.column("busbw_Bps", bus, "B/s");
  t.column("alpha_s", alpha, "s");
  t.column("closed_form_s", est, "s");
  t.column("flows", flows);
  t.column("channels", channels);
  t.column("label", label);
  t.finish();
}

// /slowdown: collectives against their contention-free closed form, per kind and dimension.
void write_slowdown(const h5::File& f, const Workload& work, const ReplayResult& res) {
  const std::vector<SlowdownRow> rows = slowdown_table(work, res);
  const size_t n = rows.size();
  std::vector<std::string> kind(n), dim(n);
  std::vector<int64_t> count(n);
  std::vector<double> p50(n), p90(n), p99(n), mx(n);
  for (size_t i = 0; i < n; ++i) {
    kind[i] = rows[i].kind;
    dim[i] = rows[i].dim;
    count[i] = static_cast<int64_t>(rows[i].count);
    p50[i] = rows[i].p50, p90[i] = rows[i].p90, p99[i] = rows[i].p99, mx[i] = rows[i].max;
  }
  h5::Table t(f, "slowdown", n);
  t.column("kind", kind);
  t.column("dim", dim);
  t.column("count", count);
  t.column("p50", p50, "1");
  t.column("p90", p90, "1");
  t.column("p99", p99, "1");
  t.column("max", mx, "1");
  t.finish();
}

// /failures: one row per failure event and what it cost (only when there were failures).
void write_failures(const h5::File& f, const ReplayResult& res) {
// /failures
  const size_t n = res.failures.size();
  std::vector<int64_t> id(n), target_id(n), ntargets(n), step(n), applied(n), cut(n);
  std::vector<uint8_t> tkind(n), kind(n);
  std::vector<double> time(n), dur(n), factor(n), lost(n);
  std::vector<std::string> target(n), origin(n);
  for (size_t i = 0; i < n; ++i) {
    const FailureRecord& r = res.failures[i];
    id[i] = static_cast<int64_t>(i);
    time[i] = r.event.time_s;
    tkind[i] = static_cast<uint8_t>(r.event.target_kind);
    target_id[i] = r.event.targets.empty() ? -1 : r.event.targets[0].id;
    ntargets[i] = static_cast<int64_t>(r.event.targets.size());
    target[i] = r.event.target;
    kind[i] = static_cast<uint8_t>(r.event.kind);
    dur[i] = r.event.duration_s;
    factor[i] = r.event.factor;
    applied[i] = r.applied ? 1 : 0;
    step[i] = r.step;
    cut[i] = static_cast<int64_t>(r.flows_cut);
    lost[i] = r.lost_s;
    origin[i] = r.event.origin;
  }
  h5::Table t(f, "failures", n);
  t.column("event_id", id);
  t.column("time_s", time, "s");
  t.enum_column("target_kind", h5::EnumType{{"link", "switch", "nic", "gpu", "server"}}, tkind);
  t.column("target_id", target_id);
  t.column("target", target);
  t.column("targets", ntargets);
  t.enum_column("kind", h5::EnumType{{"down", "degrade", "slow"}}, kind);
  t.column("duration_s", dur, "s");
  t.column("factor", factor);
  t.column("applied", applied);
  t.column("step", step);
  t.column("flows_cut", cut);
  t.column("lost_s", lost, "s");
  t.column("origin", origin);
  t.finish();
}

// /groups: the group families (rank groups by parallelism dimension).
void write_groups(const h5::File& f, const Workload& work) {
// /groups
  const size_t n = work.families.size();
  std::vector<int64_t> id(n), size(n), stride(n), span(n), count(n), base(n);
  std::vector<std::string> name(n);
  std::vector<uint8_t> dim(n);
  for (size_t i = 0; i < n; ++i) {
    const GroupFamily& g = work.families[i];
    id[i] = static_cast<int64_t>(i);
    name[i] = g.name;
    size[i] = g.size;
    stride[i] = g.stride;
    span[i] = g.span;
    base[i] = g.base;
    count[i] = g.group_count();
    dim[i] = dim_code(g.dim);
  }
  h5::Table t(f, "groups", n);
  t.column("group_id", id);
  t.column("name", name);
  t.enum_column("dim", kDimEnum, dim);
  t.column("size", size);
  t.column("stride", stride);
  t.column("span", span);
  t.column("base", base);
  t.column("groups", count);
  t.finish();
}

// /nodes: GPUs and switches.
void write_nodes(const h5::File& f, const Topology& topo) {
// /nodes
  const size_t n = topo.nodes.size();
  std::vector<int64_t> id(n), tier(n), pod(n), index(n);
  std::vector<uint8_t> kind(n);
  std::vector<std::string> name(n);
  for (size_t i = 0; i < n; ++i) {
    const Node& nd = topo.nodes[i];
    id[i] = static_cast<int64_t>(i);
    name[i] = topo.node_name(static_cast<NodeId>(i));
    kind[i] = static_cast<uint8_t>(nd.kind);
    tier[i] = nd.tier;
    pod[i] = nd.pod;
    index[i] = nd.index;
  }
  h5::Table t(f, "nodes", n);
  t.column("node_id", id);
  t.column("name", name);
  t.enum_column("kind", kNodeKindEnum, kind);
  t.column("tier", tier);
  t.column("pod", pod);
  t.column("index", index);
  t.finish();
}

// /links: every directed link (NVLink ones with record_nvlink) and what it carried.
void write_links(const h5::File& f, const RunMeta& meta, const Topology& topo, const ReplayResult& res) {
// /links
  std::vector<LinkId> rows;
  for (LinkId l = 0; l < topo.link_count(); ++l) {
    if (meta.record_nvlink || topo.cables[cable_of(l)].kind != LinkKind::kNvLink) rows.push_back(l);
  }
  const size_t n = rows.size();
  std::vector<int64_t> id(n), src(n), dst(n), tier(n);
  std::vector<uint8_t> kind(n);
  std::vector<double> bw(n), lat(n), bytes(n), busy(n), avg(n), mx(n);
  std::vector<std::string> name(n);
  for (size_t i = 0; i < n; ++i) {
    const LinkId l = rows[i];
    const Cable& c = topo.cables[cable_of(l)];
    id[i] = l;
    name[i] = topo.link_name(l);
    src[i] = topo.link_source(l);
    dst[i] = topo.link_target(l);
    kind[i] = static_cast<uint8_t>(c.kind);
    tier[i] = c.tier;
    bw[i] = c.bw_Bps;
    lat[i] = c.latency_s;
    // Under rank folding a shared link carried every position's copy, as it really does; the
    // private links of the positions that were not simulated show nothing.
    bytes[i] = res.links ? res.links->bytes(l) : 0;
    busy[i] = res.links ? res.links->busy_s(l) : 0;
    avg[i] = res.sim_time_s > 0 ? bytes[i] / (c.bw_Bps * res.sim_time_s) : 0;
    mx[i] = res.links ? res.links->max_util(l) : 0;
  }
  h5::Table t(f, "links", n);
  t.column("link_id", id);
  t.column("name", name);
  t.column("src_node", src);
  t.column("dst_node", dst);
  t.enum_column("kind", kLinkKindEnum, kind);
  t.column("tier", tier);
  t.column("bandwidth_Bps", bw, "B/s");
  t.column("latency_s", lat, "s");
  t.column("bytes", bytes, "B");
  t.column("busy_s", busy, "s");
  t.column("avg_util", avg, "1");
  t.column("max_util", mx, "1");
  t.finish();
}

void write_file(const std::string& tmp, const RunMeta& meta, const Topology& topo, const Workload& work,
                const ReplayResult& res, const Summary& summary) {
  h5::File f = h5::File::create(tmp);
  write_root_attrs(f, meta);
  write_run_attrs(f, meta, topo, work, res);
  write_config_and_summary(f, meta, summary);
  write_steps(f, res);
  write_collectives(f, work, res);
  write_slowdown(f, work, res);
  if (!res.failures.empty()) write_failures(f, res);
  write_groups(f, work);
  write_nodes(f, topo);
  write_links(f, meta, topo, res);
  f.close();
}

}  // namespace

std::string run_fidelity(const ReplayResult& res) {
  std::string seen;
  for (const CollectiveRecord& r : res.collectives) {
    if (seen.empty()) seen = to_string(r.fidelity);
    if (to_string(r.fidelity) != seen) return "mixed";
  }
  return seen.empty() ? "none" : seen;
}

void write_results(const std::string& path, const RunMeta& meta, const Topology& topo, const Workload& work,
                   const ReplayResult& res, const Summary& summary) {
  write_atomically(path, "the result file", [&](const std::string& tmp) { write_file(tmp, meta, topo, work, res, summary); },
                   static_cast<uint64_t>(meta.expected_bytes));
}

void write_root_attrs(const h5::File& f, const RunMeta& meta) {
  f.attr("schema", kSchemaName);
  f.attr("schema_version", kSchemaVersion);
  f.attr("gigasim_version", kGigasimVersion);
  f.attr("git_sha", kGitSha);
  f.attr("simgrid_version", meta.simgrid_version);
  f.attr("hdf5_version", h5::library_version());
  f.attr("created_utc", utc_now());
  f.attr("hostname", host_name());
  f.attr("command_line", meta.command_line);
  f.attr("status", meta.status);
  if (!meta.error.empty()) f.attr("error", meta.error);
  f.attr("wall_time_s", meta.wall_time_s);
  f.attr("seed", meta.seed);
}


}  // namespace gigasim
