#include "sim/cli/sweep_dir.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/core/atomic_file.hpp"
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

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

namespace {
fs::path lock_path(const std::string& dir, const ManifestRow& row) { return fs::path(dir) / "locks" / (row.id + ".lock"); }
}  // namespace

std::optional<PointLock> PointLock::try_claim(const std::string& dir, const ManifestRow& row) {
  const fs::path p = lock_path(dir, row);
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  const int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw io_error(p.string(), errno, "cannot create the point's lock");
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return std::nullopt;
    throw io_error(p.string(), err, "cannot lock the point");
  }
  const std::string who = fmt::format("{} {}\n", host_name(), static_cast<int64_t>(::getpid()));
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, who.data(), who.size(), 0) != static_cast<ssize_t>(who.size())) {
    const int err = errno;
    ::close(fd);
    throw io_error(p.string(), err, "cannot write the point's lock");
  }
  return PointLock(fd);
}

PointLock::PointLock(PointLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}

PointLock& PointLock::operator=(PointLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

PointLock::~PointLock() {
  if (fd_ >= 0) ::close(fd_);
}

PointHolder point_holder(const std::string& dir, const ManifestRow& row) {
  PointHolder h;
  const fs::path p = lock_path(dir, row);
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return h;
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
    ::close(fd);
    return h;  // nobody holds it
  }
  h.running = true;
  char buf[512] = {0};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  ::close(fd);
  if (n > 0) {
    std::istringstream in(std::string(buf, static_cast<size_t>(n)));
    in >> h.host >> h.pid;
  }
  return h;
}

void log_run_event(const std::string& dir, const std::string& event, const ManifestRow& row, const std::string& detail) {
  const fs::path p = fs::path(dir) / "runs.log";
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  const std::string line = fmt::format("{} {} {} {} {}{}\n", when, host_name(), static_cast<int64_t>(::getpid()), event,
                                       row.id, detail.empty() ? "" : " " + detail);
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw io_error(p.string(), errno, "cannot append to the sweep's run log");
  const ssize_t w = ::write(fd, line.data(), line.size());
  const int err = errno;
  ::close(fd);
  if (w != static_cast<ssize_t>(line.size())) throw io_error(p.string(), w < 0 ? err : ENOSPC, "cannot append to the sweep's run log");
}

}  // namespace gigasim::sweep
