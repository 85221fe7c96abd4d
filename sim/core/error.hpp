#pragma once
// Errors: every failure that reaches the user is a gigasim::Error carrying the process exit code
// it maps to (docs/conventions.md §2): 1 the simulation ran and failed, 2 usage/config/validation,
// 3 I/O. Config errors carry a source location so the message reads
// "file:line:col: error: what", the form editors and CI logs already understand.
// Libraries throw; only sim/cli/main.cpp turns an Error into an exit code.

#include <stdexcept>
#include <string>

namespace gigasim {

enum class ExitCode : int { kOk = 0, kSimulationFailed = 1, kConfig = 2, kIo = 3 };

/// A position in a text source. line/column are 1-based; line 0 means "no line" (for example a
/// value given with --set on the command line).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  /// "file:line:col" or just "file" when there is no line.
  std::string str() const;
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

/// Bad configuration or usage: exit code 2. what() is "loc: error: message".
class ConfigError : public Error {
 public:
  ConfigError(const SourceLocation& where, const std::string& message);
  explicit ConfigError(const std::string& message);
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

/// A file that cannot be read or written: exit code 3. `sys_errno` is the system's reason when
/// known (ENOSPC, EDQUOT, EROFS, EACCES...), 0 otherwise.
class IoError : public Error {
 public:
  explicit IoError(const std::string& message, int sys_errno = 0) : Error(ExitCode::kIo, message), errno_(sys_errno) {}
  int sys_errno() const { return errno_; }

 private:
  int errno_;
};

/// The simulation ran and failed (deadlock, unreachable destination, invariant): exit code 1.
class SimulationError : public Error {
 public:
  explicit SimulationError(const std::string& message)
      : Error(ExitCode::kSimulationFailed, message) {}
};

}  // namespace gigasim

/// Internal invariant: aborts with a message (a bug in gigasim, not bad input).
#define GIGASIM_ASSERT(cond, msg)                                                        \
  do {                                                                                   \
    if (!(cond)) ::gigasim::detail::assert_fail(#cond, msg, __FILE__, __LINE__);         \
  } while (0)

namespace gigasim::detail {
[[noreturn]] void assert_fail(const char* cond, const std::string& msg, const char* file, int line);
}
