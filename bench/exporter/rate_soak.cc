// rate_soak: the exporter against the simulator with Datto's full-size window (60 s, 600
// requests per account) for a bounded time, with other consumers taking part of the account's
// budget and intervals set too short for the budget on purpose. Prints the highest window usage
// the simulator saw, ours and the whole account's, and the 429s and 403s. Exits 1 when our
// usage exceeded our budget, the account went over its cut-off or any request was refused (not
// a timing assertion: a budget is a count). With --replicas=2, two exporters poll the one
// account (an HA pair) and "ours" is both together. scripts/soak.sh runs it; CI calls that with
// a bounded duration.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "bench_account.h"
#include "bench_args.h"
#include "exporter/metrics/self_metrics.h"
#include "exporter/poll/budget.h"
#include "exporter/poll/poller.h"
#include "sim/simulator.h"

namespace drmm {
namespace {

int Main(int argc, char** argv) {
  const auto args = bench::ParseArgs(
      argc, argv,
      {{"duration", "3m"},
       {"sites", "300"},
       {"devices", "20000"},
       {"alerts", "3000"},
       {"others-rpm", "250"},
       {"budget-rpm", "300"},
       {"interval", "10s"},
       {"replicas", "1"}},
      "rate_soak [--duration=3m] [--sites=N] [--devices=N] [--alerts=N] [--others-rpm=N] "
      "[--budget-rpm=N] [--interval=10s] [--replicas=1]");
  const auto duration = bench::DurationArg(args, "duration");
  const int others = bench::IntArg(args, "others-rpm");
  const int budget = bench::IntArg(args, "budget-rpm");
  const int replicas = bench::IntArg(args, "replicas");
  if (replicas < 1 || replicas > 4) {
    std::fprintf(stderr, "rate_soak: --replicas=%d is out of range (1..4)\n", replicas);
    return 2;
  }

  sim::SimulatorOptions options;
  options.port = 0;
  options.sites = bench::IntArg(args, "sites");
  options.devices = bench::IntArg(args, "devices");
  options.alerts = bench::IntArg(args, "alerts");
  options.churn_per_minute = 60;  // the account moves while it is polled
  options.rate_limit = 600;
  options.rate_window = std::chrono::seconds(60);
  options.other_consumers_rpm = others;
  sim::Simulator simulator(options);
  simulator.Start();

  AccountConfig account = bench::AccountOn(simulator, "soak", budget);
  for (auto& collector : account.collectors) {
    collector.interval = bench::DurationArg(args, "interval");
  }
  // One exporter each: its own metrics, budget, client and token, as two processes would have.
  std::vector<std::unique_ptr<SelfMetrics>> selves;
  std::vector<std::unique_ptr<Poller>> pollers;
  for (int i = 0; i < replicas; ++i) {
    selves.push_back(std::make_unique<SelfMetrics>("soak", "soak"));
    pollers.push_back(bench::PollerOf(account, *selves.back()));
  }
  std::printf(
      "soak: %s with a 60 s window of 600; others %d/min; %d exporter(s) with a budget of "
      "%d/min each; every collector configured at %s\n",
      args.at("duration").c_str(), others, replicas, budget, args.at("interval").c_str());
  std::fflush(stdout);
  for (auto& poller : pollers) poller->Start();
  const auto started = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - started < duration) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  const auto snapshot = pollers.front()->Current();
  std::vector<double> final_budgets;
  for (auto& poller : pollers) {
    final_budgets.push_back(
        poller->Current()->accounts.front().budget_requests_per_minute.value_or(0));
    poller->Stop();
  }

  const auto log = simulator.RequestLog();
  std::vector<double> times;
  int refused = 0;
  for (const auto& r : log.at("requests")) {
    times.push_back(r.at("t").get<double>());
    const int status = r.at("status");
    if (status == 429 || status == 403) ++refused;
  }
  std::sort(times.begin(), times.end());
  // Windows that end after two minutes have our budget adapted to the others for a whole
  // window: those must stay within what the arithmetic allows.
  int ours_max = 0;
  int ours_max_steady = -1;
  // The whole account's busiest window as the simulator's rate limiter counted it (ours and
  // the others', which fill the window from the simulator's start).
  const auto account_max = log.at("peak_account_window").get<int>();
  std::size_t first = 0;
  for (std::size_t last = 0; last < times.size(); ++last) {
    while (times[first] <= times[last] - 60.0) ++first;
    const int ours = static_cast<int>(last - first + 1);
    ours_max = std::max(ours_max, ours);
    if (times[last] >= 120.0) ours_max_steady = std::max(ours_max_steady, ours);
  }
  // What the account leaves all of our replicas together below its cut-off.
  AccountUsage usage;
  usage.account_requests_in_window = others;
  const int own_total = budget * replicas;
  const int allowed = std::min(own_total, static_cast<int>(AccountRoom(usage)));
  const auto& a = snapshot->accounts.front();
  std::printf("requests sent:                      %zu\n", times.size());
  std::printf("highest 60 s window, exporter(s):   %d (own budgets %d)\n", ours_max, own_total);
  if (ours_max_steady >= 0) {
    std::printf(
        "  once the others run at full rate: %d (allowed %d = cut-off 540 - headroom 30 - "
        "others %d)\n",
        ours_max_steady, allowed, others);
  }
  std::printf("highest 60 s window, whole account: %d of 600 (cut-off 540; simulator's count)\n",
              account_max);
  std::printf("429 and 403 answers:                %d\n", refused);
  std::printf("planned/budget ratio:               %.2f\n",
              a.poll_budget_utilization_ratio.value_or(0));
  for (std::size_t i = 0; i < final_budgets.size(); ++i) {
    std::printf("exporter %zu budget at the end:      %.1f/min\n", i + 1, final_budgets[i]);
  }
  for (const auto& c : a.collectors) {
    std::printf("collector %-12s last run %s\n", c.name.c_str(), c.last_success ? "ok" : "FAILED");
  }
  const bool within =
      ours_max <= own_total && ours_max_steady <= allowed && account_max <= 540 && refused == 0;
  std::printf("%s\n", within ? "OK: the budget held" : "FAIL: the budget was exceeded");
  return within ? 0 : 1;
}

}  // namespace
}  // namespace drmm

int main(int argc, char** argv) { return drmm::Main(argc, argv); }
