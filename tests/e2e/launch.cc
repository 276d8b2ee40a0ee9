#include "launch.h"

#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "free_port.h"
#include "http.h"
#include "programs.h"

namespace drmm::e2e {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Generous, for sanitizer builds on busy machines; a healthy start takes well under a second.
constexpr seconds kStartTimeout{60};
// A port another process took between PickFreePort and our program's bind: try a new one.
constexpr int kPortAttempts = 5;

[[noreturn]] void Fail(const std::string& what, const Subprocess& process) {
  throw std::runtime_error(what + "\n" + process.StderrTail());
}

std::string AttemptName(const std::string& name, int attempt) {
  return attempt == 1 ? name : name + "-attempt" + std::to_string(attempt);
}

}  // namespace

std::optional<int> PortFromSimulatorBanner(std::string_view line) {
  static constexpr std::string_view kPrefix = "datto-rmm-sim listening on http://127.0.0.1:";
  if (!line.starts_with(kPrefix)) return std::nullopt;
  const std::string_view digits = line.substr(kPrefix.size());
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  const int port = std::stoi(std::string(digits));
  if (port < 1 || port > 65535) return std::nullopt;
  return port;
}

StartedProcess StartSimulator(const std::filesystem::path& dir, const std::string& name,
                              const std::vector<std::string>& flags) {
  SubprocessOptions options;
  options.argv = {SimulatorBinary().string(), "--port=0"};
  options.argv.insert(options.argv.end(), flags.begin(), flags.end());
  options.log_dir = dir;
  options.name = name;
  StartedProcess started;
  started.process = std::make_unique<Subprocess>(std::move(options));
  const auto line = started.process->FirstStdoutLine(kStartTimeout);
  if (!line) Fail("simulator " + name + " printed no banner", *started.process);
  const auto port = PortFromSimulatorBanner(*line);
  if (!port)
    Fail("simulator " + name + ": unexpected first line \"" + *line + "\"", *started.process);
  started.port = *port;
  return started;
}

StartedProcess StartExporter(const std::filesystem::path& dir, const std::string& name,
                             const std::filesystem::path& config,
                             const std::vector<std::string>& flags,
                             const std::vector<std::pair<std::string, std::string>>& env) {
  for (int attempt = 1; attempt <= kPortAttempts; ++attempt) {
    const int port = PickFreePort();
    SubprocessOptions options;
    options.argv = {ExporterBinary().string(), "--config.file=" + config.string(),
                    "--web.listen-address=127.0.0.1:" + std::to_string(port)};
    options.argv.insert(options.argv.end(), flags.begin(), flags.end());
    options.env = env;
    options.log_dir = dir;
    options.name = AttemptName(name, attempt);
    StartedProcess started;
    started.process = std::make_unique<Subprocess>(std::move(options));
    started.port = port;
    // Logged after the listening socket is bound and the poller started.
    if (started.process->WaitForStderr(
            {"msg=\"datto-rmm-exporter started\"", " port=" + std::to_string(port)},
            kStartTimeout)) {
      return started;
    }
    if (started.process->Running()) Fail("exporter " + name + " did not start", *started.process);
    if (started.process->Stderr().find("cannot start the web server") == std::string::npos) {
      Fail("exporter " + name + " exited with " +
               std::to_string(started.process->ExitCode().value_or(-1)),
           *started.process);
    }
    // The port was taken meanwhile: next attempt.
  }
  throw std::runtime_error("exporter " + name + ": no free port after " +
                           std::to_string(kPortAttempts) + " attempts");
}

StartedProcess StartPrometheus(const std::filesystem::path& dir, const std::string& name,
                               const std::filesystem::path& config,
                               const std::vector<std::string>& flags) {
  if (const std::string missing = MissingTool(PrometheusBinary(), "prometheus"); !missing.empty()) {
    throw std::runtime_error(missing);
  }
  for (int attempt = 1; attempt <= kPortAttempts; ++attempt) {
    const int port = PickFreePort();
    const std::filesystem::path tsdb = dir / (AttemptName(name, attempt) + "-tsdb");
    SubprocessOptions options;
    options.argv = {PrometheusBinary().string(), "--config.file=" + config.string(),
                    "--storage.tsdb.path=" + tsdb.string(),
                    "--web.listen-address=127.0.0.1:" + std::to_string(port)};
    options.argv.insert(options.argv.end(), flags.begin(), flags.end());
    options.log_dir = dir;
    options.name = AttemptName(name, attempt);
    StartedProcess started;
    started.process = std::make_unique<Subprocess>(std::move(options));
    started.port = port;
    const auto deadline = Clock::now() + kStartTimeout;
    while (started.process->Running() && Clock::now() < deadline) {
      if (HttpGet(port, "/-/ready").status == 200) {
        // Ready, but is it ours? Another Prometheus could hold the port.
        const auto flags_answer = HttpGet(port, "/api/v1/status/flags");
        const auto parsed = nlohmann::json::parse(flags_answer.body, nullptr, false);
        if (parsed.is_object() && parsed.contains("data") && parsed["data"].is_object() &&
            parsed["data"].value("storage.tsdb.path", "") == tsdb.string()) {
          return started;
        }
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    if (started.process->Running()) {
      Fail("prometheus did not become ready on port " + std::to_string(port), *started.process);
    }
    if (started.process->Stderr().find("address already in use") == std::string::npos) {
      Fail("prometheus exited with " + std::to_string(started.process->ExitCode().value_or(-1)),
           *started.process);
    }
  }
  throw std::runtime_error("prometheus: no free port after " + std::to_string(kPortAttempts) +
                           " attempts");
}

std::string StopCleanly(StartedProcess& started, milliseconds timeout) {
  if (!started.process) return "";
  Subprocess& process = *started.process;
  if (!process.Running()) {
    return process.name() + " had already exited with " +
           std::to_string(process.ExitCode().value_or(-1)) + "\n" + process.StderrTail();
  }
  process.Signal(SIGTERM);
  const auto code = process.WaitForExit(timeout);
  process.Kill();
  std::string problem;
  if (!code) {
    problem = process.name() + " did not exit within " + std::to_string(timeout.count()) +
              " ms of SIGTERM";
  } else if (*code != 0) {
    problem = process.name() + " exited with " + std::to_string(*code) + " on SIGTERM";
  }
  const std::string err = process.Stderr();
  for (const char* report : {"WARNING: ThreadSanitizer", "ERROR: AddressSanitizer",
                             "ERROR: LeakSanitizer", "runtime error:"}) {
    if (const auto at = err.find(report); at != std::string::npos) {
      return problem + (problem.empty() ? "" : "; ") + process.name() + " reported:\n" +
             err.substr(at, 8000);
    }
  }
  return problem.empty() ? "" : problem + "\n" + process.StderrTail();
}

}  // namespace drmm::e2e
