#include "sim/cli/sweep_runner.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include "sim/core/atomic_file.hpp"
#include "sim/core/error.hpp"
#include "sim/results/h5.hpp"

extern char** environ;

namespace gigasim::sweep {

namespace fs = std::filesystem;

std::string self_exe() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("gigasim") : p.string();
}

pid_t spawn_point(const std::string& dir, const ManifestRow& row, int lock_fd) {
  const std::string exe = self_exe();
  const fs::path d(dir);
  const std::string run = (d / row.run_file).string(), out = (d / row.output).string();
  const std::string log = (d / "logs" / (row.id + ".log")).string();
  std::vector<std::string> args{exe, "run", run, "-o", out, "--progress", "log", "--progress-interval", "60"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  // The lock goes to fd 3 of the child, without close-on-exec: the claim lives while it runs.
  if (lock_fd >= 0) posix_spawn_file_actions_adddup2(&fa, lock_fd, 3);
  // The point process appends its own "run" line to DIR/runs.log: the count of executions.
  std::vector<std::string> env_text{"GIGASIM_SWEEP_DIR=" + dir};
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "GIGASIM_SWEEP_DIR=", 18) != 0) env_text.emplace_back(*e);
  }
  std::vector<char*> envp;
  for (std::string& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw io_error(log, rc, fmt::format("cannot start the process of point {}", row.id));
  return pid;
}

void record_outcome(const std::string& dir, const ManifestRow& row, int wstatus) {
  const fs::path out = fs::path(dir) / row.output;
  const fs::path err = fs::path(out).replace_extension(".error");
  const int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
  const auto status = h5::read_root_attr(out.string(), "status");
  if (code == 0 && status == std::optional<std::string>("ok")) return;
  if (status == std::optional<std::string>("failed")) return;
  // No result (a config error, a crash): the reason is the log's last error line.
  std::ifstream log(fs::path(dir) / "logs" / (row.id + ".log"));
  std::string line, reason;
  while (std::getline(log, line)) {
    if (line.find("error") != std::string::npos || line.find("Error") != std::string::npos) reason = line;
  }
  std::ofstream e(err);
  if (WIFSIGNALED(wstatus)) {
    e << fmt::format("killed by signal {}", WTERMSIG(wstatus)) << (reason.empty() ? "" : ": " + reason) << "\n";
  } else {
    e << fmt::format("exit {}", code) << (reason.empty() ? "" : ": " + reason) << "\n";
  }
}

}  // namespace gigasim::sweep
