// walk_latency: how long a device walk takes when Datto is slow to produce each page, one page
// at a time against several in flight. The exporter's real poller against the in-process
// simulator with every device page held back by --delay (default 500 ms), at the size issue 12
// measured (400 sites, 20,000 devices: 80 pages). For each pages_in_flight it prints the walk's
// time, its requests (they must stay exactly the pages), and the most of its requests the
// simulator saw in any 60 s window (they must stay within the budget). Asserts nothing about
// time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <vector>

#include "bench_account.h"
#include "bench_args.h"
#include "exporter/metrics/self_metrics.h"
#include "exporter/poll/poller.h"
#include "sim/simulator.h"

namespace drmm {
namespace {

int MostInAnyWindow(std::vector<double> times, double window) {
  std::sort(times.begin(), times.end());
  int most = 0;
  std::size_t first = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    while (times[i] - times[first] >= window) ++first;
    most = std::max(most, static_cast<int>(i - first + 1));
  }
  return most;
}

int Main(int argc, char** argv) {
  const auto args = bench::ParseArgs(
      argc, argv,
      {{"sites", "400"},
       {"devices", "20000"},
       {"delay", "500ms"},
       {"budget", "300"},
       {"in_flight", "1,4,8"}},
      "walk_latency [--sites=N] [--devices=N] [--delay=D] [--budget=N] [--in_flight=1,4,8]");
  std::vector<int> in_flight;
  for (std::size_t start = 0; start < args.at("in_flight").size();) {
    const auto comma = args.at("in_flight").find(',', start);
    in_flight.push_back(std::atoi(args.at("in_flight").substr(start, comma - start).c_str()));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  const int devices = bench::IntArg(args, "devices");
  const int pages = (devices + 249) / 250;
  std::printf("device walk of %d devices (%d pages), each page held back %s, budget %d/min\n",
              devices, pages, args.at("delay").c_str(), bench::IntArg(args, "budget"));
  std::printf("%-16s %10s %10s %22s\n", "pages_in_flight", "seconds", "requests",
              "most in any 60 s");
  double sequential = 0;
  for (const int pages_in_flight : in_flight) {
    sim::SimulatorOptions options;
    options.port = 0;
    options.sites = bench::IntArg(args, "sites");
    options.devices = devices;
    options.alerts = 10;
    options.churn_per_minute = 0;
    sim::Simulator simulator(options);
    simulator.Start();

    AccountConfig account = bench::AccountOn(simulator, "walk", bench::IntArg(args, "budget"));
    account.pages_in_flight = pages_in_flight;
    SelfMetrics self("bench", "bench");
    const auto poller = bench::PollerOf(account, self);
    auto& poll = *poller->accounts().front()->poller;
    std::stop_source stop;
    poll.RunOnce(Collector::kRateStatus, stop.get_token());  // token, budget: warm

    sim::FaultSpec slow;
    slow.kind = sim::FaultKind::kSlow;
    slow.delay = bench::DurationArg(args, "delay");
    slow.count = 1'000'000;
    slow.path_prefix = "/api/v2/account/devices";
    simulator.InjectFault(slow);
    simulator.ResetRequestLog();
    const auto started = std::chrono::steady_clock::now();
    const bool ok = poll.RunOnce(Collector::kDevices, stop.get_token());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const auto log = simulator.RequestLog();
    std::vector<double> times;
    for (const auto& entry : log.at("requests")) times.push_back(entry.at("t").get<double>());
    const int requests = log.at("by_path").value("/api/v2/account/devices", 0);
    if (pages_in_flight == 1) sequential = seconds;
    std::printf("%-16d %10.1f %10d %22d%s%s\n", pages_in_flight, seconds, requests,
                MostInAnyWindow(times, 60.0), ok ? "" : "  (walk FAILED)",
                sequential > 0 && pages_in_flight > 1
                    ? ("  " + std::to_string(static_cast<int>(100 * seconds / sequential)) +
                       "% of one at a time")
                          .c_str()
                    : "");
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace drmm

int main(int argc, char** argv) { return drmm::Main(argc, argv); }
