// requests_per_cycle: what one poll of a whole account costs the shared rate budget, next to
// the minimum possible and to the per-site walk that naive integrations do. Runs the exporter's
// real poller against the in-process simulator (default: 2,000 sites, 100,000 devices, 20,000
// open alerts) and counts the requests in the simulator's log. Prints figures; asserts nothing
// about time.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stop_token>

#include "bench_account.h"
#include "bench_args.h"
#include "exporter/metrics/self_metrics.h"
#include "exporter/poll/poller.h"
#include "sim/simulator.h"

namespace drmm {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::int64_t Pages(std::int64_t items, std::int64_t page) {
  return std::max<std::int64_t>(1, (items + page - 1) / page);
}

// The naive integration: list the sites, then for every site its devices and its open alerts,
// page by page. Returns the number of requests it made.
int PerSiteWalk(const sim::Simulator& simulator, const std::string& token) {
  httplib::Client client("127.0.0.1", simulator.port());
  client.set_keep_alive(true);
  const httplib::Headers auth{{"Authorization", "Bearer " + token}};
  int requests = 0;
  auto walk = [&](std::string path, auto&& each_item) {
    for (int page = 0;; ++page) {
      auto res = client.Get(path + "?max=250&page=" + std::to_string(page), auth);
      ++requests;
      if (!res || res->status != 200) return;
      const auto body = nlohmann::json::parse(res->body);
      for (const auto& [key, value] : body.items()) {
        if (value.is_array()) {
          for (const auto& item : value) each_item(item);
        }
      }
      if (body.at("pageDetails").at("nextPageUrl").is_null()) return;
    }
  };
  std::vector<std::string> site_uids;
  walk("/api/v2/account/sites",
       [&](const nlohmann::json& site) { site_uids.push_back(site.at("uid")); });
  for (const auto& uid : site_uids) {
    walk("/api/v2/site/" + uid + "/devices", [](const nlohmann::json&) {});
    walk("/api/v2/site/" + uid + "/alerts/open", [](const nlohmann::json&) {});
  }
  return requests;
}

std::string TokenFor(const sim::Simulator& simulator) {
  httplib::Client client("127.0.0.1", simulator.port());
  client.set_basic_auth("public-client", "public");
  auto res =
      client.Post("/auth/oauth/token", "grant_type=password&username=demo-key&password=demo-secret",
                  "application/x-www-form-urlencoded");
  return nlohmann::json::parse(res->body).at("access_token");
}

int Main(int argc, char** argv) {
  const auto args =
      bench::ParseArgs(argc, argv, {{"sites", "2000"}, {"devices", "100000"}, {"alerts", "20000"}},
                       "requests_per_cycle [--sites=N] [--devices=N] [--alerts=N]");
  sim::SimulatorOptions options;
  options.port = 0;
  options.sites = bench::IntArg(args, "sites");
  options.devices = bench::IntArg(args, "devices");
  options.alerts = bench::IntArg(args, "alerts");
  options.churn_per_minute = 0;
  options.rate_limit = 1'000'000;  // measure the walk, not the limiter
  sim::Simulator simulator(options);
  simulator.Start();

  SelfMetrics self("bench", "bench");
  const auto poller = bench::PollerOf(bench::AccountOn(simulator, "bench", 600), self);
  auto& poll = *poller->accounts().front()->poller;
  std::stop_source stop;
  // Warm up: the token and the page size are fetched once per process lifetime, not per cycle.
  poll.RunOnce(Collector::kRateStatus, stop.get_token());
  poll.RunOnce(Collector::kSites, stop.get_token());
  simulator.ResetRequestLog();

  const auto truth = simulator.GroundTruth();
  const std::int64_t page = truth.at("page_size");
  const std::int64_t alerts_page = truth.at("alerts_page_size");
  std::int64_t devices = 0;
  std::int64_t naive_pages = Pages(static_cast<std::int64_t>(truth.at("sites").size()), page);
  for (const auto& site : truth.at("sites")) {
    const std::int64_t site_devices = site.at("devices_total");
    std::int64_t site_alerts = 0;
    // Open alerts by muted ("true"/"false"), then by priority.
    for (const auto& [muted, by_priority] : site.at("alerts_open").items()) {
      for (const auto& [priority, n] : by_priority.items()) site_alerts += n.get<int>();
    }
    devices += site_devices;
    naive_pages += Pages(site_devices, page) + Pages(site_alerts, alerts_page);
  }
  const auto sites = static_cast<std::int64_t>(truth.at("sites").size());
  const std::int64_t alerts = truth.at("totals").at("open_alerts");

  std::printf("account: %lld sites, %lld devices, %lld open alerts (page size %lld, alerts %lld)\n",
              static_cast<long long>(sites), static_cast<long long>(devices),
              static_cast<long long>(alerts), static_cast<long long>(page),
              static_cast<long long>(alerts_page));
  std::printf("%-12s %9s %9s %12s\n", "collector", "requests", "minimum", "seconds");
  int total = 0;
  const std::pair<Collector, std::int64_t> plan[] = {
      {Collector::kSites, Pages(sites, page)},
      {Collector::kDevices, Pages(devices, page)},
      {Collector::kAlerts, Pages(alerts, alerts_page)}};
  for (const auto& [kind, minimum] : plan) {
    const int before = static_cast<int>(simulator.RequestLog().at("total").get<int>());
    const auto started = SteadyClock::now();
    const bool ok = poll.RunOnce(kind, stop.get_token());
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
    const int made = simulator.RequestLog().at("total").get<int>() - before;
    total += made;
    std::printf("%-12s %9d %9lld %12.2f%s\n", std::string(NameOf(kind)).c_str(), made,
                static_cast<long long>(minimum), seconds, ok ? "" : "  (FAILED)");
  }
  const std::int64_t minimum =
      Pages(sites, page) + Pages(devices, page) + Pages(alerts, alerts_page);
  std::printf("\nrequests per full poll:   exporter %d\n", total);
  std::printf(
      "minimum possible:         ceil(sites/%lld) + ceil(devices/%lld) + ceil(alerts/%lld) "
      "= %lld\n",
      static_cast<long long>(page), static_cast<long long>(page),
      static_cast<long long>(alerts_page), static_cast<long long>(minimum));
  std::printf("per-site walk (computed): %lld\n", static_cast<long long>(naive_pages));

  simulator.ResetRequestLog();
  const auto naive_started = SteadyClock::now();
  const int naive = PerSiteWalk(simulator, TokenFor(simulator));
  const double naive_seconds =
      std::chrono::duration<double>(SteadyClock::now() - naive_started).count();
  std::printf("per-site walk (measured): %d requests in %.1f s, %.1fx the exporter's\n", naive,
              naive_seconds, static_cast<double>(naive) / std::max(1, total));
  std::printf(
      "at 600 requests/min for the whole account, one per-site poll uses %.1f minutes of "
      "budget; the exporter's uses %.1f\n",
      naive / 600.0, total / 600.0);
  std::printf("peak RSS (simulator and exporter in one process): %.0f MiB\n", bench::PeakRssMiB());
  return total == minimum ? 0 : 1;
}

}  // namespace
}  // namespace drmm

int main(int argc, char** argv) { return drmm::Main(argc, argv); }
