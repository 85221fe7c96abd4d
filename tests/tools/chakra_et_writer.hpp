#pragma once
// Writes Chakra execution traces for tests, as Chakra's own tools do: a varint32-length-delimited
// GlobalMetadata, then one length-delimited Node per node; optionally gzip-compressed. Built from
// our schema subset (workloads/chakra/et_subset.proto), so only with GIGASIM_WITH_CHAKRA.

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/gzip_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "chakra/et_subset.pb.h"

namespace gigasim::test {

namespace et = ChakraProtoMsg;

inline void write_et(const std::string& path, const std::vector<et::Node>& nodes, const std::string& version = "0.0.4",
                     bool gzip = false) {
  namespace io = google::protobuf::io;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  {
    io::OstreamOutputStream raw(&out);
    std::optional<io::GzipOutputStream> gz;
    if (gzip) {
      io::GzipOutputStream::Options o;
      o.format = io::GzipOutputStream::GZIP;
      gz.emplace(&raw, o);
    }
    {
      io::CodedOutputStream cos(gz ? static_cast<io::ZeroCopyOutputStream*>(&*gz) : &raw);
      auto put = [&](const google::protobuf::MessageLite& m) {
        cos.WriteVarint32(static_cast<uint32_t>(m.ByteSizeLong()));
        m.SerializeToCodedStream(&cos);
      };
      et::GlobalMetadata meta;
      meta.set_version(version);
      put(meta);
      for (const et::Node& n : nodes) put(n);
    }
    if (gz) gz->Close();
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline void add_int(et::Node& n, const std::string& name, int64_t v) {
  et::AttributeProto* a = n.add_attr();
  a->set_name(name);
  a->set_int64_val(v);
}

inline et::Node node(uint64_t id, const std::string& name, et::NodeType type, std::vector<uint64_t> data_deps = {}) {
  et::Node n;
  n.set_id(id);
  n.set_name(name);
  n.set_type(type);
  for (uint64_t d : data_deps) n.add_data_deps(d);
  et::AttributeProto* cpu = n.add_attr();
  cpu->set_name("is_cpu_op");
  cpu->set_bool_val(false);
  return n;
}

inline et::Node compute(uint64_t id, const std::string& name, uint64_t micros, std::vector<uint64_t> deps = {}) {
  et::Node n = node(id, name, et::COMP_NODE, std::move(deps));
  n.set_duration_micros(micros);
  return n;
}

inline et::Node collective(uint64_t id, const std::string& name, et::CollectiveCommType type, int64_t bytes,
                           std::vector<uint64_t> deps = {}, const std::string& pg = "") {
  et::Node n = node(id, name, et::COMM_COLL_NODE, std::move(deps));
  add_int(n, "comm_type", type);
  add_int(n, "comm_size", bytes);
  if (!pg.empty()) {
    et::AttributeProto* a = n.add_attr();
    a->set_name("pg_name");
    a->set_string_val(pg);
  }
  return n;
}

/// A send to (or receive from) template rank `peer`.
inline et::Node p2p(uint64_t id, const std::string& name, bool send, int64_t peer, int64_t bytes,
                    std::vector<uint64_t> deps = {}, int64_t tag = 0) {
  et::Node n = node(id, name, send ? et::COMM_SEND_NODE : et::COMM_RECV_NODE, std::move(deps));
  add_int(n, send ? "comm_dst" : "comm_src", peer);
  add_int(n, "comm_size", bytes);
  add_int(n, "comm_tag", tag);
  return n;
}

}  // namespace gigasim::test
