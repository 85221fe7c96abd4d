#include "sim/core/memory_budget.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <optional>

#include "sim/core/units.hpp"

namespace gigasim {
namespace {

// cgroup v2: the memory.max of this process's cgroup ("max" or absent: no limit).
std::optional<double> cgroup_limit() {
  std::ifstream self("/proc/self/cgroup");
  std::string line;
  while (std::getline(self, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    std::ifstream f("/sys/fs/cgroup" + line.substr(3) + "/memory.max");
    std::string v;
    if (!(f >> v) || v == "max") return std::nullopt;
    try {
      return std::stod(v);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

MemoryLimit& current() {
  static MemoryLimit limit = machine_memory_limit();
  return limit;
}

std::string message(double bytes, const std::string& what, const std::string& detail) {
  const MemoryLimit& l = memory_limit();
  return fmt::format("{} needs an estimated {} ({}), more than {}; give --max-memory to allow more, or make it smaller",
                     what, format_bytes(bytes), detail, l.source);
}

}  // namespace

MemoryLimit machine_memory_limit() {
  const double phys = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
  if (const auto cg = cgroup_limit(); cg && *cg < phys) {
    return MemoryLimit{*cg, fmt::format("this job's cgroup memory limit of {}", format_bytes(*cg))};
  }
  return MemoryLimit{phys, fmt::format("this machine's {}", format_bytes(phys))};
}

const MemoryLimit& memory_limit() { return current(); }

void set_memory_limit(double bytes, std::string source) {
  GIGASIM_ASSERT(bytes > 0, "memory limit must be positive");
  current() = MemoryLimit{bytes, std::move(source)};
}

void check_memory(const ConfigNode& where, double bytes, const std::string& what, const std::string& detail) {
  if (bytes > memory_limit().bytes) where.fail(message(bytes, what, detail));
}

void check_memory(const std::string& file, double bytes, const std::string& what, const std::string& detail) {
  if (bytes > memory_limit().bytes) throw ConfigError(SourceLocation{file, 0, 0}, message(bytes, what, detail));
}

std::string format_count(double n) {
  const double a = std::fabs(n);
  if (a < 10000) return fmt::format("{:.0f}", n);
  if (a < 1e6) return fmt::format("{:.3g}k", n / 1e3);
  if (a < 1e9) return fmt::format("{:.3g}M", n / 1e6);
  if (a < 1e12) return fmt::format("{:.3g}G", n / 1e9);
  return fmt::format("{:.3g}T", n / 1e12);
}

}  // namespace gigasim
