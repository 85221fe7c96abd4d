#pragma once
// Progress printers (ninja-style): `tty` redraws one status line on stderr, `log` prints a plain
// timestamped line every interval (for Slurm logs and CI), `none` prints nothing. `auto` picks
// tty when stderr is a smart terminal (isatty and TERM != dumb), log otherwise.

#include <memory>
#include <string>

#include "sim/core/progress.hpp"

namespace gigasim {

/// mode: "auto" | "tty" | "log" | "none". Throws: ConfigError for other modes.
std::unique_ptr<Progress> make_progress(const std::string& mode, double log_interval_s);

}  // namespace gigasim
