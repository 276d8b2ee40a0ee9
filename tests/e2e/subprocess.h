// A child process for the end-to-end tests. Its stdout and stderr go to files (a chatty child at
// --log.level=debug never blocks on a full pipe, and the files can be read at any time), it is
// killed with SIGKILL when the object goes away, and the kernel kills it too if the test process
// dies first (PR_SET_PDEATHSIG), so neither a failed assertion nor a crash leaves one behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drmm::e2e {

struct SubprocessOptions {
  std::vector<std::string> argv;  // argv[0]: path of the executable
  // Set on top of the inherited environment (replacing variables of the same name).
  std::vector<std::pair<std::string, std::string>> env;
  std::filesystem::path log_dir;  // stdout and stderr go to <log_dir>/<name>.stdout and .stderr
  std::string name;
  std::filesystem::path stdin_path;  // empty: /dev/null
};

class Subprocess {
 public:
  // Throws std::runtime_error when the program cannot be started.
  explicit Subprocess(SubprocessOptions options);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  Subprocess(Subprocess&&) = delete;
  Subprocess& operator=(Subprocess&&) = delete;

  const std::string& name() const { return options_.name; }
  pid_t pid() const { return pid_; }

  // Whether it is still running (an exited child is reaped here).
  bool Running();
  // The exit status once it has exited (128 + the signal when a signal ended it); nullopt
  // while it runs.
  std::optional<int> ExitCode();
  // Waits up to `timeout` for it to exit; nullopt when it is still running then.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);
  void Signal(int signal);
  // SIGKILL, then reap. Nothing once it has exited.
  void Kill();

  std::string Stdout() const;
  std::string Stderr() const;
  // The last `lines` lines of stderr, for failure messages.
  std::string StderrTail(int lines = 40) const;

  // Waits up to `timeout` for the first complete line on stdout; nullopt when none came or the
  // process exited without one.
  std::optional<std::string> FirstStdoutLine(std::chrono::milliseconds timeout);
  // Waits up to `timeout` until stderr contains every one of `needles`; false when that did
  // not happen in time or the process exited first.
  bool WaitForStderr(const std::vector<std::string>& needles, std::chrono::milliseconds timeout);

 private:
  void Reap(int wait_status);

  const SubprocessOptions options_;
  const std::filesystem::path stdout_path_;
  const std::filesystem::path stderr_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Runs a program to completion within `timeout` (killing it after that).
struct RunResult {
  std::optional<int> exit_code;  // nullopt: it had to be killed
  std::string out;
  std::string err;
};
RunResult RunProgram(SubprocessOptions options, std::chrono::milliseconds timeout);

// The whole content of a file ("" when it cannot be read).
std::string ReadFile(const std::filesystem::path& path);
void WriteFile(const std::filesystem::path& path, std::string_view content);

}  // namespace drmm::e2e
