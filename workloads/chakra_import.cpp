#include "workloads/chakra_import.hpp"

#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/gzip_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <queue>
#include <set>
#include <tuple>
#include <unordered_map>

#include "chakra/et_subset.pb.h"

namespace gigasim {
namespace {

namespace pb = ChakraProtoMsg;
namespace io = google::protobuf::io;

constexpr size_t kMaxStreams = 4;  // compute, comm, and send and recv when used
constexpr std::array<const char*, 2> kKnownVersions{"0.0.4", "1.0.0"};

struct EtFile {
  std::string path;
  std::string version;
  std::vector<pb::Node> nodes;
};

[[noreturn]] void fail_in(const std::string& path, const std::string& message) {
  throw ConfigError(SourceLocation{path, 0, 0}, message);
}

// One length-delimited message (varint32 size, then the bytes). False at a clean end of file.
bool read_delimited(io::ZeroCopyInputStream* in, google::protobuf::MessageLite& m, const std::string& path,
                    size_t index) {
  io::CodedInputStream cis(in);  // one per message: no 2 GiB limit on the file
  uint32_t size = 0;
  if (!cis.ReadVarint32(&size)) {
    if (cis.CurrentPosition() == 0) return false;
    fail_in(path, fmt::format("message {} is truncated (in its length)", index));
  }
  const auto limit = cis.PushLimit(static_cast<int>(size));
  if (!m.ParseFromCodedStream(&cis) || cis.BytesUntilLimit() > 0) {
    fail_in(path, fmt::format("message {} ({} bytes) is truncated or not a Chakra {}", index, size,
                              index == 0 ? "GlobalMetadata" : "Node"));
  }
  cis.PopLimit(limit);
  return true;
}

// GlobalMetadata, then Nodes; gzip-compressed when the file starts with 0x1f 0x8b.
EtFile read_et(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("{}: error: cannot read the Chakra trace", path));
  char magic[2] = {0, 0};
  in.read(magic, 2);
  const bool gzip =
      in.gcount() == 2 && static_cast<uint8_t>(magic[0]) == 0x1f && static_cast<uint8_t>(magic[1]) == 0x8b;
  in.clear();
  in.seekg(0);
  io::IstreamInputStream raw(&in);
  std::optional<io::GzipInputStream> gz;
  if (gzip) gz.emplace(&raw, io::GzipInputStream::GZIP);
  io::ZeroCopyInputStream* src = gz ? static_cast<io::ZeroCopyInputStream*>(&*gz) : &raw;
  EtFile f;
  f.path = path;
  pb::GlobalMetadata meta;
  if (!read_delimited(src, meta, path, 0)) fail_in(path, "empty: a Chakra trace starts with its GlobalMetadata");
  f.version = meta.version();
  for (size_t i = 1;; ++i) {
    pb::Node n;
    if (!read_delimited(src, n, path, i)) break;
    f.nodes.push_back(std::move(n));
  }
  if (gz && gz->ZlibErrorCode() < 0) {
    fail_in(path, fmt::format("corrupt gzip data ({})", gz->ZlibErrorMessage() ? gz->ZlibErrorMessage() : "zlib"));
  }
  if (in.bad()) throw IoError(fmt::format("{}: error: cannot read the Chakra trace", path));
  return f;
}

const pb::AttributeProto* find_attr(const pb::Node& n, std::string_view name) {
  for (const pb::AttributeProto& a : n.attr()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

std::string node_ref(const pb::Node& n) { return fmt::format("node {} ('{}')", n.id(), n.name()); }

// An integer attribute, whichever integer field carries it.
std::optional<int64_t> attr_int(const EtFile& f, const pb::Node& n, std::string_view name) {
  const pb::AttributeProto* a = find_attr(n, name);
  if (a == nullptr) return std::nullopt;
  switch (a->value_case()) {
    case pb::AttributeProto::kInt64Val: return a->int64_val();
    case pb::AttributeProto::kInt32Val: return a->int32_val();
    case pb::AttributeProto::kUint32Val: return a->uint32_val();
    case pb::AttributeProto::kUint64Val:
      if (a->uint64_val() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(a->uint64_val());
      break;
    default: break;
  }
  fail_in(f.path, fmt::format("{}: attribute '{}' must be an integer", node_ref(n), name));
}

int64_t required_int(const EtFile& f, const pb::Node& n, std::string_view name) {
  if (auto v = attr_int(f, n, name)) return *v;
  fail_in(f.path, fmt::format("{}: {} needs the attribute '{}'", node_ref(n), pb::NodeType_Name(n.type()), name));
}

bool is_cpu_op(const EtFile& f, const pb::Node& n) {
  const pb::AttributeProto* a = find_attr(n, "is_cpu_op");
  if (a == nullptr) return false;
  if (a->value_case() == pb::AttributeProto::kBoolVal) return a->bool_val();
  return attr_int(f, n, "is_cpu_op").value_or(0) != 0;
}

std::string pg_name(const EtFile& f, const pb::Node& n) {
  const pb::AttributeProto* a = find_attr(n, "pg_name");
  if (a == nullptr) return "";
  if (a->value_case() != pb::AttributeProto::kStringVal) {
    fail_in(f.path, fmt::format("{}: attribute 'pg_name' must be a string", node_ref(n)));
  }
  return a->string_val();
}

// What the import needs to know about the job.
struct Context {
  uint32_t template_ranks = 1;
  Workload* w = nullptr;
  std::unordered_map<std::string, uint32_t> families;  ///< pg_name -> family ("" -> the template)
  Op collective;                                       ///< collective options from the spec
  int send_stream = -1;
  int recv_stream = -1;

  uint16_t p2p_stream(bool send) {
    int& s = send ? send_stream : recv_stream;
    if (s < 0) {
      s = static_cast<int>(w->streams.size());
      w->streams.push_back(Stream{send ? "send" : "recv", StreamKind::kP2P});
    }
    return static_cast<uint16_t>(s);
  }
};

// The op a node becomes, or nothing for a placeholder (kept only for its dependencies).
std::optional<Op> make_op(const EtFile& f, const pb::Node& n, uint32_t rank, Context& cx) {
  if (is_cpu_op(f, n)) return std::nullopt;
  Op op;
  op.label = n.name().empty() ? fmt::format("node {}", n.id()) : n.name();
  op.where = fmt::format("{} node {}", f.path, n.id());
  switch (n.type()) {
    case pb::COMP_NODE:
      if (n.duration_micros() == 0) return std::nullopt;
      op.seconds = static_cast<double>(n.duration_micros()) / 1e6;
      return op;
    case pb::COMM_COLL_NODE: {
      Op c = cx.collective;
      c.label = op.label;
      c.where = op.where;
      c.kind = OpKind::kCollective;
      c.stream = 1;
      const std::string pg = pg_name(f, n);
      const auto fam = cx.families.find(pg);
      if (fam == cx.families.end()) {
        fail_in(f.path, fmt::format("{}: process group '{}' is not in the workload's 'groups' (give its shape, e.g. "
                                    "groups: {{\"{}\": {{size: 8, stride: 1}}}}, or \"{}\": replicas)",
                                    node_ref(n), pg, pg, pg));
      }
      c.family = fam->second;
      const int64_t type = required_int(f, n, "comm_type");
      const double size = static_cast<double>(required_int(f, n, "comm_size"));
      // comm_size is one rank's input buffer; our bytes follow nccl-tests (the README's table).
      switch (type) {
        case pb::ALL_REDUCE: c.collective = CollectiveKind::kAllReduce; break;
        case pb::REDUCE: c.collective = CollectiveKind::kReduce; break;
        case pb::BROADCAST: c.collective = CollectiveKind::kBroadcast; break;
        case pb::ALL_TO_ALL: c.collective = CollectiveKind::kAllToAll; break;
        case pb::REDUCE_SCATTER:
        case pb::REDUCE_SCATTER_BLOCK: c.collective = CollectiveKind::kReduceScatter; break;
        case pb::ALL_GATHER: c.collective = CollectiveKind::kAllGather; break;
        case pb::BARRIER: c.collective = CollectiveKind::kAllReduce; break;
        default:
          fail_in(f.path, fmt::format("{}: comm_type {} ({}) is not supported", node_ref(n), type,
                                      pb::CollectiveCommType_IsValid(static_cast<int>(type))
                                          ? pb::CollectiveCommType_Name(static_cast<pb::CollectiveCommType>(type))
                                          : "unknown"));
      }
      if (size < 0) fail_in(f.path, fmt::format("{}: comm_size is negative", node_ref(n)));
      c.bytes = type == pb::ALL_GATHER ? size * cx.w->families[c.family].size : size;
      return c;
    }
    case pb::COMM_SEND_NODE:
    case pb::COMM_RECV_NODE: {
      const bool send = n.type() == pb::COMM_SEND_NODE;
      op.kind = send ? OpKind::kSend : OpKind::kRecv;
      op.stream = cx.p2p_stream(send);
      op.family = cx.families.at("");
      const int64_t peer = required_int(f, n, send ? "comm_dst" : "comm_src");
      if (peer < 0 || peer >= cx.template_ranks || peer == rank) {
        fail_in(f.path, fmt::format("{}: {} {} is not another rank of the template (0 to {})", node_ref(n),
                                    send ? "comm_dst" : "comm_src", peer, cx.template_ranks - 1));
      }
      op.peer = static_cast<int32_t>(peer - rank);
      op.tag = static_cast<uint32_t>(attr_int(f, n, "comm_tag").value_or(0));
      op.bytes = static_cast<double>(required_int(f, n, "comm_size"));
      if (op.bytes < 0) fail_in(f.path, fmt::format("{}: comm_size is negative", node_ref(n)));
      return op;
    }
    default:  // invalid, metadata, memory and anything newer: placeholders
      return std::nullopt;
  }
}

// One rank's program: nodes in dependency order (file order among ready nodes); each op runs on
// its stream in that order and waits, on other streams, for the ops its dependencies (through
// placeholders) stand on. `steps` iterations, each after the previous one is complete.
Program import_program(const EtFile& f, uint32_t rank, uint32_t steps, Context& cx) {
  const size_t n = f.nodes.size();
  std::unordered_map<uint64_t, uint32_t> index;
  for (uint32_t i = 0; i < n; ++i) {
    if (!index.emplace(f.nodes[i].id(), i).second) {
      fail_in(f.path, fmt::format("node id {} appears twice", f.nodes[i].id()));
    }
  }
  std::vector<std::vector<uint32_t>> deps(n), children(n);
  std::vector<uint32_t> waiting(n, 0);
  for (uint32_t i = 0; i < n; ++i) {
    for (const auto* list : {&f.nodes[i].data_deps(), &f.nodes[i].ctrl_deps()}) {
      for (uint64_t d : *list) {
        const auto it = index.find(d);
        if (it == index.end()) {
          fail_in(f.path, fmt::format("{} depends on node {}, which is not in the file", node_ref(f.nodes[i]), d));
        }
        deps[i].push_back(it->second);
        children[it->second].push_back(i);
        ++waiting[i];
      }
    }
  }
  std::priority_queue<uint32_t, std::vector<uint32_t>, std::greater<>> ready;
  for (uint32_t i = 0; i < n; ++i) {
    if (waiting[i] == 0) ready.push(i);
  }
  using Counts = std::array<uint32_t, kMaxStreams>;
  std::vector<Counts> front(n, Counts{});  // per node: ops per stream complete once it is
  Counts count{};
  Program iteration;
  size_t visited = 0;
  while (!ready.empty()) {
    const uint32_t i = ready.top();
    ready.pop();
    ++visited;
    for (uint32_t c : children[i]) {
      if (--waiting[c] == 0) ready.push(c);
    }
    Counts need{};
    for (uint32_t d : deps[i]) {
      for (size_t s = 0; s < kMaxStreams; ++s) need[s] = std::max(need[s], front[d][s]);
    }
    front[i] = need;
    std::optional<Op> op = make_op(f, f.nodes[i], rank, cx);
    if (!op) continue;
    const uint16_t s = op->stream;
    // Order on a compute or collective stream implies completion; p2p ops are only posted in order.
    for (uint16_t t = 0; t < kMaxStreams; ++t) {
      const bool implied = t == s && cx.w->streams[s].kind != StreamKind::kP2P;
      if (need[t] > 0 && !implied) op->deps.push_back(Dep{t, need[t]});
    }
    front[i][s] = ++count[s];
    iteration.ops.push_back(std::move(*op));
  }
  if (visited < n) {
    for (uint32_t i = 0; i < n; ++i) {
      if (waiting[i] > 0) fail_in(f.path, fmt::format("{} is part of a dependency cycle", node_ref(f.nodes[i])));
    }
  }
  Program p;
  for (uint32_t k = 0; k < steps; ++k) {
    std::array<bool, kMaxStreams> first{};
    for (Op op : iteration.ops) {
      op.step = k;
      for (Dep& d : op.deps) d.count += k * count[d.stream];
      if (k > 0 && !first[op.stream]) {
        first[op.stream] = true;  // the rest of the stream follows it
        for (uint16_t t = 0; t < kMaxStreams; ++t) {
          const bool implied = t == op.stream && cx.w->streams[t].kind != StreamKind::kP2P;
          const bool has = std::any_of(op.deps.begin(), op.deps.end(), [&](const Dep& d) { return d.stream == t; });
          if (count[t] > 0 && !implied && !has) op.deps.push_back(Dep{t, k * count[t]});
        }
      }
      p.ops.push_back(std::move(op));
    }
  }
  return p;
}

bool same_ops(const Program& a, const Program& b) {
  auto key = [](const Op& o) {
    return std::tie(o.kind, o.stream, o.step, o.label, o.seconds, o.family, o.bytes, o.collective, o.peer, o.tag);
  };
  if (a.ops.size() != b.ops.size()) return false;
  for (size_t i = 0; i < a.ops.size(); ++i) {
    if (key(a.ops[i]) != key(b.ops[i]) || a.ops[i].deps.size() != b.ops[i].deps.size()) return false;
    for (size_t d = 0; d < a.ops[i].deps.size(); ++d) {
      if (a.ops[i].deps[d].stream != b.ops[i].deps[d].stream || a.ops[i].deps[d].count != b.ops[i].deps[d].count) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

Workload ChakraSource::build(const ConfigNode& spec, const ClusterInfo& cluster) const {
  spec.check_keys({"kind", "prefix", "template_ranks", "replicas", "steps", "groups", "programs_by", "algorithm",
                   "protocol", "fidelity", "channels", "nvlink"});
  const ConfigNode prefix_node = spec.at("prefix");
  const std::string prefix = prefix_node.as_path();
  const ConfigNode tr = spec.at("template_ranks");
  const auto T = static_cast<uint32_t>(tr.as_int(1, INT32_MAX));
  if (T > cluster.gpus) {
    tr.fail(fmt::format("template_ranks = {} is larger than the cluster ({} GPUs)", T, cluster.gpus));
  }
  uint32_t R = cluster.gpus / T;
  if (auto r = spec.find("replicas"); r && r->as_string() != "all") {
    R = static_cast<uint32_t>(r->as_int(1, INT32_MAX));
    if (uint64_t{R} * T > cluster.gpus) {
      r->fail(fmt::format("{} replicas of {} ranks need {} GPUs; the cluster has {}", R, T, uint64_t{R} * T,
                          cluster.gpus));
    }
  }
  Workload w = Workload::two_stream("chakra");
  w.programs.clear();  // one per representative rank, below
  w.ranks = T * R;
  w.steps = static_cast<uint32_t>(spec.get_int("steps", 1, 1, 100000));

  Context cx;
  cx.template_ranks = T;
  cx.w = &w;
  w.families.push_back(GroupFamily{"template", "custom", T, 1, w.ranks, 0});
  cx.families[""] = 0;
  if (auto groups = spec.find("groups")) {
    groups->require_map("a mapping {process group name: {size, stride, dim} or replicas}");
    for (const auto& [name, g] : groups->entries()) {
      GroupFamily f{name, "custom", 1, 1, w.ranks, 0};
      if (name.empty() || name == "template") {
        g.fail(fmt::format("'{}' is not a process group name gigasim can use", name));
      }
      if (g.is_scalar()) {
        if (g.as_string() != "replicas") {
          g.fail(fmt::format("'{}' must be {{size, stride, dim}} (inside the template) or replicas (one rank per "
                             "replica, at the same template position), got '{}'",
                             g.path(), g.as_string()));
        }
        f.size = R;
        f.stride = T;
        f.dim = "dp";
      } else {
        g.require_map("{size, stride, dim} or replicas");
        g.check_keys({"size", "stride", "dim"});
        f.size = static_cast<uint32_t>(g.get_int("size", 1, T));
        f.stride = static_cast<uint32_t>(g.get_int("stride", 1, 1, T));
        f.dim = g.get_string("dim", "custom");
        if (T % (uint64_t{f.size} * f.stride) != 0) {
          g.fail(fmt::format("groups of {} members at stride {} do not tile the template's {} ranks", f.size,
                             f.stride, T));
        }
      }
      cx.families[name] = static_cast<uint32_t>(w.families.size());
      w.families.push_back(std::move(f));
    }
  }
  parse_collective_options(spec, cx.collective);

  // Which ranks' files stand for which programs.
  std::vector<uint32_t> representatives;
  std::optional<ConfigNode> pb_node = spec.find("programs_by");
  if (pb_node) {
    const std::string name = pb_node->as_string();
    const auto it = cx.families.find(name);
    if (it == cx.families.end() || it->second == 0 || w.families[it->second].stride * w.families[it->second].size > T) {
      pb_node->fail(fmt::format("programs_by must name a group of 'groups' inside the template, got '{}'", name));
    }
    w.program_family = static_cast<int32_t>(it->second);
    const GroupFamily& f = w.families[it->second];
    for (uint32_t pos = 0; pos < f.size; ++pos) representatives.push_back(f.member(0, pos));
  } else {
    for (uint32_t r = 0; r < T; ++r) representatives.push_back(r);
  }

  auto path_of = [&](uint32_t rank) { return fmt::format("{}.{}.et", prefix, rank); };
  for (uint32_t rank : representatives) {
    if (!std::filesystem::is_regular_file(path_of(rank))) {
      prefix_node.fail(fmt::format("Chakra trace '{}' not found (the template's ranks {} read {}.<rank>.et)",
                                   path_of(rank), pb_node ? "that programs_by picks" : fmt::format("0 to {}", T - 1),
                                   prefix));
    }
  }
  std::set<std::string> warned;
  for (uint32_t rank : representatives) {
    const std::string path = path_of(rank);
    const EtFile f = read_et(path);
    const bool known = std::find(kKnownVersions.begin(), kKnownVersions.end(), f.version) != kKnownVersions.end();
    if (!known && warned.insert(f.version).second) {
      std::fprintf(stderr, "%s: warning: Chakra schema version '%s' is not one gigasim was checked against (0.0.4, "
                   "1.0.0); reading it anyway\n", path.c_str(), f.version.c_str());
    }
    Program p = import_program(f, rank, w.steps, cx);
    p.name = fmt::format("rank {}", rank);
    w.programs.push_back(std::move(p));
  }
  if (!pb_node) {
    const bool all_same = std::all_of(w.programs.begin(), w.programs.end(),
                                      [&](const Program& p) { return same_ops(p, w.programs[0]); });
    if (all_same) {
      w.programs.resize(1);
      w.programs[0].name = "";
    } else {
      w.program_family = 0;
    }
  }
  // The replay runs a collective among ranks of one program (layouts repeat from replica to replica).
  std::vector<bool> checked(w.families.size(), false);
  for (const Program& p : w.programs) {
    for (const Op& op : p.ops) {
      if (op.kind != OpKind::kCollective || checked[op.family]) continue;
      checked[op.family] = true;
      const GroupFamily& f = w.families[op.family];
      for (uint32_t r = 0; r < T; ++r) {
        const uint32_t m = f.member(r, 0);
        if (w.program_of(m) != w.program_of(r)) {
          throw ConfigError(SourceLocation{op.where, 0, 0},
                            fmt::format("'{}' over group '{}' joins template ranks {} and {}, whose traces differ: "
                                        "give 'programs_by: <group>' (the group whose position picks a rank's "
                                        "program; its first ranks' traces stand for the others)",
                                        op.label, f.name, m, r));
        }
      }
    }
  }
  return w;
}

}  // namespace gigasim
