#pragma once
// The verbs of the `gigasim` binary. Each setup_* adds one CLI11 subcommand with its options and
// its callback; main.cpp lists them (the table of verbs) and maps errors to exit codes.

#include <CLI/CLI.hpp>

namespace gigasim {

void setup_run(CLI::App& app);
void setup_inspect(CLI::App& app);
void setup_collbench(CLI::App& app);
void setup_sweep(CLI::App& app);
void setup_goodput(CLI::App& app);
void setup_trace(CLI::App& app);
void setup_convert(CLI::App& app);
void setup_validate(CLI::App& app);
/// Exit code of `sweep run` (1 when a point failed); 0 for other verbs.
int sweep_exit_code();

/// Fails early when `out` cannot be created (its directory is missing, it is a directory, or it
/// cannot be written), so nothing is computed for nothing. Throws: IoError (exit 3); leaves no file.
void check_output_writable(const std::string& out);
/// Fails early when the output's filesystem has not even half of `result_bytes` (the result
/// file's uncompressed estimate) free. Throws: IoError (exit 3, "no space left on device").
void check_output_room(const std::string& out, double result_bytes);

/// `--max-memory SIZE` (verbs that build runs) and applying it to the memory limit (no-op when
/// empty). Throws: ConfigError for a size that does not parse or is not positive.
void add_max_memory_option(CLI::App* sub, std::string& value);
void apply_max_memory(const std::string& value);

/// The command line as typed, for result files.
const std::string& command_line();

}  // namespace gigasim
