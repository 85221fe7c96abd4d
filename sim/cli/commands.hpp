#pragma once
// The verbs of the `gigasim` binary. Each setup_* adds one CLI11 subcommand with its options and
// its callback; main.cpp lists them (the table of verbs) and maps errors to exit codes.

#include <CLI/CLI.hpp>

namespace gigasim {

void setup_run(CLI::App& app);
void setup_inspect(CLI::App& app);
void setup_collbench(CLI::App& app);
void setup_sweep(CLI::App& app);
void setup_trace(CLI::App& app);
void setup_convert(CLI::App& app);
/// Exit code of `sweep run` (1 when a point failed); 0 for other verbs.
int sweep_exit_code();

/// The command line as typed, for result files.
const std::string& command_line();

}  // namespace gigasim
