#include "sim/core/error.hpp"

#include <cstdio>
#include <cstdlib>

namespace gigasim {

std::string SourceLocation::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

ConfigError::ConfigError(const SourceLocation& where, const std::string& message)
    : Error(ExitCode::kConfig, where.str() + ": error: " + message), message_(message) {}

ConfigError::ConfigError(const std::string& message)
    : Error(ExitCode::kConfig, "error: " + message), message_(message) {}

namespace detail {
void assert_fail(const char* cond, const std::string& msg, const char* file, int line) {
  std::fprintf(stderr, "gigasim: internal error at %s:%d: %s (%s)\n", file, line, msg.c_str(), cond);
  std::abort();
}
}  // namespace detail

}  // namespace gigasim
