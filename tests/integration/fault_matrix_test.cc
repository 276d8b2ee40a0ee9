// The fault matrix: the exporter polling the in-process simulator while one fault at a time
// hits it, from the simulator's own fault list (5xx bursts, resets, truncated JSON, a token
// revoked mid-walk, 429 storms, a 403 block, the API restarting) and from a small hostile mock
// for what the simulator cannot do (an endless chunked body, a body trickled byte by byte, a gzip
// bomb, a Retry-After of 999999999, a token with expires_in 1e10), plus a host that does not
// resolve. For each: scrapes keep being answered, the last good data stays intact, datto_rmm_up
// and the collector metrics say what happened, and the data is fresh again soon after the
// fault ends. Short intervals, deadlines and back-offs keep the whole file to seconds.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "sim_fixture.h"
#include "support/gzip_bomb.h"
#include "support/log_capture.h"
#include "support/wait_for.h"

namespace drmm::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Steady = std::chrono::steady_clock;
using CK = Collector;

constexpr milliseconds kInterval{500};
constexpr milliseconds kRequestTimeout{800};
constexpr milliseconds kWalkTimeout{1500};
constexpr milliseconds kMaxPause{1000};
// A scrape renders the current snapshot; it must never wait for a collector.
constexpr milliseconds kScrapeLimit{1000};
// Bounds of the waits below: they end as soon as their condition holds.
constexpr milliseconds kFaultLimit{8000};
// After a fault ends: one interval, plus a request or a pause that was under way when it ended,
// plus slack for a loaded machine under the sanitizers.
constexpr milliseconds kRecoveryLimit = kInterval + kWalkTimeout + milliseconds(2500);

const char* const kDevicesPath = "/api/v2/account/devices";
const char* const kTokenPath = "/auth/oauth/token";

// Sends every request to the current backend, and the requests of one diverted path to the
// hostile mock instead. The client keeps its configured origin throughout, so a restarted
// simulator on another port (advertising the first origin in its nextPageUrls) is the same API.
class RoutingTransport final : public datto::HttpTransport {
 public:
  RoutingTransport(std::unique_ptr<datto::HttpTransport> inner, std::string client_origin)
      : inner_(std::move(inner)), client_origin_(client_origin), backend_(client_origin) {}

  void SetBackend(std::string origin) {
    std::lock_guard lock(mutex_);
    backend_ = std::move(origin);
  }
  void Divert(std::string path_prefix, std::string origin) {
    std::lock_guard lock(mutex_);
    divert_prefix_ = std::move(path_prefix);
    divert_origin_ = std::move(origin);
  }
  void EndDivert() { Divert("", ""); }

  datto::HttpResponse Send(const datto::HttpRequest& request,
                           const std::stop_token& stop) override {
    datto::HttpRequest routed = request;
    if (request.url.starts_with(client_origin_)) {
      const std::string rest = request.url.substr(client_origin_.size());
      std::lock_guard lock(mutex_);
      const bool diverted = !divert_prefix_.empty() && rest.starts_with(divert_prefix_);
      routed.url = (diverted ? divert_origin_ : backend_) + rest;
    }
    return inner_->Send(routed, stop);
  }

 private:
  const std::unique_ptr<datto::HttpTransport> inner_;
  const std::string client_origin_;
  std::mutex mutex_;
  std::string backend_;
  std::string divert_prefix_;
  std::string divert_origin_;
};

// 64 MB of zeros in a little gzip.
const std::string& GzipBomb() {
  static const std::string kBomb = testing::MakeGzipBomb(64);
  return kBomb;
}

// What a broken or hostile API in the network path does that the simulator does not. Every
// endless answer ends by itself after a few seconds, or when the server stops.
class HostileMock {
 public:
  enum class Mode { kEndless, kTrickle, kBomb, kHugeRetryAfter, kHugeTokenLifetime };

  HostileMock(Mode mode, std::string simulator) : mode_(mode), simulator_(std::move(simulator)) {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { Serve(req, res); };
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    // One exchange per connection: an idle keep-alive connection would hold the server's stop
    // for its 5 s keep-alive timeout.
    server_.set_keep_alive_max_count(1);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~HostileMock() {
    stopping_ = true;
    server_.stop();
    thread_.join();
  }
  HostileMock(const HostileMock&) = delete;
  HostileMock& operator=(const HostileMock&) = delete;

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void Serve(const httplib::Request& req, httplib::Response& res) {
    const auto until = Steady::now() + seconds(8);
    switch (mode_) {
      case Mode::kEndless:
        res.set_chunked_content_provider("application/json",
                                         [this, until](std::size_t, httplib::DataSink& sink) {
                                           const std::string chunk(64 * 1024, ' ');
                                           if (!sink.write("{\"devices\":[", 12)) return false;
                                           while (!stopping_ && Steady::now() < until) {
                                             if (!sink.write(chunk.data(), chunk.size()))
                                               return false;
                                           }
                                           sink.done();
                                           return true;
                                         });
        return;
      case Mode::kTrickle:
        res.set_chunked_content_provider(
            "application/json", [this, until](std::size_t, httplib::DataSink& sink) {
              while (!stopping_ && Steady::now() < until && sink.is_writable()) {
                if (!sink.write("{", 1)) return false;
                std::this_thread::sleep_for(milliseconds(200));
              }
              sink.done();
              return true;
            });
        return;
      case Mode::kBomb:
        res.set_header("Content-Encoding", "gzip");
        res.set_content(GzipBomb(), "application/json");
        return;
      case Mode::kHugeRetryAfter:
        res.status = 429;
        res.set_header("Retry-After", "999999999");
        res.set_content("Too Many Requests", "text/plain");
        return;
      case Mode::kHugeTokenLifetime: {
        // A real token from the simulator, with a lifetime no clock can hold in nanoseconds.
        httplib::Client client(simulator_);
        client.set_read_timeout(seconds(5));
        const auto answer = client.Post(
            req.path, httplib::Headers{{"Authorization", req.get_header_value("Authorization")}},
            req.body, "application/x-www-form-urlencoded");
        if (!answer || answer->status != 200) {
          res.status = 502;
          return;
        }
        auto token = nlohmann::json::parse(answer->body);
        token["expires_in"] = 1e10;
        res.set_content(token.dump(), "application/json");
        return;
      }
    }
  }

  const Mode mode_;
  const std::string simulator_;
  std::atomic<bool> stopping_{false};
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

class FaultMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    options_ = SmallAccount();
    options_.sites = 12;
    options_.devices = 300;  // two pages of 250: a walk that can be cut in the middle
    options_.alerts = 60;
    options_.rate_limit = 100'000;  // the account's limit is not what these faults are about
    options_.block_duration = milliseconds(1000);
    simulator_ = std::make_unique<sim::Simulator>(options_);
    simulator_->Start();
    origin_ = simulator_->base_url();
    account_ = AccountFor(*simulator_, "acme");
    account_.connect_timeout = milliseconds(500);
    account_.read_timeout = kRequestTimeout;
    account_.request_timeout = kRequestTimeout;
    account_.walk_timeout = kWalkTimeout;
    account_.max_response_bytes = std::uint64_t{4} << 20;
    account_.max_staleness = seconds(60);  // last good data outlives every fault here
    account_.rate_limit.requests_per_minute = 600;
    account_.rate_limit.default_retry_after = milliseconds(500);
    account_.rate_limit.block_pause = milliseconds(1000);
    account_.rate_limit.max_pause = kMaxPause;
    account_.rate_limit.auth_failure_backoff = milliseconds(1000);
    for (auto& collector : account_.collectors) collector.interval = kInterval;
  }

  void TearDown() override {
    if (poller_) poller_->Stop();
  }

  void StartPoller() {
    Config config;
    config.accounts = {account_};
    poller_ = std::make_unique<Poller>(
        config,
        [this](const std::string& a) -> datto::ApiObserver& { return self_.ObserverFor(a); },
        SystemClock(),
        [this](const AccountConfig& account) -> std::unique_ptr<datto::HttpTransport> {
          auto routing = std::make_unique<RoutingTransport>(Poller::DefaultTransport(account),
                                                            account.base_url);
          router_ = routing.get();
          return routing;
        },
        FastRetries());
    poller_->Start();
  }

  // Starts polling and waits for every collector's first success; returns the data then served.
  std::vector<std::string> StartAndSettle() {
    StartPoller();
    EXPECT_TRUE(WaitFor([&] { return poller_->Ready(); }, kFaultLimit)) << "never ready";
    const auto data = SiteData(Scrape());
    EXPECT_FALSE(data.empty());
    return data;
  }

  // One scrape: the families /metrics would serve now, in bounded time.
  std::vector<prometheus::MetricFamily> Scrape() {
    const auto started = Steady::now();
    auto families = ServedFamilies(*poller_->Current());
    EXPECT_LT(Steady::now() - started, kScrapeLimit) << "a scrape waited for the poller";
    return families;
  }

  // Every per-site series, as "name{labels} value": what must survive a fault unchanged.
  static std::vector<std::string> SiteData(const std::vector<prometheus::MetricFamily>& families) {
    std::vector<std::string> out;
    for (const auto& family : families) {
      if (!family.name.starts_with("datto_rmm_site_")) continue;
      for (const auto& metric : family.metric) {
        std::string line = family.name + "{";
        for (const auto& label : metric.label) line += label.name + "=" + label.value + ",";
        out.push_back(line + "} " + std::to_string(metric.gauge.value));
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  static double Gauge(const std::vector<prometheus::MetricFamily>& families,
                      const std::string& name, LabelMap labels) {
    labels["account"] = "acme";
    return ValueOf(families, name, labels).value_or(-1);
  }
  static double Success(const std::vector<prometheus::MetricFamily>& families, CK collector) {
    return Gauge(families, "datto_rmm_collector_success",
                 {{"collector", std::string(NameOf(collector))}});
  }
  static double Up(const std::vector<prometheus::MetricFamily>& families) {
    return Gauge(families, "datto_rmm_up", {});
  }

  // Scrapes until `done` holds or `limit` passes, checking each time that the last good data
  // is still served as it was (unless `good` is null). Returns whether `done` held.
  bool ScrapeUntil(const std::vector<std::string>* good,
                   const std::function<bool(const std::vector<prometheus::MetricFamily>&)>& done,
                   milliseconds limit) {
    const auto until = Steady::now() + limit;
    while (Steady::now() < until) {
      const auto families = Scrape();
      if (good != nullptr) {
        EXPECT_EQ(SiteData(families), *good) << "the last good data changed during the fault";
      }
      if (done(families)) return true;
      std::this_thread::sleep_for(milliseconds(25));
    }
    return false;
  }

  // What every case ends with: after the fault is gone, every collector has succeeded again
  // within kRecoveryLimit, `up` is 1 and the data served is the simulator's. `good` is null when
  // the data may change (a restarted API is a new process).
  void ExpectRecovery(const std::vector<std::string>* good) {
    const auto ended = Steady::now();
    const double ended_unix = ToUnixSeconds(SystemClock().WallNow());
    const bool recovered = ScrapeUntil(
        good,
        [&](const auto& families) {
          if (Up(families) != 1) return false;
          for (const CK collector : kAllCollectors) {
            const LabelMap labels = {{"collector", std::string(NameOf(collector))}};
            if (Success(families, collector) != 1 ||
                Gauge(families, "datto_rmm_collector_last_success_timestamp_seconds", labels) <
                    ended_unix) {
              return false;
            }
          }
          return true;
        },
        kRecoveryLimit);
    EXPECT_TRUE(recovered) << "the collectors did not all succeed within " << kRecoveryLimit.count()
                           << " ms of the fault's end";
    if (recovered) {
      RecordProperty("recovery_ms",
                     static_cast<int>(
                         std::chrono::duration_cast<milliseconds>(Steady::now() - ended).count()));
    }
    ExpectMatchesGroundTruth(Scrape(), "acme", simulator_->GroundTruth(),
                             *FilterOf(account_.site_filter));
  }

  // A simulator fault on the devices walk until the collector has been seen failing with `up`
  // as expected, then cleared.
  void SimulatorFaultFailsDevicesThenRecovers(sim::FaultSpec fault, bool up_goes_down) {
    const auto good = StartAndSettle();
    fault.path_prefix = kDevicesPath;
    fault.count = 100'000;
    simulator_->InjectFault(fault);
    EXPECT_TRUE(ScrapeUntil(
        &good,
        [&](const auto& families) {
          return Success(families, CK::kDevices) == 0 && (!up_goes_down || Up(families) == 0);
        },
        kFaultLimit))
        << "the failure never showed in datto_rmm_collector_success"
        << (up_goes_down ? " and datto_rmm_up" : "");
    // The other collectors keep succeeding meanwhile.
    EXPECT_EQ(Success(Scrape(), CK::kAlerts), 1);
    simulator_->ClearFaults();
    ExpectRecovery(&good);
  }

  // The devices walk diverted to the hostile mock until the collector has been seen failing
  // (and, for a hang, running meanwhile), then back to the simulator.
  void HostileDevicesFailThenRecover(HostileMock::Mode mode, bool expect_running_seen) {
    if (mode == HostileMock::Mode::kBomb) GzipBomb();  // made before the clock starts
    HostileMock mock(mode, origin_);
    const auto good = StartAndSettle();
    bool running_seen = false;
    router_->Divert(kDevicesPath, mock.origin());
    const auto diverted = Steady::now();
    EXPECT_TRUE(ScrapeUntil(
        &good,
        [&](const auto& families) {
          const double since =
              Gauge(families, "datto_rmm_collector_running_since_timestamp_seconds",
                    {{"collector", "devices"}});
          running_seen |= since > 0 && Steady::now() - diverted > milliseconds(700);
          return Success(families, CK::kDevices) == 0;
        },
        kFaultLimit))
        << "the hostile answer never failed the devices collector";
    if (expect_running_seen) {
      EXPECT_TRUE(running_seen) << "a hung run did not show in running_since";
    }
    router_->EndDivert();
    ExpectRecovery(&good);
  }

  SelfMetrics self_{"test", "test"};
  sim::SimulatorOptions options_;
  std::unique_ptr<sim::Simulator> simulator_;
  std::string origin_;
  AccountConfig account_;
  RoutingTransport* router_ = nullptr;  // owned by the poller's account runtime
  std::unique_ptr<Poller> poller_;
};

TEST_F(FaultMatrix, ServerErrorBurst) {
  sim::FaultSpec fault;
  fault.kind = sim::FaultKind::kServerError;
  fault.status = 503;
  SimulatorFaultFailsDevicesThenRecovers(fault, /*up_goes_down=*/true);
}

TEST_F(FaultMatrix, ConnectionResets) {
  sim::FaultSpec fault;
  fault.kind = sim::FaultKind::kDropConnection;
  SimulatorFaultFailsDevicesThenRecovers(fault, /*up_goes_down=*/true);
}

TEST_F(FaultMatrix, TruncatedJson) {
  sim::FaultSpec fault;
  fault.kind = sim::FaultKind::kTruncatedJson;
  SimulatorFaultFailsDevicesThenRecovers(fault, /*up_goes_down=*/false);
}

TEST_F(FaultMatrix, RateLimitStorm) {
  sim::FaultSpec fault;
  fault.kind = sim::FaultKind::kRateLimit;
  fault.retry_after_seconds = 1;
  SimulatorFaultFailsDevicesThenRecovers(fault, /*up_goes_down=*/true);
}

TEST_F(FaultMatrix, TokenRevokedMidWalkCostsNothingButOneToken) {
  const auto good = StartAndSettle();
  simulator_->ResetRequestLog();
  sim::FaultSpec fault;
  fault.kind = sim::FaultKind::kRevokeToken;
  fault.after_pages = 1;
  fault.path_prefix = kDevicesPath;
  simulator_->InjectFault(fault);
  // Nothing fails: the next 401 is answered by one new token, the walk goes on.
  EXPECT_FALSE(ScrapeUntil(
      &good,
      [&](const auto& families) {
        return Success(families, CK::kDevices) == 0 || Up(families) == 0;
      },
      4 * kInterval))
      << "a revoked token failed a collector";
  EXPECT_EQ(CountRequests(*simulator_, kTokenPath), 1);
  ExpectRecovery(&good);
}

TEST_F(FaultMatrix, BlockedThenUnblocked) {
  const auto good = StartAndSettle();
  sim::FaultSpec fault;
  fault.kind = sim::FaultKind::kBlock;
  fault.path_prefix = kDevicesPath;
  simulator_->InjectFault(fault);
  EXPECT_TRUE(ScrapeUntil(
      &good,
      [&](const auto& families) {
        return Success(families, CK::kDevices) == 0 && Up(families) == 0 &&
               ValueOf(self_.registry()->Collect(), "datto_rmm_api_blocked",
                       {{"account", "acme"}}) == 1;
      },
      kFaultLimit))
      << "the block never showed";
  // The block (1 s in the simulator, block_pause 1 s here) ends by itself.
  ExpectRecovery(&good);
}

TEST_F(FaultMatrix, ApiRestart) {
  const auto good = StartAndSettle();
  simulator_->Stop();
  EXPECT_TRUE(ScrapeUntil(
      &good, [&](const auto& families) { return Up(families) == 0; }, kFaultLimit))
      << "a stopped API did not show in datto_rmm_up";
  // The same account, back on another port; its tokens died with the old process.
  auto options = options_;
  options.advertised_url = origin_;
  simulator_ = std::make_unique<sim::Simulator>(options);
  simulator_->Start();
  router_->SetBackend(simulator_->base_url());
  ExpectRecovery(nullptr);
}

TEST_F(FaultMatrix, EndlessChunkedBody) {
  HostileDevicesFailThenRecover(HostileMock::Mode::kEndless, /*expect_running_seen=*/false);
}

TEST_F(FaultMatrix, BodyTrickledAByteAtATime) {
  HostileDevicesFailThenRecover(HostileMock::Mode::kTrickle, /*expect_running_seen=*/true);
}

TEST_F(FaultMatrix, GzipBomb) {
  HostileDevicesFailThenRecover(HostileMock::Mode::kBomb, /*expect_running_seen=*/false);
}

TEST_F(FaultMatrix, HugeRetryAfterPausesForMaxPauseOnly) {
  // Without rate_limit.max_pause (1.5 s here) the account stayed silent for an hour.
  HostileDevicesFailThenRecover(HostileMock::Mode::kHugeRetryAfter,
                                /*expect_running_seen=*/false);
}

TEST_F(FaultMatrix, TokenLifetimeOf1e10SecondsIsCapped) {
  HostileMock mock(HostileMock::Mode::kHugeTokenLifetime, origin_);
  // Diverted before the first token request: every token comes from the mock.
  StartPoller();
  router_->Divert(kTokenPath, mock.origin());
  ASSERT_TRUE(WaitFor([&] { return poller_->Ready(); }, kFaultLimit));
  const auto good = SiteData(Scrape());
  // Several rounds of every collector on the one token; before the cap the overflowed expiry
  // sent a token request before every call.
  const int api_calls_before = CountRequests(*simulator_, kDevicesPath);
  std::this_thread::sleep_for(4 * kInterval);
  EXPECT_GE(CountRequests(*simulator_, kDevicesPath), api_calls_before + 2);
  EXPECT_EQ(CountRequests(*simulator_, kTokenPath), 1);
  const auto families = Scrape();
  EXPECT_EQ(SiteData(families), good);
  const double now = ToUnixSeconds(SystemClock().WallNow());
  const double expiry = Gauge(families, "datto_rmm_auth_token_expiry_timestamp_seconds", {});
  EXPECT_GT(expiry, now);
  EXPECT_LE(expiry, now + 31 * 86400.0) << "the expiry metric must read as a date, capped";
  EXPECT_EQ(Up(families), 1);
}

TEST(FaultMatrixHost, AHostThatDoesNotResolveIsNamedAndScrapesGoOn) {
  LogCapture log;
  SelfMetrics self{"test", "test"};
  AccountConfig account;
  account.name = "acme";
  account.base_url = "http://no-such-host.invalid";
  account.api_key = "demo-key";
  account.api_secret = "demo-secret";
  account.connect_timeout = milliseconds(500);
  account.request_timeout = kRequestTimeout;
  account.walk_timeout = kWalkTimeout;
  for (auto& collector : account.collectors) collector.interval = kInterval;
  Config config;
  config.accounts = {account};
  Poller poller(
      config, [&](const std::string& a) -> datto::ApiObserver& { return self.ObserverFor(a); },
      SystemClock(), Poller::DefaultTransport, FastRetries());
  poller.Start();
  const bool reported = WaitFor(
      [&] {
        const auto started = Steady::now();
        const auto families = ServedFamilies(*poller.Current());
        EXPECT_LT(Steady::now() - started, kScrapeLimit);
        // A duration exists once a run has ended: success and up are 0 before that too.
        return ValueOf(families, "datto_rmm_collector_duration_seconds",
                       {{"account", "acme"}, {"collector", "rate_status"}})
                   .has_value() &&
               ValueOf(families, "datto_rmm_collector_success",
                       {{"account", "acme"}, {"collector", "rate_status"}}) == 0 &&
               ValueOf(families, "datto_rmm_up", {{"account", "acme"}}) == 0;
      },
      kFaultLimit);
  poller.Stop();
  EXPECT_TRUE(reported);
  bool named = false;
  for (const auto& line : log.lines()) {
    named |= line.find("cannot resolve host no-such-host.invalid") != std::string::npos;
  }
  std::string lines;
  for (const auto& line : log.lines()) lines += line + "\n";
  EXPECT_TRUE(named) << "no log line names the host that does not resolve:\n" << lines;
}

}  // namespace
}  // namespace drmm::testing
