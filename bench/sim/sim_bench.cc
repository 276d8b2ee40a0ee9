// sim_bench: the simulator at benchmark scale (100,000 devices in 2,000 sites, 20,000 open
// alerts by default). Prints generation time, the time to render a device page in-process,
// full walks of the device list over loopback with a keep-alive client (pages/s, MB/s), one
// full poll (sites, devices, open alerts) while the account churns, and peak RSS. Prints figures
// only; never asserts on time (shared, noisy machines).
#include <httplib.h>
#include <sys/resource.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/command_line.h"
#include "sim/flags.h"
#include "sim/service.h"
#include "sim/simulator.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

struct Args {
  int sites = 2000;
  int devices = 100'000;
  int alerts = 20'000;
  int walks = 3;
};

Args ParseArgs(int argc, char** argv) {
  static constexpr std::array<drmm::FlagShape, 4> kFlags = {
      {{"--sites", ""}, {"--devices", ""}, {"--alerts", ""}, {"--walks", ""}}};
  const auto split = drmm::SplitFlags(drmm::ArgumentsOf(argc, argv), kFlags);
  if (!split.ok()) {
    std::fprintf(stderr,
                 "%s\nusage: sim_bench [--sites=N] [--devices=N] [--alerts=N] [--walks=N]\n",
                 split.error().message.c_str());
    std::exit(2);
  }
  Args a;
  std::array<int*, 4> targets = {&a.sites, &a.devices, &a.alerts, &a.walks};
  for (const drmm::FlagArgument& argument : split.value()) {
    *targets.at(argument.flag) = std::stoi(std::string(argument.value));
  }
  return a;
}

drmm::sim::SimulatorOptions Options(const Args& a) {
  drmm::sim::SimulatorOptions o;
  o.port = 0;
  o.sites = a.sites;
  o.devices = a.devices;
  o.alerts = a.alerts;
  o.churn_per_minute = 0;
  o.rate_limit = 1'000'000;  // the benchmark measures serving, not the budget
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  std::printf("account: %d sites, %d devices, %d open alerts\n", args.sites, args.devices,
              args.alerts);

  // In-process rendering, no sockets: the cost of one device page.
  {
    auto start = Clock::now();
    drmm::sim::Service service(Options(args), drmm::SystemClock());
    std::printf("generation (service): %.2f s\n", Seconds(Clock::now() - start));
    drmm::sim::SimRequest token;
    token.method = "POST";
    token.path = "/auth/oauth/token";
    token.headers = {{"Authorization", "Basic cHVibGljLWNsaWVudDpwdWJsaWM="}};
    token.body = "grant_type=password&username=demo-key&password=demo-secret";
    const auto grant = nlohmann::json::parse(service.Handle(token).body);
    drmm::sim::SimRequest page;
    page.method = "GET";
    page.path = "/api/v2/account/devices";
    page.headers = {{"Authorization", "Bearer " + grant["access_token"].get<std::string>()}};
    const int pages = (args.devices + 249) / 250;
    std::size_t bytes = 0;
    start = Clock::now();
    for (int p = 0; p < pages; ++p) {
      page.query = "page=" + std::to_string(p);
      bytes += service.Handle(page).body.size();
    }
    const double s = Seconds(Clock::now() - start);
    std::printf(
        "render in-process: %d device pages in %.2f s: %.0f pages/s, %.0f MB/s, "
        "%.2f ms/page, %.1f KB/device\n",
        pages, s, pages / s, static_cast<double>(bytes) / s / 1e6, 1000 * s / pages,
        static_cast<double>(bytes) / args.devices / 1000);
  }

  auto start = Clock::now();
  drmm::sim::Simulator sim(Options(args));
  const double generation = Seconds(Clock::now() - start);
  const int port = sim.Start();
  std::printf("generation (simulator): %.2f s\n", generation);

  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  client.set_read_timeout(30, 0);
  const auto token_reply =
      client.Post("/auth/oauth/token", {{"Authorization", "Basic cHVibGljLWNsaWVudDpwdWJsaWM="}},
                  "grant_type=password&username=demo-key&password=demo-secret",
                  "application/x-www-form-urlencoded");
  if (!token_reply || token_reply->status != 200) {
    std::fprintf(stderr, "token request failed\n");
    return 1;
  }
  const std::string bearer =
      "Bearer " + nlohmann::json::parse(token_reply->body)["access_token"].get<std::string>();

  // One walk of a list, following nextPageUrl; only pageDetails (the head of each body) is
  // decoded, so the figures are the simulator's.
  struct WalkFigures {
    int pages = 0;
    std::size_t items = 0;
    std::size_t bytes = 0;
    double seconds = 0;
  };
  auto walk_list = [&](const std::string& path, const std::string& key) -> WalkFigures {
    WalkFigures f;
    std::string target = path;
    const std::string list_start = "},\"" + key + "\":";
    const auto walk_start = Clock::now();
    while (!target.empty() && f.pages < 10'000) {
      const auto reply = client.Get(target, {{"Authorization", bearer}});
      if (!reply || reply->status != 200) {
        std::fprintf(stderr, "%s page %d failed\n", path.c_str(), f.pages);
        std::exit(1);
      }
      ++f.pages;
      f.bytes += reply->body.size();
      const std::string& body = reply->body;
      const auto head_end = body.find(list_start);
      const auto details = nlohmann::json::parse(body.substr(15, head_end - 14));
      f.items += details["count"].get<std::size_t>();
      const auto& next = details["nextPageUrl"];
      target = next.is_string() ? next.get<std::string>().substr(sim.base_url().size()) : "";
    }
    f.seconds = Seconds(Clock::now() - walk_start);
    return f;
  };

  for (int walk = 0; walk < args.walks; ++walk) {
    const WalkFigures f = walk_list("/api/v2/account/devices", "devices");
    std::printf(
        "walk %d over HTTP: %d pages, %zu devices, %.1f MB in "
        "%.2f s: %.0f pages/s, %.0f MB/s\n",
        walk + 1, f.pages, f.items, static_cast<double>(f.bytes) / 1e6, f.seconds,
        f.pages / f.seconds, static_cast<double>(f.bytes) / f.seconds / 1e6);
  }

  // What one poll of the exporter asks for (sites, devices, open alerts) while the account
  // churns 200 times faster than the default 30/min, so the cost of churn is in the figures.
  const auto churn =
      client.Put("/__sim/settings", R"({"churn_per_minute": 6000})", "application/json");
  if (!churn || churn->status != 200) {
    std::fprintf(stderr, "setting churn failed\n");
    return 1;
  }
  WalkFigures poll;
  for (const auto& [path, key] : {std::pair{"/api/v2/account/sites", "sites"},
                                  std::pair{"/api/v2/account/devices", "devices"},
                                  std::pair{"/api/v2/account/alerts/open", "alerts"}}) {
    const WalkFigures f = walk_list(path, key);
    std::printf("  %-28s %4d pages, %6zu items in %.2f s: %.0f pages/s\n", path, f.pages, f.items,
                f.seconds, f.pages / f.seconds);
    poll.pages += f.pages;
    poll.bytes += f.bytes;
    poll.seconds += f.seconds;
  }
  std::printf("full poll over HTTP, churn at 6,000 events/min: %d pages in %.2f s: %.0f pages/s\n",
              poll.pages, poll.seconds, poll.pages / poll.seconds);
  std::printf("peak RSS: %.0f MB\n", PeakRssMb());
  sim.Stop();
  return 0;
}
