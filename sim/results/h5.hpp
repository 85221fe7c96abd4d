#pragma once
// h5: the only code that touches the HDF5 C API — a small RAII layer for what gigasim writes:
// groups, scalar attributes, string datasets and tables stored as groups of equal-length 1-D
// column datasets (docs/conventions.md §1): per-column `units`, HDF5 ENUM columns for categories
// (pandas reads them as Categorical), gzip+shuffle chunks of up to 65,536 elements for columns
// over 64 KiB. Every failed HDF5 call throws IoError.

#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gigasim::h5 {

/// Owns one hid_t and closes it with the right H5?close.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*closer)(hid_t)) : id_(id), closer_(closer) {}
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, -1)), closer_(o.closer_) {}
  Handle& operator=(Handle&& o) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle();
  hid_t id() const { return id_; }
  /// Gives the id up without closing it.
  hid_t release() { return std::exchange(id_, -1); }

 private:
  hid_t id_ = -1;
  herr_t (*closer_)(hid_t) = nullptr;
};

/// An enum type: names in value order (value i is names[i]).
struct EnumType {
  std::vector<std::string> names;
};

class Group {
 public:
  explicit Group(Handle h) : h_(std::move(h)) {}
  hid_t id() const { return h_.id(); }

  Group create_group(const std::string& name) const;
  void attr(const std::string& name, const std::string& value) const;
  void attr(const std::string& name, const char* value) const { attr(name, std::string(value)); }
  void attr(const std::string& name, double value) const;
  void attr(const std::string& name, int64_t value) const;
  void attr(const std::string& name, const std::vector<std::string>& values) const;
  /// A scalar UTF-8 string dataset.
  void string_dataset(const std::string& name, const std::string& value) const;

 protected:
  Handle h_;
};

/// A table: a group with attrs kind="table" and columns=[...], one 1-D dataset per column.
class Table {
 public:
  Table(const Group& parent, const std::string& name, size_t rows);
  void column(const std::string& name, const std::vector<double>& v, const std::string& units = "");
  void column(const std::string& name, const std::vector<int64_t>& v, const std::string& units = "");
  void column(const std::string& name, const std::vector<std::string>& v);
  void enum_column(const std::string& name, const EnumType& type, const std::vector<uint8_t>& v);
  /// Writes the `columns` attribute; call once after the last column.
  void finish();

 private:
  void write(const std::string& name, hid_t mem_type, hid_t file_type, const void* data, size_t elem_size,
             const std::string& units);
  Group group_;
  size_t rows_;
  std::vector<std::string> names_;
};

class File : public Group {
 public:
  /// Creates (truncates) `path`. Throws: IoError.
  static File create(const std::string& path);
  void close();

 private:
  explicit File(Handle h) : Group(std::move(h)) {}
};

/// The HDF5 library version "1.10.8".
std::string library_version();

/// A string attribute of the root group of the file at `path`; nullopt if the file, or the
/// attribute, cannot be read (a missing or foreign file is not an error here).
std::optional<std::string> read_root_attr(const std::string& path, const std::string& name);

/// A numeric attribute of the group `group` ("summary") of the file at `path`, as a double;
/// nullopt if the file, the group or the attribute is missing or the attribute is not a number.
std::optional<double> read_group_attr_double(const std::string& path, const std::string& group,
                                             const std::string& name);

}  // namespace gigasim::h5
