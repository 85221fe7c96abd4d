#include "sim/core/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace gigasim::interrupt {
namespace {

// Everything the handler reads is prepared here, in fixed buffers (no allocation in a handler).
constexpr size_t kText = 1024, kPath = 4096, kChildren = 256;
char g_what[kText] = "gigasim";
char g_outcome[kText] = "nothing was written";
char g_temp[kPath] = "";
volatile pid_t g_children[kChildren];
volatile sig_atomic_t g_installed = 0, g_deferred = 0, g_pending = 0, g_forked = 0;

void copy(char* dst, size_t cap, const std::string& s) {
  const size_t n = std::min(cap - 1, s.size());
  std::memcpy(dst, s.data(), n);
  dst[n] = '\0';
}

void put(const char* s) {
  size_t n = std::strlen(s);
  while (n > 0) {
    const ssize_t w = ::write(STDERR_FILENO, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

void handler(int sig) {
  if (g_deferred && !g_forked) {
    g_pending = sig;
    return;
  }
  if (g_temp[0] != '\0') ::unlink(g_temp);
  for (size_t i = 0; i < kChildren; ++i) {
    if (g_children[i] > 0) ::kill(g_children[i], SIGTERM);
  }
  if (!g_forked) {
    put(g_what);
    put(": interrupted by ");
    put(signal_name(sig));
    put("; ");
    put(g_outcome);
    put("\n");
  }
  ::_exit(128 + sig);
}

void install_handlers() {
  struct sigaction sa{};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a deferred signal interrupts waitpid and friends
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

}  // namespace

const char* signal_name(int sig) {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
  }
}

void install(const std::string& what) {
  copy(g_what, kText, what);
  g_installed = 1;
  install_handlers();
}

void reinstall() {
  if (g_installed) install_handlers();
}

void set_outcome(const std::string& text) { copy(g_outcome, kText, text); }

void set_temp_file(const std::string& path) {
  // Block the signals while the path changes, so the handler never sees half a path.
  sigset_t all, old;
  sigemptyset(&all);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&all, sig);
  sigprocmask(SIG_BLOCK, &all, &old);
  copy(g_temp, kPath, path);
  sigprocmask(SIG_SETMASK, &old, nullptr);
}

void add_child(pid_t pid) {
  for (size_t i = 0; i < kChildren; ++i) {
    if (g_children[i] <= 0) {
      g_children[i] = pid;
      return;
    }
  }
}

void remove_child(pid_t pid) {
  for (size_t i = 0; i < kChildren; ++i) {
    if (g_children[i] == pid) g_children[i] = 0;
  }
}

void mark_forked_child() {
  g_forked = 1;
  for (size_t i = 0; i < kChildren; ++i) g_children[i] = 0;
}

void set_deferred(bool deferred) { g_deferred = deferred ? 1 : 0; }

int pending() { return g_pending; }

}  // namespace gigasim::interrupt
