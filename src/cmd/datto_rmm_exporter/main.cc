// datto-rmm-exporter: wires flags, config, poller, metrics and the web server together, and
// turns signals into actions (SIGTERM/SIGINT stop, SIGHUP reloads, others are logged and
// ignored). No logic lives here; see README.md for the picture.
#include <sys/resource.h>
#include <zlib.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <tuple>
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
#include "exporter/metrics/process_metrics.h"
#include "exporter/metrics/self_metrics.h"
#include "exporter/metrics/snapshot_collectable.h"
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

// Signals that would end the process by default but mean nothing to an exporter: logged and
// ignored. (SIGPIPE is ignored outright: a scraper hanging up mid-response is routine.)
constexpr int kIgnoredSignals[] = {SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGPOLL};

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

// gzip of `text` at the fastest level. Stands in until the exposition hands the server
// pre-compressed pieces.
std::string Gzip(std::string_view text) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("gzip: deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(text.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("gzip: deflate did not finish");
  return out;
}

// Whether two loaded configs poll the same accounts the same way. Stands in for Poller::Apply
// (being written on main), which replaces ApplyAccounts below.
bool SameAccounts(const Config& a, const Config& b) {
  static_assert(sizeof(AccountConfig) == 464,
                "AccountConfig changed: compare the new fields in SameAccounts, or replace "
                "ApplyAccounts with Poller::Apply");
  const auto same = [](const AccountConfig& x, const AccountConfig& y) {
    const auto fields = [](const AccountConfig& c) {
      return std::tie(
          c.name, c.platform, c.base_url, c.api_key, c.api_secret, c.ca_file, c.connect_timeout,
          c.read_timeout, c.max_staleness, c.rate_limit.requests_per_minute,
          c.rate_limit.default_retry_after, c.rate_limit.block_pause, c.sites.enabled,
          c.sites.interval, c.devices.enabled, c.devices.interval, c.alerts.enabled,
          c.alerts.interval, c.rate_status.enabled, c.rate_status.interval, c.site_filter.include,
          c.site_filter.exclude, c.site_filter.deleted_devices, c.site_filter.on_demand,
          c.device_metrics.enabled, c.device_metrics.categories, c.device_metrics.max_devices);
    };
    return fields(x) == fields(y);
  };
  return std::equal(a.accounts.begin(), a.accounts.end(), b.accounts.begin(), b.accounts.end(),
                    same);
}

// Hands a reloaded configuration's accounts to the poller. Unfinished on this branch: only a
// reload that leaves the accounts as they run applies; Poller::Apply (accounts added, removed
// or changed, each keeping its budget state and last good data) takes over here.
bool ApplyAccounts(Poller& /*poller*/, const Config& running, const Config& next,
                   std::string* error) {
  if (SameAccounts(running, next)) return true;
  *error = "applying account changes needs Poller::Apply";
  return false;
}

// SIGHUP and POST /-/reload: re-read both files, apply both or neither.
class Reloader {
 public:
  Reloader(const Flags& flags, Config running, Poller& poller, SelfMetrics& self_metrics)
      : flags_(flags), running_(std::move(running)), poller_(poller), self_metrics_(self_metrics) {}

  void SetServer(MetricsServer* server) { server_ = server; }

  // "" when the reload applied; otherwise what went wrong (already logged and counted).
  std::string Reload(std::string_view trigger) {
    std::lock_guard lock(mutex_);
    std::vector<ConfigError> errors;
    auto config = LoadConfigFile(flags_.config_file, Environment::Real());
    if (auto* config_errors = std::get_if<std::vector<ConfigError>>(&config)) {
      errors = std::move(*config_errors);
    } else {
      RegisterSecrets(std::get<Config>(config), Logger::Global());
    }
    auto web = LoadActiveWebConfig(flags_.web_config_file);
    if (auto* web_errors = std::get_if<std::vector<ConfigError>>(&web)) {
      errors.insert(errors.end(), web_errors->begin(), web_errors->end());
    }
    std::string error = JoinErrors(errors);
    // Both files load: the accounts go to the poller, which may still refuse them.
    if (error.empty()) ApplyAccounts(poller_, running_, std::get<Config>(config), &error);
    if (!error.empty()) {
      files_ok_ = false;
      self_metrics_.OnConfigLoad(false, UnixNow());
      LogError("reloading the configuration failed; the running configuration stays",
               {{"trigger", std::string(trigger)}, {"error", error}});
      return error;
    }
    if (server_ != nullptr) {
      server_->ApplyWebConfig(std::get<std::shared_ptr<const ActiveWebConfig>>(std::move(web)));
    }
    running_ = std::get<Config>(std::move(config));
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
  SelfMetrics& self_metrics_;
  MetricsServer* server_ = nullptr;
};

int CheckConfig(const Flags& flags) {
  int status = RunConfigCheck(flags.config_file, Environment::Real(), std::cout, std::cerr);
  if (!flags.web_config_file.empty()) {
    auto web = LoadActiveWebConfig(flags.web_config_file);
    if (auto* errors = std::get_if<std::vector<ConfigError>>(&web)) {
      WriteConfigErrors(*errors, std::cerr);
      return kExitBadConfig;
    }
    const auto& active = *std::get<std::shared_ptr<const ActiveWebConfig>>(web);
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
  if (auto* errors = std::get_if<std::vector<ConfigError>>(&loaded)) {
    WriteConfigErrors(*errors, std::cerr);
    return kExitBadConfig;
  }
  auto web_config = LoadActiveWebConfig(flags.web_config_file);
  if (auto* errors = std::get_if<std::vector<ConfigError>>(&web_config)) {
    WriteConfigErrors(*errors, std::cerr);
    return kExitBadConfig;
  }
  const Config config = std::get<Config>(std::move(loaded));
  RegisterSecrets(config, Logger::Global());
  RaiseOpenFileLimit();

  WebOptions web_options;
  web_options.listen_addresses = flags.listen_addresses;
  web_options.telemetry_path = flags.telemetry_path;
  web_options.enable_lifecycle = flags.enable_lifecycle;
  web_options.limits.max_requests_in_flight = flags.max_requests;
  if (flags.systemd_socket) {
    auto sockets = TakeSystemdListenFds();
    if (auto* error = std::get_if<std::string>(&sockets)) {
      LogError("cannot start the web server", {{"error", *error}});
      return 1;
    }
    web_options.inherited_sockets = std::get<std::vector<int>>(std::move(sockets));
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
  auto snapshot_metrics =
      std::make_shared<SnapshotCollectable>([&poller] { return poller.Current(); });
  auto process_metrics = std::make_shared<ProcessCollectable>();
  const std::vector<std::shared_ptr<prometheus::Collectable>> collectables = {
      snapshot_metrics, self_metrics.registry(), process_metrics};
  Reloader reloader(flags, config, poller, self_metrics);

  WebHandlers handlers;
  handlers.metrics = [&](bool accepts_gzip) {
    MetricsResponse response;
    std::string text = RenderTextFormat(collectables);
    response.gzip = accepts_gzip;
    response.body.AppendOwned(accepts_gzip ? Gzip(text) : std::move(text));
    return response;
  };
  handlers.readiness = [&] {
    std::string detail = "waiting for a first successful poll of";
    const auto waiting = poller.NotReady();
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
  MetricsServer server(std::move(web_options), std::move(handlers),
                       std::get<std::shared_ptr<const ActiveWebConfig>>(std::move(web_config)));
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
