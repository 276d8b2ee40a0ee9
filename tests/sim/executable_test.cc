// datto-rmm-sim as a process: it prints its port first, serves, and exits 0 promptly on SIGTERM
// or SIGINT; bad flags exit 2 with a message naming the flag.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sim_test_client.h"

#ifndef DRMM_SIM_BINARY
#error "DRMM_SIM_BINARY must name the datto-rmm-sim executable (set by tests/sim/CMakeLists.txt)"
#endif

extern char** environ;

namespace drmm::sim {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    args.insert(args.begin(), DRMM_SIM_BINARY);
    int out[2], err[2];
    EXPECT_EQ(pipe(out), 0);
    EXPECT_EQ(pipe(err), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, err[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, DRMM_SIM_BINARY, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    stdout_ = out[0];
    stderr_ = err[0];
  }
  ~Child() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(stdout_);
    close(stderr_);
  }

  // The first line on stdout, waiting at most `timeout`.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout) {
    std::string line;
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      pollfd p{stdout_, POLLIN, 0};
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 1))) <= 0) continue;
      char c = 0;
      if (read(stdout_, &c, 1) != 1) return std::nullopt;
      if (c == '\n') return line;
      line += c;
    }
    return std::nullopt;
  }
  // Everything written to stderr (after exit).
  std::string Stderr() {
    std::string text;
    char buf[4096];
    ssize_t n = 0;
    while ((n = read(stderr_, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    return text;
  }
  // The exit status once the process ends within `timeout`; nullopt if it does not.
  std::optional<int> Wait(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      int status = 0;
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(5ms);  // polling the exit, bounded by the deadline
    }
    return std::nullopt;
  }
  void Signal(int sig) { kill(pid_, sig); }

 private:
  pid_t pid_ = -1;
  int stdout_ = -1;
  int stderr_ = -1;
  bool exited_ = false;
};

// The port from exactly "datto-rmm-sim listening on http://127.0.0.1:<port>"; -1 otherwise.
int PortFromBanner(const std::string& line) {
  static constexpr std::string_view kPrefix = "datto-rmm-sim listening on http://127.0.0.1:";
  if (!line.starts_with(kPrefix) || line.size() == kPrefix.size() ||
      line.size() > kPrefix.size() + 5) {
    return -1;
  }
  const std::string digits = line.substr(kPrefix.size());
  if (digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoi(digits);
}

TEST(SimExecutable, PrintsItsPortServesAndStopsOnSigterm) {
  Child child({"--port=0", "--devices=50", "--sites=5", "--alerts=5"});
  const auto line = child.ReadLine(10s);
  ASSERT_TRUE(line) << child.Stderr();
  const int port = PortFromBanner(*line);
  ASSERT_GT(port, 0) << *line;
  sim::testing::TestClient client(port);
  const auto status = client.Get("/api/v2/system/status");
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(status.Json()["status"], "OK");
  const std::string token = client.Token();
  EXPECT_EQ(client.Get("/api/v2/account/devices", token).Json()["pageDetails"]["totalCount"], 50);
  const auto start = Clock::now();
  child.Signal(SIGTERM);
  EXPECT_EQ(child.Wait(2s), 0);
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST(SimExecutable, StopsOnSigintWithAKeepAliveConnectionOpen) {
  Child child({"--port", "0"});
  const auto line = child.ReadLine(10s);
  ASSERT_TRUE(line);
  httplib::Client client("127.0.0.1", PortFromBanner(*line));
  client.set_keep_alive(true);
  ASSERT_TRUE(client.Get("/api/v2/system/status"));
  child.Signal(SIGINT);
  EXPECT_EQ(child.Wait(2s), 0);
}

TEST(SimExecutable, BadFlagsExitTwoNamingTheFlag) {
  {
    Child child({"--page-max=zero"});
    EXPECT_EQ(child.Wait(5s), 2);
    EXPECT_NE(child.Stderr().find("--page-max"), std::string::npos);
  }
  {
    Child child({"--scenario", "/nonexistent/scenario.json", "--port=0"});
    EXPECT_EQ(child.Wait(5s), 2);
    EXPECT_NE(child.Stderr().find("/nonexistent/scenario.json"), std::string::npos);
  }
  {
    Child child({"--help"});
    const auto line = child.ReadLine(5s);
    ASSERT_TRUE(line);
    EXPECT_EQ(*line, "Usage: datto-rmm-sim [flags]");
    EXPECT_EQ(child.Wait(5s), 0);
  }
}

}  // namespace
}  // namespace drmm::sim
