#include "sim/core/units.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>

namespace gigasim {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits "12.5 GB/s" into the number 12.5 and the suffix "GB/s".
std::pair<double, std::string> split_number(std::string_view text, const char* what) {
  std::string_view s = trim(text);
  if (s.empty()) throw UnitError(fmt::format("empty {} value", what));
  // std::from_chars for double is available in libstdc++ 11+.
  double value = 0;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (*begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr == begin) {
    throw UnitError(fmt::format("'{}' is not a {}: expected a number with a unit", text, what));
  }
  if (!std::isfinite(value)) throw UnitError(fmt::format("'{}' is not a finite {}", text, what));
  std::string suffix(trim(std::string_view(ptr, static_cast<size_t>(end - ptr))));
  return {value, suffix};
}

struct Suffix {
  const char* name;
  double factor;
};

template <size_t N>
double apply(std::string_view text, const char* what, const std::array<Suffix, N>& table,
             const char* accepted) {
  auto [value, suffix] = split_number(text, what);
  for (const Suffix& s : table) {
    if (suffix == s.name) return value * s.factor;
  }
  throw UnitError(fmt::format("unknown {} unit '{}' in '{}' (accepted: {})", what, suffix, text,
                              accepted));
}

constexpr double kKi = 1024.0;
constexpr double kMi = kKi * kKi;
constexpr double kGi = kMi * kKi;
constexpr double kTi = kGi * kKi;

}  // namespace

double parse_bandwidth(std::string_view text) {
  static const std::array<Suffix, 34> table{{
      {"", 1.0},           {"Bps", 1.0},       {"B/s", 1.0},
      {"bps", 1.0 / 8},    {"b/s", 1.0 / 8},   {"Kbps", 1e3 / 8},
      {"Kb/s", 1e3 / 8},   {"kbps", 1e3 / 8},  {"Mbps", 1e6 / 8},
      {"Mb/s", 1e6 / 8},   {"Gbps", 1e9 / 8},  {"Gb/s", 1e9 / 8},
      {"Tbps", 1e12 / 8},  {"Tb/s", 1e12 / 8}, {"KBps", 1e3},
      {"KB/s", 1e3},       {"kBps", 1e3},      {"MBps", 1e6},
      {"MB/s", 1e6},       {"GBps", 1e9},      {"GB/s", 1e9},
      {"TBps", 1e12},      {"TB/s", 1e12},     {"KiBps", kKi},
      {"KiB/s", kKi},      {"MiBps", kMi},     {"MiB/s", kMi},
      {"GiBps", kGi},      {"GiB/s", kGi},     {"TiBps", kTi},
      {"TiB/s", kTi},      {"Gbit/s", 1e9 / 8}, {"Mbit/s", 1e6 / 8},
      {"Tbit/s", 1e12 / 8},
  }};
  return apply(text, "bandwidth", table,
               "bits: bps Kbps Mbps Gbps Tbps (or Gb/s); bytes: Bps KBps MBps GBps TBps (or GB/s), "
               "GiBps");
}

double parse_duration(std::string_view text) {
  static const std::array<Suffix, 10> table{{
      {"", 1.0},
      {"s", 1.0},
      {"ms", 1e-3},
      {"us", 1e-6},
      {"µs", 1e-6},
      {"ns", 1e-9},
      {"ps", 1e-12},
      {"min", 60.0},
      {"h", 3600.0},
      {"d", 86400.0},
  }};
  return apply(text, "duration", table, "ns us ms s min h d");
}

double parse_bytes(std::string_view text) {
  static const std::array<Suffix, 18> table{{
      {"", 1.0},
      {"B", 1.0},
      {"KB", 1e3},
      {"kB", 1e3},
      {"MB", 1e6},
      {"GB", 1e9},
      {"TB", 1e12},
      {"KiB", kKi},
      {"MiB", kMi},
      {"GiB", kGi},
      {"TiB", kTi},
      {"K", kKi},
      {"k", kKi},
      {"M", kMi},
      {"G", kGi},
      {"T", kTi},
      {"PB", 1e15},
      {"PiB", kTi * kKi},
  }};
  return apply(text, "size", table, "B KB MB GB TB (decimal), KiB MiB GiB TiB or K M G T (binary)");
}

double parse_flop_rate(std::string_view text) {
  static const std::array<Suffix, 16> table{{
      {"", 1.0},
      {"FLOPS", 1.0},
      {"FLOP/s", 1.0},
      {"GFLOPS", 1e9},
      {"GFLOP/s", 1e9},
      {"TFLOPS", 1e12},
      {"TFLOP/s", 1e12},
      {"PFLOPS", 1e15},
      {"PFLOP/s", 1e15},
      {"flops", 1.0},
      {"Gflops", 1e9},
      {"Tflops", 1e12},
      {"Pflops", 1e15},
      {"GFlops", 1e9},
      {"TFlops", 1e12},
      {"PFlops", 1e15},
  }};
  return apply(text, "compute rate", table, "FLOPS GFLOPS TFLOPS PFLOPS (or TFLOP/s)");
}

double parse_flops(std::string_view text) {
  static const std::array<Suffix, 10> table{{
      {"", 1.0},
      {"FLOP", 1.0},
      {"GFLOP", 1e9},
      {"TFLOP", 1e12},
      {"PFLOP", 1e15},
      {"EFLOP", 1e18},
      {"flop", 1.0},
      {"Gflop", 1e9},
      {"Tflop", 1e12},
      {"Pflop", 1e15},
  }};
  return apply(text, "FLOP count", table, "FLOP GFLOP TFLOP PFLOP EFLOP");
}

std::string format_bytes(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (std::fabs(bytes) >= 1024.0 && u < 5) {
    bytes /= 1024.0;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.2f} {}", bytes, units[u]);
}

std::string format_bandwidth(double bytes_per_s) {
  const double gbit = bytes_per_s * 8 / 1e9;
  if (gbit >= 1000) return fmt::format("{:.4g} Tb/s ({:.4g} TB/s)", gbit / 1000, bytes_per_s / 1e12);
  return fmt::format("{:.4g} Gb/s ({:.4g} GB/s)", gbit, bytes_per_s / 1e9);
}

std::string format_duration(double s) {
  const double a = std::fabs(s);
  if (a == 0) return "0 s";
  if (a < 1e-6) return fmt::format("{:.3g} ns", s * 1e9);
  if (a < 1e-3) return fmt::format("{:.4g} us", s * 1e6);
  if (a < 1) return fmt::format("{:.4g} ms", s * 1e3);
  if (a < 120) return fmt::format("{:.4g} s", s);
  if (a < 7200) return fmt::format("{:.3g} min", s / 60);
  return fmt::format("{:.3g} h", s / 3600);
}

}  // namespace gigasim
