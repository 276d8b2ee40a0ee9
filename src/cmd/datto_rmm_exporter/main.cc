// datto-rmm-exporter: wires flags, config, poller, metrics and the web server together, and
// turns signals into actions (SIGTERM/SIGINT stop, SIGHUP reloads, others are logged and
// ignored). No logic lives here; see README.md for the picture.
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <tuple>

#include "common/build_info.h"
#include "common/clock.h"
#include "common/duration.h"
#include "common/log.h"
#include "common/shutdown_deadline.h"
#include "exporter/config/config_check.h"
#include "exporter/config/config_loader.h"
#include "exporter/config/config_warnings.h"
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
#include "exporter/web/systemd_socket.h"
#include "exporter/web/web_config_watcher.h"

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

// Signals that would end the process by default but mean nothing to an exporter: logged and
// ignored. (SIGPIPE is ignored outright: a scraper hanging up mid-response is routine.)
constexpr std::array kIgnoredSignals = {SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGPOLL};

double UnixNow() { return ToUnixSeconds(SystemClock().WallNow()); }

std::string JoinErrors(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const auto& error : errors) out += (out.empty() ? "" : "; ") + error.ToString();
  return out;
}

// What Go programs do at start: a scraper's connections and the API client's sockets must not
// run into the soft limit of 1024 descriptors that service managers often set.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Large buffers (API pages of about 1.3 MB, the exposition's family texts of up to 8 MB at 2,000
// sites) are mapped and unmapped whole instead of carved from malloc's heaps. glibc's default
// threshold is dynamic: once such a buffer is freed it rises to that size, every later one of
// them comes from the heaps of whichever thread allocated it, and the holes they leave are not
// returned. At 2,000 sites that grew resident memory from 58 MB after the first poll to 100 MB
// after the fifth; with the threshold fixed at glibc's initial 128 KiB it stays at 47 to 50 MB
// (docs/performance.md). Setting it here rather than in MALLOC_MMAP_THRESHOLD_ keeps the figure
// the same however the exporter is started.
// mallopt is not thread-safe: called first thing in main, before any thread starts.
void KeepLargeBuffersOutOfTheHeaps() {
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);  // NOLINT(concurrency-mt-unsafe): see above
}

// SIGHUP and POST /-/reload: re-read both files, apply both or neither.
class Reloader {
 public:
  Reloader(const Flags& flags, Config running, Poller& poller, ExpositionCache& exposition,
           SelfMetrics& self_metrics)
      : flags_(flags),
        running_(std::move(running)),
        poller_(poller),
        exposition_(exposition),
        self_metrics_(self_metrics) {}

  void SetServer(MetricsServer* server) { server_ = server; }

  // "" when the reload applied; otherwise what went wrong (already logged and counted).
  std::string Reload(std::string_view trigger) {
    std::lock_guard lock(mutex_);
    std::vector<ConfigError> errors;
    auto config = LoadConfigFile(flags_.config_file, Environment::Real());
    if (!config.ok()) {
      errors = config.error();
    } else {
      RegisterSecrets(config.value(), Logger::Global());
      LogConfigWarnings(config.value(), Environment::Real());
    }
    auto web = LoadActiveWebConfig(flags_.web_config_file);
    if (!web.ok()) errors.insert(errors.end(), web.error().begin(), web.error().end());
    std::string error = JoinErrors(errors);
    if (!error.empty()) {
      files_ok_ = false;
      self_metrics_.OnConfigLoad(false, UnixNow());
      LogError("reloading the configuration failed; the running configuration stays",
               {{"trigger", std::string(trigger)}, {"error", error}});
      return error;
    }
    if (server_ != nullptr) {
      server_->ApplyWebConfig(std::move(web).value());
    }
    running_ = std::move(config).value();
    // Accounts added, removed or changed; an unchanged account keeps running untouched, a
    // changed one keeps its budget and last good data (Poller::Apply). The exposition follows
    // before the replaced runtimes can go away.
    poller_.Apply(running_);
    exposition_.SetAccounts(ExpositionSources(poller_));
    files_ok_ = true;
    web_ok_ = true;
    self_metrics_.OnConfigLoad(true, UnixNow());
    LogInfo("configuration reloaded", {{"trigger", std::string(trigger)},
                                       {"accounts", std::to_string(running_.accounts.size())}});
    return "";
  }

  // The server re-read the web config on its own after one of its files changed. A failure
  // shows until the files load again, by themselves or by a reload; a success does not hide a
  // configuration file that failed to reload.
  void WebConfigReread(bool applied) {
    std::lock_guard lock(mutex_);
    web_ok_ = applied;
    const bool ok = files_ok_ && web_ok_;
    self_metrics_.OnConfigLoad(ok, UnixNow());
  }

 private:
  const Flags& flags_;
  std::mutex mutex_;  // one reload at a time; guards the members below
  Config running_;
  bool files_ok_ = true;  // the last reload (or the start) applied
  bool web_ok_ = true;    // the server's last re-read of the web config applied
  Poller& poller_;
  ExpositionCache& exposition_;
  SelfMetrics& self_metrics_;
  MetricsServer* server_ = nullptr;
};

int CheckConfig(const Flags& flags) {
  int status = RunConfigCheck(flags.config_file, Environment::Real(), std::cout, std::cerr);
  if (!flags.web_config_file.empty()) {
    auto web = LoadActiveWebConfig(flags.web_config_file);
    if (!web.ok()) {
      WriteConfigErrors(web.error(), std::cerr);
      return kExitBadConfig;
    }
    const auto& active = *web.value();
    std::cout << flags.web_config_file << ": valid web config (TLS "
              << (active.Tls() ? "on" : "off") << ", basic auth "
              << (active.BasicAuth() ? std::to_string(active.config.users.size()) +
                                           (active.config.users.size() == 1 ? " user" : " users")
                                     : std::string("off"))
              << ")\n";
  }
  return status;
}

int Run(const Flags& flags) {
  Logger::Global().Configure(flags.log_level, flags.log_format);
  if (flags.config_check) return CheckConfig(flags);
  auto loaded = LoadConfigFile(flags.config_file, Environment::Real());
  if (!loaded.ok()) {
    WriteConfigErrors(loaded.error(), std::cerr);
    return kExitBadConfig;
  }
  auto web_config = LoadActiveWebConfig(flags.web_config_file);
  if (!web_config.ok()) {
    WriteConfigErrors(web_config.error(), std::cerr);
    return kExitBadConfig;
  }
  const Config config = std::move(loaded).value();
  RegisterSecrets(config, Logger::Global());
  LogConfigWarnings(config, Environment::Real());
  RaiseOpenFileLimit();

  WebOptions web_options;
  web_options.listen_addresses = flags.listen_addresses;
  web_options.telemetry_path = flags.telemetry_path;
  web_options.enable_lifecycle = flags.enable_lifecycle;
  web_options.limits.max_requests_in_flight = flags.max_requests;
  if (flags.systemd_socket) {
    auto sockets = TakeSystemdListenFds();
    if (!sockets.ok()) {
      LogError("cannot start the web server", {{"error", sockets.error().message}});
      return 1;
    }
    web_options.inherited_sockets = std::move(sockets).value();
  }

  // Signals are taken by sigwait below, so block them before any thread starts.
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t signals;
  sigemptyset(&signals);
  for (const int signal : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, signal);
  for (const int signal : kIgnoredSignals) sigaddset(&signals, signal);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  SelfMetrics self_metrics(kBuildVersion, kBuildRevision);
  self_metrics.OnConfigLoad(true, UnixNow());
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
  Reloader reloader(flags, config, poller, exposition, self_metrics);

  WebHandlers handlers;
  handlers.metrics = [&](bool accepts_gzip) { return exposition.Scrape(accepts_gzip); };
  handlers.readiness = [&] {
    std::string detail = "waiting for a first successful poll of";
    // From what /metrics serves, not from the pollers: ready means the data is there.
    const auto waiting = exposition.NotReady();
    for (std::size_t i = 0; i < waiting.size(); ++i) detail += (i == 0 ? " " : "; ") + waiting[i];
    return Readiness{waiting.empty(), detail};
  };
  handlers.landing_page = [&] {
    const LandingPageInfo info{kBuildVersion, kBuildRevision, flags.telemetry_path, UnixNow()};
    return RenderLandingPage(info, *poller.Current());
  };
  handlers.reload = [&] { return reloader.Reload("POST /-/reload"); };
  handlers.scrape_started = [&] { self_metrics.OnScrapeStarted(); };
  handlers.scrape_finished = [&](int status) { self_metrics.OnScrapeFinished(status); };
  handlers.web_config_reread = [&](bool applied) { reloader.WebConfigReread(applied); };
  MetricsServer server(std::move(web_options), std::move(handlers), std::move(web_config).value());
  reloader.SetServer(&server);
  if (auto error = server.Bind()) {
    LogError("cannot start the web server", {{"error", *error}});
    return 1;
  }
  server.Start();
  poller.Start();
  std::string listening;
  for (const auto& address : server.listening()) {
    listening += (listening.empty() ? "" : ",") + address;
  }
  LogInfo("datto-rmm-exporter started", {{"version", kBuildVersion},
                                         {"listening", listening},
                                         {"port", std::to_string(server.port())},
                                         {"web_config", flags.web_config_file},
                                         {"accounts", std::to_string(config.accounts.size())}});

  int signal_number = 0;
  while (true) {
    sigwait(&signals, &signal_number);
    if (signal_number == SIGTERM || signal_number == SIGINT) break;
    if (signal_number == SIGHUP) {
      reloader.Reload("SIGHUP");
    } else {
      LogWarn("ignoring a signal", {{"signal", "SIG" + std::string(sigabbrev_np(signal_number))}});
    }
  }
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
  drmm::KeepLargeBuffersOutOfTheHeaps();
  const auto parsed = drmm::ParseFlags(argc, argv);
  if (!parsed.ok()) {
    std::cerr << parsed.error().message << "\n"
              << "run with --help for usage\n";
    return drmm::kExitBadConfig;
  }
  const drmm::Flags& flags = parsed.value();
  if (flags.help) {
    std::cout << drmm::FlagsHelp();
    return 0;
  }
  if (flags.healthcheck) {
    std::string detail;
    const int status =
        drmm::ProbeHealth(flags.listen_addresses.front(), flags.web_config_file, &detail);
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
