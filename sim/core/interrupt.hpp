#pragma once
// Interrupt: what gigasim does when the operator stops it — SIGINT (Ctrl-C), SIGTERM (kill, a
// Slurm time limit) or SIGHUP (a closed terminal). By default a signal ends the process at once
// with one line on stderr naming what was interrupted and what was left ("nothing was
// written"): the temporary file being written is removed, child processes (sweep points,
// failure-impact replays) are stopped, and the exit code is 128 + the signal (130, 143, 129).
// Nothing else runs: no SimGrid actor dump, no half-written file. A verb with its own cleanup
// (a sweep) defers instead: the handler only records the signal, blocking calls return EINTR,
// and the verb polls pending() and throws Interrupted. Async-signal-safe: the handler only
// writes prepared bytes, unlinks, kills and exits.

#include <sys/types.h>

#include <string>

#include "sim/core/error.hpp"

namespace gigasim::interrupt {

/// Installs the handlers for SIGINT, SIGTERM and SIGHUP. `what`: the line's subject, e.g.
/// "gigasim run run.yaml". Call once per process (again after creating a SimGrid engine, which
/// installs its own SIGINT handler: reinstall()).
void install(const std::string& what);
/// Re-installs the handlers if install() was called (no-op otherwise).
void reinstall();
/// What the line says after the signal's name, e.g. "nothing was written".
void set_outcome(const std::string& text);
/// The temporary file being written ("" none): removed if a signal arrives.
void set_temp_file(const std::string& path);
/// A child process to stop (SIGTERM) if a signal arrives; forget it when it has been waited for.
void add_child(pid_t pid);
void remove_child(pid_t pid);
/// In a forked child: a signal ends it at once and silently (its parent reports).
void mark_forked_child();
/// Deferred mode: the handler records the signal and returns (blocking calls fail with EINTR).
void set_deferred(bool deferred);
/// The signal received in deferred mode (0: none).
int pending();
/// "SIGINT", "SIGTERM", "SIGHUP".
const char* signal_name(int sig);

}  // namespace gigasim::interrupt

namespace gigasim {

/// The operator stopped a verb (deferred mode): exit code 128 + signal, message as given.
class Interrupted : public Error {
 public:
  Interrupted(int sig, const std::string& message) : Error(static_cast<ExitCode>(128 + sig), message), sig_(sig) {}
  int signal() const { return sig_; }

 private:
  int sig_;
};

}  // namespace gigasim
