#include "subprocess.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace drmm::e2e {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How often the waits below look again: short next to the seconds they allow.
constexpr milliseconds kPollEvery{10};

std::vector<std::string> MergedEnvironment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::map<std::string, std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    merged[std::string(text.substr(0, eq))] = std::string(text.substr(eq + 1));
  }
  for (const auto& [key, value] : overrides) merged[key] = value;
  std::vector<std::string> out;
  out.reserve(merged.size());
  for (const auto& [key, value] : merged) out.push_back(key + "=" + value);
  return out;
}

// Closes the descriptor it holds when it goes out of scope (in the parent; the child execs or
// _exits without running destructors).
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() { Close(); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  FileDescriptor(FileDescriptor&&) = delete;
  FileDescriptor& operator=(FileDescriptor&&) = delete;

  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

int OpenOrThrow(const std::filesystem::path& path, int flags) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw std::runtime_error("cannot open " + path.string() + ": " +
                             std::generic_category().message(errno));
  }
  return fd;
}

}  // namespace

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::filesystem::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

Subprocess::Subprocess(SubprocessOptions options)
    : options_(std::move(options)),
      stdout_path_(options_.log_dir / (options_.name + ".stdout")),
      stderr_path_(options_.log_dir / (options_.name + ".stderr")) {
  if (options_.argv.empty()) throw std::invalid_argument("Subprocess: empty argv");
  // Everything the child needs is prepared before fork(): after it, the child only makes
  // async-signal-safe calls.
  std::vector<std::string> args = options_.argv;
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = MergedEnvironment(options_.env);
  std::vector<char*> envp;
  envp.reserve(env.size() + 1);
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);

  const FileDescriptor out(OpenOrThrow(stdout_path_, O_WRONLY | O_CREAT | O_TRUNC));
  const FileDescriptor err(OpenOrThrow(stderr_path_, O_WRONLY | O_CREAT | O_TRUNC));
  const FileDescriptor in(
      OpenOrThrow(options_.stdin_path.empty() ? "/dev/null" : options_.stdin_path, O_RDONLY));
  // The child reports a failed execve through this pipe; a successful one closes it (CLOEXEC).
  std::array<int, 2> pipe_ends{};
  if (pipe2(pipe_ends.data(), O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  const FileDescriptor report_read(pipe_ends[0]);
  FileDescriptor report_write(pipe_ends[1]);
  const pid_t parent = getpid();

  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the test process died before prctl
    dup2(in.get(), STDIN_FILENO);
    dup2(out.get(), STDOUT_FILENO);
    dup2(err.get(), STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    execve(argv[0], argv.data(), envp.data());
    const int error = errno;
    [[maybe_unused]] const auto written = write(report_write.get(), &error, sizeof error);
    _exit(127);
  }
  const int fork_error = errno;
  report_write.Close();  // or the read below would wait for ever
  if (pid_ < 0) {
    throw std::runtime_error("fork failed: " + std::generic_category().message(fork_error));
  }
  int exec_error = 0;
  ssize_t got = 0;
  do {
    got = read(report_read.get(), &exec_error, sizeof exec_error);
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof exec_error)) {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    throw std::runtime_error("cannot run " + options_.argv[0] + ": " +
                             std::generic_category().message(exec_error));
  }
}

Subprocess::~Subprocess() { Kill(); }

void Subprocess::Reap(int wait_status) {
  exit_code_ = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

bool Subprocess::Running() {
  if (pid_ <= 0 || exit_code_) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    Reap(status);
    return false;
  }
  return true;
}

std::optional<int> Subprocess::ExitCode() {
  Running();
  return exit_code_;
}

std::optional<int> Subprocess::WaitForExit(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Running()) {
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return exit_code_;
}

void Subprocess::Signal(int signal) {
  if (Running()) kill(pid_, signal);
}

void Subprocess::Kill() {
  if (!Running()) return;
  kill(pid_, SIGKILL);
  int status = 0;
  pid_t r = 0;
  do {
    r = waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) Reap(status);
}

std::string Subprocess::Stdout() const { return ReadFile(stdout_path_); }

std::string Subprocess::Stderr() const { return ReadFile(stderr_path_); }

std::string Subprocess::StderrTail(int lines) const {
  const std::string text = Stderr();
  std::size_t start = text.size();
  for (int seen = 0; start > 0 && seen <= lines;) {
    --start;
    if (text[start] == '\n') ++seen;
  }
  return "--- last lines of " + stderr_path_.filename().string() + " ---\n" +
         text.substr(start == 0 ? 0 : start + 1);
}

std::optional<std::string> Subprocess::FirstStdoutLine(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const std::string text = Stdout();
    if (const auto newline = text.find('\n'); newline != std::string::npos) {
      return text.substr(0, newline);
    }
    if (!Running() || Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollEvery);
  }
}

bool Subprocess::WaitForStderr(const std::vector<std::string>& needles, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const std::string text = Stderr();
    if (std::all_of(needles.begin(), needles.end(), [&](const std::string& needle) {
          return text.find(needle) != std::string::npos;
        })) {
      return true;
    }
    if (!Running() || Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollEvery);
  }
}

RunResult RunProgram(SubprocessOptions options, milliseconds timeout) {
  Subprocess process(std::move(options));
  RunResult result;
  result.exit_code = process.WaitForExit(timeout);
  process.Kill();
  result.out = process.Stdout();
  result.err = process.Stderr();
  return result;
}

}  // namespace drmm::e2e
