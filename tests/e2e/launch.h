// Starts the programs of an end-to-end test as processes on 127.0.0.1 and waits (bounded) until
// each can be used: the simulator on the port it picks itself (--port=0), the exporter and
// Prometheus on a free port chosen here, retried with another one when a different process took
// it in between. Each throws std::runtime_error, with the program's stderr, when that fails.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "subprocess.h"

namespace drmm::e2e {

struct StartedProcess {
  std::unique_ptr<Subprocess> process;
  int port = 0;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

// The port in the simulator's first stdout line, exactly
// "datto-rmm-sim listening on http://127.0.0.1:<port>"; nullopt for anything else.
std::optional<int> PortFromSimulatorBanner(std::string_view line);

// datto-rmm-sim --port=0 <flags>; logs in <dir>/<name>.stdout and .stderr.
StartedProcess StartSimulator(const std::filesystem::path& dir, const std::string& name,
                              const std::vector<std::string>& flags);

// datto-rmm-exporter --config.file=<config> --web.listen-address=127.0.0.1:<port> <flags>,
// ready once it logs (logfmt) that it started on that port.
StartedProcess StartExporter(const std::filesystem::path& dir, const std::string& name,
                             const std::filesystem::path& config,
                             const std::vector<std::string>& flags = {},
                             const std::vector<std::pair<std::string, std::string>>& env = {});

// prometheus --config.file=<config> --storage.tsdb.path=<dir>/<name>-tsdb
// --web.listen-address=127.0.0.1:<port> <flags>, ready once /-/ready answers 200 and the
// server on that port is this one (its storage.tsdb.path flag).
StartedProcess StartPrometheus(const std::filesystem::path& dir, const std::string& name,
                               const std::filesystem::path& config,
                               const std::vector<std::string>& flags = {});

// Stops one of the project's programs as a service manager would (SIGTERM) and says what went
// wrong: it did not exit with 0 within `timeout`, or its stderr holds a sanitizer report (in
// ASan/UBSan and TSan builds the programs under test are instrumented too). "" when it stopped
// cleanly. A process still running after `timeout` is killed.
std::string StopCleanly(StartedProcess& started, std::chrono::milliseconds timeout);

}  // namespace drmm::e2e
