#pragma once
// The verbs of the `gigasim` binary. Each setup_* adds one CLI11 subcommand with its options and
// its callback; main.cpp lists them (the table of verbs) and maps errors to exit codes.

#include <CLI/CLI.hpp>

namespace gigasim {

void setup_run(CLI::App& app);
void setup_inspect(CLI::App& app);
void setup_collbench(CLI::App& app);

/// The command line as typed, for result files.
const std::string& command_line();

}  // namespace gigasim
