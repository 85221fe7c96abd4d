#pragma once
// Atomic output files: every file gigasim writes for a user (result files, timelines, traces,
// goodput estimates) is written to "<path>.tmp" and renamed into place when complete, so a file
// under its final name is always whole. While it is written the temporary is known to the
// interrupt handler (a signal removes it), and a failure names the path and the system's reason:
// "PATH: error: no space left on device (wrote N of about M bytes)", exit 3, nothing left.

#include <cstdint>
#include <functional>
#include <string>

#include "sim/core/error.hpp"

namespace gigasim {

/// The system's reason for `err` (an errno), as gigasim prints it: "no space left on device".
std::string describe_errno(int err);
/// "PATH: error: <reason>[ (detail)]" as an IoError carrying `err`.
IoError io_error(const std::string& path, int err, const std::string& detail = "");

/// Calls write(path + ".tmp") and renames the result to `path`. `what` names the file in
/// messages ("the trace"); `expected_bytes` (0: unknown) is about what the complete file
/// weighs. Throws: IoError "PATH: error: <reason> (cannot write <what>, wrote N of about M
/// bytes)" when `write` failed with a system error (nothing is left under either name), or what
/// `write` throws.
void write_atomically(const std::string& path, const std::string& what,
                      const std::function<void(const std::string& tmp)>& write, uint64_t expected_bytes = 0);

}  // namespace gigasim
