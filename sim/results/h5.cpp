#include "sim/results/h5.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "sim/core/atomic_file.hpp"
#include "sim/core/error.hpp"

namespace gigasim::h5 {
namespace {

// The system error behind the failure on HDF5's error stack (its file driver records
// "errno = 28, error message = 'No space left on device'"), or 0.
int stack_errno() {
  int found = 0;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
        const char* at = e->desc != nullptr ? std::strstr(e->desc, "errno = ") : nullptr;
        if (at != nullptr && *static_cast<int*>(data) == 0) *static_cast<int*>(data) = std::atoi(at + 8);
        return 0;
      },
      &found);
  return found;
}

[[noreturn]] void fail(const char* what, const std::string& name) {
  const int err = stack_errno();
  H5Eclear2(H5E_DEFAULT);
  throw IoError(fmt::format("HDF5: cannot {} '{}'{}", what, name, err != 0 ? ": " + describe_errno(err) : ""), err);
}

hid_t check(hid_t id, const char* what, const std::string& name) {
  if (id < 0) fail(what, name);
  return id;
}

void check_status(herr_t st, const char* what, const std::string& name) {
  if (st < 0) fail(what, name);
}

Handle utf8_vlen_string_type() {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.id(), H5T_VARIABLE);
  H5Tset_cset(t.id(), H5T_CSET_UTF8);
  return t;
}

struct SilenceErrors {
  SilenceErrors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
};
const SilenceErrors silence_errors_once;

}  // namespace

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    if (id_ >= 0 && closer_ != nullptr) closer_(id_);
    id_ = std::exchange(o.id_, -1);
    closer_ = o.closer_;
  }
  return *this;
}

Handle::~Handle() {
  if (id_ >= 0 && closer_ != nullptr) closer_(id_);
}

Group Group::create_group(const std::string& name) const {
  return Group(Handle(check(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                            "create group", name),
                      H5Gclose));
}

void Group::attr(const std::string& name, const std::string& value) const {
  Handle type = utf8_vlen_string_type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle a(check(H5Acreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT),
                 "create attribute", name),
           H5Aclose);
  const char* p = value.c_str();
  check_status(H5Awrite(a.id(), type.id(), &p), "write attribute", name);
}

void Group::attr(const std::string& name, double value) const {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle a(check(H5Acreate2(id(), name.c_str(), H5T_IEEE_F64LE, space.id(), H5P_DEFAULT, H5P_DEFAULT),
                 "create attribute", name),
           H5Aclose);
  check_status(H5Awrite(a.id(), H5T_NATIVE_DOUBLE, &value), "write attribute", name);
}

void Group::attr(const std::string& name, int64_t value) const {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle a(check(H5Acreate2(id(), name.c_str(), H5T_STD_I64LE, space.id(), H5P_DEFAULT, H5P_DEFAULT),
                 "create attribute", name),
           H5Aclose);
  check_status(H5Awrite(a.id(), H5T_NATIVE_INT64, &value), "write attribute", name);
}

void Group::attr(const std::string& name, const std::vector<std::string>& values) const {
  Handle type = utf8_vlen_string_type();
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle a(check(H5Acreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT),
                 "create attribute", name),
           H5Aclose);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  check_status(H5Awrite(a.id(), type.id(), ptrs.data()), "write attribute", name);
}

void Group::string_dataset(const std::string& name, const std::string& value) const {
  Handle type = utf8_vlen_string_type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle d(check(H5Dcreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                 "create dataset", name),
           H5Dclose);
  const char* p = value.c_str();
  check_status(H5Dwrite(d.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &p), "write dataset", name);
}

Table::Table(const Group& parent, const std::string& name, size_t rows)
    : group_(parent.create_group(name)), rows_(rows) {
  group_.attr("kind", "table");
}

void Table::write(const std::string& name, hid_t mem_type, hid_t file_type, const void* data, size_t elem_size,
                  const std::string& units) {
  const hsize_t n = rows_;
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (rows_ * elem_size >= 64 * 1024) {
    const hsize_t chunk = std::min<hsize_t>(n, 65536);
    H5Pset_chunk(dcpl.id(), 1, &chunk);
    H5Pset_shuffle(dcpl.id());
    H5Pset_deflate(dcpl.id(), 4);
  }
  Handle d(check(H5Dcreate2(group_.id(), name.c_str(), file_type, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                 "create column", name),
           H5Dclose);
  if (rows_ > 0) {
    check_status(H5Dwrite(d.id(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write column", name);
  }
  if (!units.empty()) {
    Group col(Handle(H5Oopen(group_.id(), name.c_str(), H5P_DEFAULT), H5Oclose));
    col.attr("units", units);
  }
  names_.push_back(name);
}

void Table::column(const std::string& name, const std::vector<double>& v, const std::string& units) {
  GIGASIM_ASSERT(v.size() == rows_, "column length");
  write(name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, v.data(), sizeof(double), units);
}

void Table::column(const std::string& name, const std::vector<int64_t>& v, const std::string& units) {
  GIGASIM_ASSERT(v.size() == rows_, "column length");
  write(name, H5T_NATIVE_INT64, H5T_STD_I64LE, v.data(), sizeof(int64_t), units);
}

void Table::column(const std::string& name, const std::vector<std::string>& v) {
  GIGASIM_ASSERT(v.size() == rows_, "column length");
  // Fixed-length, NUL-padded UTF-8: written and compressed like numbers (variable-length strings
  // go through HDF5's global heap, seconds for the 600k link names of a 100k-GPU fabric).
  size_t width = 1;
  for (const auto& s : v) width = std::max(width, s.size());
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.id(), width);
  H5Tset_strpad(type.id(), H5T_STR_NULLPAD);
  H5Tset_cset(type.id(), H5T_CSET_UTF8);
  std::vector<char> buf(v.size() * width, '\0');
  for (size_t i = 0; i < v.size(); ++i) std::memcpy(buf.data() + i * width, v[i].data(), v[i].size());
  write(name, type.id(), type.id(), buf.data(), width, "");
}

void Table::enum_column(const std::string& name, const EnumType& et, const std::vector<uint8_t>& v) {
  GIGASIM_ASSERT(v.size() == rows_, "column length");
  Handle type(H5Tenum_create(H5T_NATIVE_UINT8), H5Tclose);
  for (size_t i = 0; i < et.names.size(); ++i) {
    const auto val = static_cast<uint8_t>(i);
    check_status(H5Tenum_insert(type.id(), et.names[i].c_str(), &val), "define enum", name);
  }
  write(name, type.id(), type.id(), v.data(), 1, "");
}

void Table::finish() { group_.attr("columns", names_); }

File File::create(const std::string& path) {
  hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (id < 0) {
    const int err = stack_errno();
    H5Eclear2(H5E_DEFAULT);
    throw IoError(fmt::format("{}: error: cannot create HDF5 file{}", path, err != 0 ? ": " + describe_errno(err) : ""),
                  err);
  }
  return File(Handle(id, H5Fclose));
}

void File::close() {
  if (h_.id() >= 0) {
    check_status(H5Fflush(h_.id(), H5F_SCOPE_GLOBAL), "flush", "file");
    check_status(H5Fclose(h_.release()), "close", "file");
  }
}

std::optional<std::string> read_root_attr(const std::string& path, const std::string& name) {
  if (H5Fis_hdf5(path.c_str()) <= 0) return std::nullopt;
  Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (f.id() < 0 || H5Aexists(f.id(), name.c_str()) <= 0) return std::nullopt;
  Handle a(H5Aopen(f.id(), name.c_str(), H5P_DEFAULT), H5Aclose);
  Handle type = utf8_vlen_string_type();
  char* value = nullptr;
  if (a.id() < 0 || H5Aread(a.id(), type.id(), &value) < 0 || value == nullptr) return std::nullopt;
  std::string out(value);
  Handle space(H5Aget_space(a.id()), H5Sclose);
  H5Dvlen_reclaim(type.id(), space.id(), H5P_DEFAULT, &value);
  return out;
}

std::optional<double> read_group_attr_double(const std::string& path, const std::string& group,
                                             const std::string& name) {
  if (H5Fis_hdf5(path.c_str()) <= 0) return std::nullopt;
  Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (f.id() < 0 || H5Lexists(f.id(), group.c_str(), H5P_DEFAULT) <= 0) return std::nullopt;
  Handle g(H5Gopen2(f.id(), group.c_str(), H5P_DEFAULT), H5Gclose);
  if (g.id() < 0 || H5Aexists(g.id(), name.c_str()) <= 0) return std::nullopt;
  Handle a(H5Aopen(g.id(), name.c_str(), H5P_DEFAULT), H5Aclose);
  if (a.id() < 0) return std::nullopt;
  Handle type(H5Aget_type(a.id()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.id());
  Handle space(H5Aget_space(a.id()), H5Sclose);
  if ((cls != H5T_FLOAT && cls != H5T_INTEGER) || H5Sget_simple_extent_npoints(space.id()) != 1) return std::nullopt;
  double value = 0;
  if (H5Aread(a.id(), H5T_NATIVE_DOUBLE, &value) < 0) return std::nullopt;
  return value;
}

std::string library_version() {
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  return fmt::format("{}.{}.{}", maj, min, rel);
}

}  // namespace gigasim::h5
