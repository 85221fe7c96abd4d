#include "workloads/trace_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "sim/core/atomic_file.hpp"
#include "workloads/workload_source.hpp"

namespace gigasim {
namespace {

const char* kind_name(OpKind k, CollectiveKind c) {
  switch (k) {
    case OpKind::kCompute: return "compute";
    case OpKind::kCollective: return to_string(c);
    case OpKind::kSend: return "send";
    case OpKind::kRecv: return "recv";
  }
  return "?";
}

const char* to_string(StreamKind k) {
  switch (k) {
    case StreamKind::kCompute: return "compute";
    case StreamKind::kCollective: return "collective";
    case StreamKind::kP2P: return "p2p";
  }
  return "?";
}

StreamKind stream_kind_of(OpKind k) {
  switch (k) {
    case OpKind::kCompute: return StreamKind::kCompute;
    case OpKind::kCollective: return StreamKind::kCollective;
    case OpKind::kSend:
    case OpKind::kRecv: return StreamKind::kP2P;
  }
  return StreamKind::kCompute;
}

// The stream an op lands on when the trace does not name one: the first of its kind.
int default_stream(const std::vector<Stream>& streams, OpKind k) {
  for (size_t i = 0; i < streams.size(); ++i) {
    if (streams[i].kind == stream_kind_of(k)) return static_cast<int>(i);
  }
  return -1;
}

// ---- writing --------------------------------------------------------------------------------

// A YAML scalar: plain when it cannot be misread (in flow context too), double-quoted otherwise.
std::string scalar(const std::string& s) {
  bool plain = !s.empty() && (std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_');
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/')) plain = false;
  }
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* word : {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}) {
    if (lower == word) plain = false;
  }
  if (plain) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      q += '\\';
      q += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      q += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      q += c;
    }
  }
  return q + "\"";
}

// Shortest text that reads back as the same double.
std::string number(double v) { return fmt::format("{}", v); }

template <class T>
void check_unique(const std::vector<T>& items, const char* what) {
  for (size_t i = 0; i < items.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (items[i].name == items[j].name) {
        throw ConfigError(fmt::format("cannot write a trace: two {} are named '{}'", what, items[i].name));
      }
    }
  }
}

// One op as a flow mapping; fields at their defaults, and fields its kind does not use, are left
// out (read_op restores them).
std::string write_op(const Workload& w, const Op& op) {
  std::string s = fmt::format("{{kind: {}", kind_name(op.kind, op.collective));
  if (static_cast<int>(op.stream) != default_stream(w.streams, op.kind)) {
    s += ", stream: " + scalar(w.streams[op.stream].name);
  }
  if (op.kind != OpKind::kCompute) s += ", group: " + scalar(w.families[op.family].name);
  if (op.step != 0) s += fmt::format(", step: {}", op.step);
  if (!op.label.empty()) s += ", label: " + scalar(op.label);
  if (op.kind == OpKind::kCompute) {
    s += ", seconds: " + number(op.seconds);
  } else {
    s += ", bytes: " + number(op.bytes);
  }
  if (op.kind == OpKind::kSend || op.kind == OpKind::kRecv) {
    s += fmt::format(", peer: {}", op.peer);
    if (op.tag != 0) s += fmt::format(", tag: {}", op.tag);
  }
  if (op.kind == OpKind::kCollective) {
    const Op d;
    if (op.root != d.root) s += fmt::format(", root: {}", op.root);
    if (op.repeat != d.repeat) s += fmt::format(", repeat: {}", op.repeat);
    if (op.algorithm != d.algorithm) s += ", algorithm: " + scalar(op.algorithm);
    if (op.protocol) s += ", protocol: " + scalar(to_string(*op.protocol));
    if (op.fidelity) s += ", fidelity: " + scalar(to_string(*op.fidelity));
    if (op.channels != d.channels) s += fmt::format(", channels: {}", op.channels);  // 0 is the default, auto
    if (op.nvlink_analytic) s += ", nvlink: analytic";
  }
  if (!op.deps.empty()) {
    s += ", deps: {";
    for (size_t i = 0; i < op.deps.size(); ++i) {
      s += fmt::format("{}{}: {}", i ? ", " : "", scalar(w.streams[op.deps[i].stream].name), op.deps[i].count);
    }
    s += "}";
  }
  return s + "}";
}

// ---- reading --------------------------------------------------------------------------------

template <class T>
uint32_t find_name(const ConfigNode& n, const std::vector<T>& items, const char* what) {
  const std::string name = n.as_string();
  std::vector<std::string_view> names;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].name == name) return static_cast<uint32_t>(i);
    names.push_back(items[i].name);
  }
  std::string known;
  for (auto k : names) known += (known.empty() ? "" : ", ") + std::string(k);
  const std::string hint = closest_match(name, names);
  n.fail(fmt::format("unknown {} '{}'{} ({}s: {})", what, name, hint.empty() ? "" : " (did you mean '" + hint + "'?)",
                     what, known.empty() ? "none" : known));
}

// A dependency to check once the program's stream lengths are known.
struct PendingDep {
  ConfigNode node;
  uint16_t stream;
  uint32_t count;
};

Op read_op(const ConfigNode& n, const Workload& w, std::vector<PendingDep>& deps) {
  n.require_map("a mapping {kind, ...}");
  Op op;
  op.where = n.where().str();
  const ConfigNode kind = n.at("kind");
  const std::string k = kind.as_string();
  if (k == "compute") {
    op.kind = OpKind::kCompute;
    n.check_keys({"kind", "stream", "step", "label", "deps", "seconds"});
  } else if (k == "send" || k == "recv") {
    op.kind = k == "send" ? OpKind::kSend : OpKind::kRecv;
    n.check_keys({"kind", "stream", "step", "label", "deps", "group", "bytes", "peer", "tag"});
  } else if (parse_collective_kind(k, op.collective)) {
    op.kind = OpKind::kCollective;
    n.check_keys({"kind", "stream", "step", "label", "deps", "group", "bytes", "root", "repeat", "algorithm",
                  "protocol", "fidelity", "channels", "nvlink"});
  } else {
    std::vector<std::string_view> names{"compute", "send", "recv"};
    for (CollectiveKind c : all_collective_kinds()) names.push_back(to_string(c));
    const std::string hint = closest_match(k, names);
    kind.fail(fmt::format("unknown op kind '{}'{} (known: compute, send, recv, all_reduce, reduce_scatter, "
                          "all_gather, alltoall, broadcast, reduce, sendrecv)",
                          k, hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }
  if (auto s = n.find("stream")) {
    op.stream = static_cast<uint16_t>(find_name(*s, w.streams, "stream"));
    if (w.streams[op.stream].kind != stream_kind_of(op.kind)) {
      s->fail(fmt::format("{} ops cannot run on stream '{}' (a {} stream)", k, w.streams[op.stream].name,
                          to_string(w.streams[op.stream].kind)));
    }
  } else {
    const int d = default_stream(w.streams, op.kind);
    if (d < 0) n.fail(fmt::format("no {} stream for this {} op", to_string(stream_kind_of(op.kind)), k));
    op.stream = static_cast<uint16_t>(d);
  }
  op.step = static_cast<uint32_t>(n.get_int("step", 0, 0, static_cast<int64_t>(w.steps) - 1));
  op.label = n.get_string("label", "");
  if (op.kind == OpKind::kCompute) {
    op.seconds = n.get_duration("seconds", 0.0);
  } else {
    op.family = find_name(n.at("group"), w.families, "group");
    op.bytes = n.get_bytes("bytes", 0.0);
  }
  if (op.kind == OpKind::kSend || op.kind == OpKind::kRecv) {
    op.peer = static_cast<int32_t>(n.get_int("peer", INT32_MIN, INT32_MAX));
    op.tag = static_cast<uint32_t>(n.get_int("tag", 0, 0, UINT32_MAX));
  }
  if (op.kind == OpKind::kCollective) {
    op.root = static_cast<uint32_t>(n.get_int("root", 0, 0, w.families[op.family].size - 1));
    op.repeat = static_cast<uint32_t>(n.get_int("repeat", 1, 1, UINT32_MAX));
    parse_collective_options(n, op);
  }
  if (auto d = n.find("deps")) {
    d->require_map("a mapping {stream name: count}");
    for (auto it = d->yaml().begin(); it != d->yaml().end(); ++it) {
      const std::string path = d->path() + "." + it->first.Scalar();
      const uint32_t s = find_name(ConfigNode(it->first, d->file_ptr(), path), w.streams, "stream");
      const ConfigNode count(it->second, d->file_ptr(), path);
      const auto c = static_cast<uint32_t>(count.as_int(0, UINT32_MAX));
      op.deps.push_back(Dep{static_cast<uint16_t>(s), c});
      deps.push_back(PendingDep{count, static_cast<uint16_t>(s), c});
    }
  }
  return op;
}

}  // namespace

void write_trace(const Workload& w, std::ostream& out) {
  check_unique(w.families, "group families");
  check_unique(w.streams, "streams");
  out << "# gigasim trace: the ops of every program (format: workloads/presets/README.md, \"Trace files\")\n";
  // Version 2 added fold_by: files without it stay readable by version-1 readers.
  out << "format: gigasim-trace\nversion: " << (w.fold_family >= 0 ? 2 : 1) << "\n";
  out << "source: " << scalar(w.kind) << "\nranks: " << w.ranks << "\nsteps: " << w.steps << "\n";
  if (w.model_flops_per_step != 0) out << "model_flops_per_step: " << number(w.model_flops_per_step) << "\n";
  if (w.flops_per_step != 0) out << "flops_per_step: " << number(w.flops_per_step) << "\n";
  if (!w.flops_convention.empty()) out << "flops_convention: " << scalar(w.flops_convention) << "\n";
  if (w.peak_flops_per_gpu != 0) out << "peak_flops_per_gpu: " << number(w.peak_flops_per_gpu) << "\n";
  out << "groups:\n";
  for (const GroupFamily& f : w.families) {
    out << "  - {name: " << scalar(f.name) << ", dim: " << scalar(f.dim) << ", size: " << f.size;
    if (f.stride != 1) out << ", stride: " << f.stride;
    if (f.span != w.ranks) out << ", span: " << f.span;
    if (f.base != 0) out << ", base: " << f.base;
    out << "}\n";
  }
  out << "streams:\n";
  for (const Stream& s : w.streams) out << "  - {name: " << scalar(s.name) << ", kind: " << to_string(s.kind) << "}\n";
  if (w.program_family >= 0) {
    out << "programs_by: " << scalar(w.families[static_cast<size_t>(w.program_family)].name) << "\n";
  }
  if (w.fold_family >= 0) {
    out << "fold_by: " << scalar(w.families[static_cast<size_t>(w.fold_family)].name) << "\n";
    if (w.fold_forced) out << "fold_forced: true\n";
  }
  out << "programs:\n";
  for (const Program& p : w.programs) {
    out << (p.name.empty() ? "  - " : "  - name: " + scalar(p.name) + "\n    ") << "ops:\n";
    for (const Op& op : p.ops) out << "      - " << write_op(w, op) << "\n";
  }
}

void write_trace_file(const Workload& w, const std::string& path) {
  write_atomically(path, "the trace", [&](const std::string& tmp) {
    errno = 0;
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw IoError("cannot write the trace", errno != 0 ? errno : EIO);
    write_trace(w, f);
    f.close();
    if (!f) throw IoError("cannot write the trace", errno != 0 ? errno : EIO);
  });
}

Workload read_trace(const ConfigNode& doc) {
  doc.require_map("a trace document (format: gigasim-trace)");
  const ConfigNode format = doc.at("format");
  if (format.as_string() != "gigasim-trace") {
    format.fail(fmt::format("format must be gigasim-trace, got '{}'", format.as_string()));
  }
  const ConfigNode version = doc.at("version");
  if (version.as_int() > kTraceVersion || version.as_int() < 1) {
    version.fail(fmt::format("trace version {} is not one this gigasim reads (1 to {})", version.as_string(),
                             kTraceVersion));
  }
  doc.check_keys({"format", "version", "source", "ranks", "steps", "model_flops_per_step", "flops_per_step",
                  "flops_convention", "peak_flops_per_gpu", "groups", "streams", "programs_by", "fold_by",
                  "fold_forced", "programs"});
  Workload w;
  w.kind = doc.get_string("source", "trace");
  w.ranks = static_cast<uint32_t>(doc.get_int("ranks", 1, INT32_MAX));
  w.steps = static_cast<uint32_t>(doc.get_int("steps", 1, 1, INT32_MAX));
  if (auto f = doc.find("model_flops_per_step")) w.model_flops_per_step = f->as_flops();
  if (auto f = doc.find("flops_per_step")) w.flops_per_step = f->as_flops();
  w.flops_convention = doc.get_string("flops_convention", "");
  if (auto f = doc.find("peak_flops_per_gpu")) w.peak_flops_per_gpu = f->as_flop_rate();

  const ConfigNode groups = doc.at("groups");
  groups.require_sequence("a list of {name, dim, size, stride, span, base}");
  for (size_t i = 0; i < groups.size(); ++i) {
    const ConfigNode g = groups.element(i);
    g.require_map("a mapping {name, dim, size, stride, span, base}");
    g.check_keys({"name", "dim", "size", "stride", "span", "base"});
    GroupFamily f;
    f.name = g.get_string("name");
    for (const GroupFamily& o : w.families) {
      if (o.name == f.name) g.at("name").fail(fmt::format("group '{}' is defined twice", f.name));
    }
    f.dim = g.get_string("dim");
    f.size = static_cast<uint32_t>(g.get_int("size", 1, w.ranks));
    f.stride = static_cast<uint32_t>(g.get_int("stride", 1, 1, w.ranks));
    f.span = static_cast<uint32_t>(g.get_int("span", w.ranks, 1, w.ranks));
    f.base = static_cast<uint32_t>(g.get_int("base", 0, 0, w.ranks - 1));
    if (uint64_t{f.base} + f.span > w.ranks) {
      g.fail(fmt::format("group '{}' covers ranks {} to {}, past the trace's {} ranks", f.name, f.base,
                         uint64_t{f.base} + f.span - 1, w.ranks));
    }
    if (f.span % (uint64_t{f.size} * f.stride) != 0) {
      g.fail(fmt::format("groups of {} members at stride {} do not tile the {} ranks of '{}'", f.size, f.stride,
                         f.span, f.name));
    }
    w.families.push_back(std::move(f));
  }

  const ConfigNode streams = doc.at("streams");
  streams.require_sequence("a list of {name, kind}");
  if (streams.size() > UINT16_MAX) streams.fail("too many streams");
  for (size_t i = 0; i < streams.size(); ++i) {
    const ConfigNode s = streams.element(i);
    s.require_map("a mapping {name, kind}");
    s.check_keys({"name", "kind"});
    Stream st;
    st.name = s.get_string("name");
    for (const Stream& o : w.streams) {
      if (o.name == st.name) s.at("name").fail(fmt::format("stream '{}' is defined twice", st.name));
    }
    const ConfigNode kind = s.at("kind");
    const std::string k = kind.as_string();
    if (k == "compute") {
      st.kind = StreamKind::kCompute;
    } else if (k == "collective") {
      st.kind = StreamKind::kCollective;
    } else if (k == "p2p") {
      st.kind = StreamKind::kP2P;
    } else {
      kind.fail(fmt::format("stream kind must be compute, collective or p2p, got '{}'", k));
    }
    w.streams.push_back(std::move(st));
  }

  const ConfigNode programs = doc.at("programs");
  programs.require_sequence("a list of {name, ops}");
  if (programs.size() == 0) programs.fail("a trace has at least one program");
  for (size_t pi = 0; pi < programs.size(); ++pi) {
    const ConfigNode p = programs.element(pi);
    p.require_map("a mapping {name, ops}");
    p.check_keys({"name", "ops"});
    Program prog;
    prog.name = p.get_string("name", "");
    const ConfigNode ops = p.at("ops");
    ops.require_sequence("a list of ops");
    std::vector<PendingDep> deps;
    std::vector<uint32_t> per_stream(w.streams.size(), 0), last_step(w.streams.size(), 0);
    prog.ops.reserve(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) {
      const ConfigNode n = ops.element(i);
      Op op = read_op(n, w, deps);
      if (op.step < last_step[op.stream]) {
        n.at("step").fail(fmt::format("step {} comes after step {} on stream '{}' (steps never go back on a stream)",
                                      op.step, last_step[op.stream], w.streams[op.stream].name));
      }
      last_step[op.stream] = op.step;
      ++per_stream[op.stream];
      prog.ops.push_back(std::move(op));
    }
    for (const PendingDep& d : deps) {
      if (d.count > per_stream[d.stream]) {
        d.node.fail(fmt::format("waits for {} ops of stream '{}', but {} has {}", d.count, w.streams[d.stream].name,
                                prog.name.empty() ? fmt::format("program {}", pi) : "program '" + prog.name + "'",
                                per_stream[d.stream]));
      }
    }
    w.programs.push_back(std::move(prog));
  }

  if (auto pb = doc.find("programs_by")) {
    w.program_family = static_cast<int32_t>(find_name(*pb, w.families, "group"));
    const GroupFamily& f = w.families[static_cast<size_t>(w.program_family)];
    if (f.base != 0 || f.span != w.ranks || f.size != w.programs.size()) {
      pb->fail(fmt::format("programs_by group '{}' must cover all {} ranks with one position per program ({} "
                           "positions, {} programs)",
                           f.name, w.ranks, f.size, w.programs.size()));
    }
  } else if (w.programs.size() > 1) {
    programs.fail(fmt::format("{} programs but no 'programs_by' group to pick a rank's program", w.programs.size()));
  }
  if (auto fb = doc.find("fold_by")) {
    // Whether folding is allowed (symmetric programs and peers) is the replay's to check.
    w.fold_family = static_cast<int32_t>(find_name(*fb, w.families, "group"));
    w.fold_forced = doc.get_bool("fold_forced", false);
  } else if (auto ff = doc.find("fold_forced")) {
    ff->fail("fold_forced without fold_by");
  }
  return w;
}

}  // namespace gigasim
