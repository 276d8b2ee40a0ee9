// datto-rmm-exporter: wires flags, config, poller, metrics and the web server together.
// No logic lives here; see README.md for the picture.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <variant>

#include "common/build_info.h"
#include "common/clock.h"
#include "common/duration.h"
#include "common/log.h"
#include "common/shutdown_deadline.h"
#include "exporter/config/config_check.h"
#include "exporter/config/config_loader.h"
#include "exporter/config/credentials.h"
#include "exporter/config/flags.h"
#include "exporter/metrics/exposition.h"
#include "exporter/metrics/exposition_cache.h"
#include "exporter/metrics/process_metrics.h"
#include "exporter/metrics/self_metrics.h"
#include "exporter/poll/poller.h"
#include "exporter/web/health_probe.h"
#include "exporter/web/landing_page.h"
#include "exporter/web/metrics_server.h"

namespace drmm {
namespace {

// Leaves half a second of the promised 2 s for the process to exit.
constexpr std::chrono::milliseconds kShutdownDeadline{1500};

// What the exposition renders each account from. Each source holds its account's runtime, so a
// reload can replace the account while a render is under way.
std::vector<ExpositionCache::AccountSource> ExpositionSources(const Poller& poller) {
  std::vector<ExpositionCache::AccountSource> sources;
  for (const auto& account : poller.accounts()) {
    sources.push_back(
        {account->config.name, [account] { return account->poller->Current(); },
         [account] { return std::optional<double>(account->budget->RequestsInWindow()); }});
  }
  return sources;
}

int Run(const Flags& flags) {
  Logger::Global().Configure(flags.log_level, flags.log_format);
  if (flags.config_check) {
    return RunConfigCheck(flags.config_file, Environment::Real(), std::cout, std::cerr);
  }
  auto loaded = LoadConfigFile(flags.config_file, Environment::Real());
  if (auto* errors = std::get_if<std::vector<ConfigError>>(&loaded)) {
    WriteConfigErrors(*errors, std::cerr);
    return kExitBadConfig;
  }
  const Config config = std::get<Config>(std::move(loaded));
  RegisterSecrets(config, Logger::Global());

  // Signals are taken by sigwait below, so block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  SelfMetrics self_metrics(kBuildVersion, kBuildRevision);
  Poller poller(config, [&](const std::string& account) -> datto::ApiObserver& {
    return self_metrics.ObserverFor(account);
  });
  // The account data is rendered once per change; the exporter's own and the process metrics
  // are rendered per scrape.
  const std::vector<std::shared_ptr<prometheus::Collectable>> per_scrape = {
      self_metrics.registry(), std::make_shared<ProcessCollectable>()};
  ExpositionCache exposition({6, [&] { return RenderTextFormat(per_scrape); }}, SystemClock());
  poller.SetOnChange([&exposition](const std::string& account) { exposition.Changed(account); });
  exposition.SetAccounts(ExpositionSources(poller));
  exposition.Start();

  WebHandlers handlers;
  // The httplib server copies and compresses the body itself.
  handlers.render_metrics = [&] { return exposition.Scrape(false).body.Flatten(); };
  handlers.readiness = [&] {
    std::string detail = "waiting for a first successful poll of";
    // From what /metrics serves, not from the pollers: ready means the data is there.
    const auto waiting = exposition.NotReady();
    for (std::size_t i = 0; i < waiting.size(); ++i) detail += (i == 0 ? " " : "; ") + waiting[i];
    return Readiness{waiting.empty(), detail};
  };
  handlers.landing_page = [&] {
    const LandingPageInfo info{kBuildVersion, kBuildRevision, flags.telemetry_path,
                               ToUnixSeconds(SystemClock().WallNow())};
    return RenderLandingPage(info, *poller.Current());
  };
  MetricsServer server({flags.listen_address, flags.telemetry_path}, std::move(handlers));
  if (auto error = server.Bind()) {
    LogError("cannot start the web server", {{"error", *error}});
    return 1;
  }
  server.Start();
  poller.Start();
  LogInfo("datto-rmm-exporter started", {{"version", kBuildVersion},
                                         {"listen_address", flags.listen_address},
                                         {"port", std::to_string(server.port())},
                                         {"accounts", std::to_string(config.accounts.size())}});

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  LogInfo("shutting down", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  {
    // Gone within 2 s of the signal, whatever the network does (see ShutdownDeadline).
    const ShutdownDeadline deadline(SystemClock(), kShutdownDeadline, [] {
      LogWarn("clean shutdown did not finish in time; exiting with connections still open",
              {{"deadline", FormatDuration(kShutdownDeadline)}});
      std::_Exit(0);
    });
    poller.Stop();
    exposition.Stop();
    server.Stop();
  }
  LogInfo("stopped");
  return 0;
}

}  // namespace
}  // namespace drmm

int main(int argc, char** argv) {
  auto parsed = drmm::ParseFlags(argc, argv);
  if (auto* error = std::get_if<drmm::FlagError>(&parsed)) {
    std::cerr << error->message << "\n"
              << "run with --help for usage\n";
    return drmm::kExitBadConfig;
  }
  const auto& flags = std::get<drmm::Flags>(parsed);
  if (flags.help) {
    std::cout << drmm::FlagsHelp();
    return 0;
  }
  if (flags.healthcheck) {
    std::string detail;
    const int status = drmm::ProbeHealth(flags.listen_address, &detail);
    std::cout << (status == 0 ? "healthy: " : "unhealthy: ") << detail << "\n";
    return status;
  }
  if (flags.version) {
    std::cout << "datto-rmm-exporter, version " << drmm::kBuildVersion << " (revision "
              << drmm::kBuildRevision << ")\n";
    return 0;
  }
  return drmm::Run(flags);
}
