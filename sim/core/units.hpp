#pragma once
// Units: every physical quantity in a gigasim YAML file is a string with a unit suffix, parsed
// here into SI base units (bytes, bytes per second, seconds, FLOP/s). Bare numbers are accepted
// and mean the base unit. Network bandwidth can be given in bits ("400Gbps", "400 Gb/s") or
// bytes ("50GBps", "50 GB/s"); sizes use decimal (KB, MB, GB) or binary (KiB, MiB, GiB) prefixes,
// and a bare K/M/G/T means binary as in nccl-tests ("-b 8 -e 8G").
// Throws: UnitError with a short message naming the accepted forms.

#include <stdexcept>
#include <string>
#include <string_view>

namespace gigasim {

class UnitError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// "400Gbps" -> 5e10 (bytes/s). Accepts bps/Kbps/Mbps/Gbps/Tbps, b/s forms, Bps/KBps/MBps/GBps/TBps,
/// B/s forms and binary byte prefixes (GiBps). Requires: the result is finite.
double parse_bandwidth(std::string_view text);

/// "1.5us" -> 1.5e-6 (seconds). Accepts ns, us, ms, s, min, h.
double parse_duration(std::string_view text);

/// "1GiB" -> 1073741824, "1GB" -> 1e9, "8G" -> 8589934592 (bytes).
double parse_bytes(std::string_view text);

/// "989TFLOPS" / "989 TFLOP/s" -> 9.89e14 (FLOP/s).
double parse_flop_rate(std::string_view text);

/// "3.1e15", "3.1PFLOP" -> 3.1e15 (FLOP).
double parse_flops(std::string_view text);

/// Human-readable forms for reports.
std::string format_bytes(double bytes);          // "1.00 GiB"
std::string format_bandwidth(double bytes_per_s);  // "400 Gb/s (50.0 GB/s)"
std::string format_duration(double seconds);     // "12.3 ms"

}  // namespace gigasim
