// sim_bench: the simulator at benchmark scale (100,000 devices in 2,000 sites, 20,000 open
// alerts by default). Prints generation time, the time to render a device page in-process, and
// full walks of the device list over loopback with a keep-alive client (pages/s, MB/s), plus
// peak RSS. Prints figures only; never asserts on time (shared, noisy machines).
#include <httplib.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

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
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::string_view name, int& out) {
      if (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=') {
        out = std::stoi(std::string(arg.substr(name.size() + 1)));
        return true;
      }
      return false;
    };
    if (!value("--sites", a.sites) && !value("--devices", a.devices) &&
        !value("--alerts", a.alerts) && !value("--walks", a.walks)) {
      std::fprintf(stderr, "usage: sim_bench [--sites=N] [--devices=N] [--alerts=N] [--walks=N]\n");
      std::exit(2);
    }
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

  for (int walk = 0; walk < args.walks; ++walk) {
    std::string target = "/api/v2/account/devices";
    int pages = 0;
    std::size_t bytes = 0, devices = 0;
    start = Clock::now();
    while (!target.empty() && pages < 10'000) {
      const auto reply = client.Get(target, {{"Authorization", bearer}});
      if (!reply || reply->status != 200) {
        std::fprintf(stderr, "page %d failed\n", pages);
        return 1;
      }
      ++pages;
      bytes += reply->body.size();
      // Only pageDetails (the head of the body) is decoded: the figures are the simulator's.
      const std::string& body = reply->body;
      const auto head_end = body.find("},\"devices\":");
      const auto details = nlohmann::json::parse(body.substr(15, head_end - 14));
      devices += details["count"].get<std::size_t>();
      const auto& next = details["nextPageUrl"];
      target = next.is_string() ? next.get<std::string>().substr(sim.base_url().size()) : "";
    }
    const double s = Seconds(Clock::now() - start);
    std::printf(
        "walk %d over HTTP: %d pages, %zu devices, %.1f MB in "
        "%.2f s: %.0f pages/s, %.0f MB/s\n",
        walk + 1, pages, devices, static_cast<double>(bytes) / 1e6, s, pages / s,
        static_cast<double>(bytes) / s / 1e6);
  }
  std::printf("peak RSS: %.0f MB\n", PeakRssMb());
  sim.Stop();
  return 0;
}
