// gigasim: discrete-event simulation of AI training datacenters (SimGrid inside).
// One binary, git-style verbs; exit codes: 0 ok, 1 simulation failed, 2 usage/config, 3 I/O.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "sim/cli/commands.hpp"
#include "sim/cli/huge_pages.hpp"
#include "sim/core/error.hpp"
#include "sim/core/interrupt.hpp"
#include "sim/core/version.hpp"
#include "sim/replay/replay_engine.hpp"
#include "sim/results/h5.hpp"

namespace gigasim {
namespace {
std::string g_command_line;
}
const std::string& command_line() { return g_command_line; }
}  // namespace gigasim

int main(int argc, char** argv) {
  using namespace gigasim;
  maybe_reexec_with_huge_pages(argv);
  for (int i = 0; i < argc; ++i) g_command_line += (i ? " " : "") + std::string(argv[i]);
  // Ctrl-C, kill and a closed terminal end any verb with one line and 128 + the signal; verbs
  // say more precisely what was interrupted (sim/core/interrupt.hpp).
  interrupt::install(argc > 1 && argv[1][0] != '-' ? fmt::format("gigasim {}", argv[1]) : "gigasim");

  CLI::App app{
      "gigasim: simulate AI training clusters of up to 100,000 GPUs.\n"
      "Describe a fabric in YAML, replay a training step or a collective on it in SimGrid, and\n"
      "read step time, exposed communication and link load from an HDF5 file.\n"
      "Exit codes: 0 ok, 1 simulation failed, 2 usage or config error, 3 I/O error;\n"
      "130, 143, 129 after SIGINT (Ctrl-C), SIGTERM, SIGHUP (nothing half-written is left).\n"
      "Run 'gigasim <verb> --help' for a verb's options."};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       fmt::format("gigasim {} ({})\nSimGrid {}\nHDF5 {}", kGigasimVersion, kGitSha,
                                   simgrid_version(), h5::library_version()));
  setup_run(app);
  setup_validate(app);
  setup_inspect(app);
  setup_collbench(app);
  setup_sweep(app);
  setup_goodput(app);
  setup_trace(app);
  setup_convert(app);
  int rc = 0;
  try {
    app.parse(argc, argv);
    rc = sweep_exit_code();
  } catch (const CLI::ParseError& e) {
    rc = app.exit(e) == 0 ? 0 : static_cast<int>(ExitCode::kConfig);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    rc = static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gigasim: internal error: %s\n", e.what());
    rc = static_cast<int>(ExitCode::kSimulationFailed);
  }
  // Every file is closed by now. Skip static destructors: SimGrid's engine teardown frees a
  // 100k-GPU platform object by object (about a second) for nothing.
  std::cout.flush();
  std::fflush(nullptr);
  std::_Exit(rc);
}
