#include "sim/cli/sweep_dir.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "sim/core/error.hpp"
#include "sim/results/h5.hpp"

namespace gigasim::sweep {

namespace fs = std::filesystem;

std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\n") == std::string::npos) return v;
  std::string q = "\"";
  for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::vector<std::string> csv_split(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') cur += '"', ++i;
      else if (c == '"') quoted = false;
      else cur += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur), cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::vector<ManifestRow> read_manifest(const std::string& dir) {
  const fs::path p = fs::path(dir) / "manifest.csv";
  std::ifstream in(p);
  if (!in) throw ConfigError(fmt::format("{}: error: not a sweep directory (no manifest.csv; run 'gigasim sweep plan')", dir));
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = csv_split(line);
  auto col = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    throw ConfigError(fmt::format("{}: error: manifest has no '{}' column", p.string(), name));
  };
  const size_t id = col("point_id"), run = col("run_file"), out = col("output");
  std::vector<ManifestRow> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = csv_split(line);
    rows.push_back(ManifestRow{f.at(id), f.at(run), f.at(out)});
  }
  return rows;
}

PointStatus point_status(const std::string& dir, const ManifestRow& row) {
  PointStatus s;
  const fs::path out = fs::path(dir) / row.output;
  const fs::path err = fs::path(out).replace_extension(".error");
  if (auto status = h5::read_root_attr(out.string(), "status")) {
    if (*status == "ok") return PointStatus{PointState::kOk, ""};
    s.state = PointState::kFailed;
    s.error = h5::read_root_attr(out.string(), "error").value_or("status " + *status);
    return s;
  }
  if (fs::exists(err)) {
    std::ifstream in(err);
    std::getline(in, s.error);
    s.state = PointState::kFailed;
  }
  return s;
}

const char* to_string(PointState s) {
  return s == PointState::kOk ? "ok" : s == PointState::kFailed ? "failed" : "missing";
}

}  // namespace gigasim::sweep
