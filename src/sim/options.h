// The simulator's settings: one typed field per datto-rmm-sim flag, with the flags' defaults
// (flags.h parses the command line into this; tests fill it in directly).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "sim/faults.h"
#include "sim/time_format.h"

namespace drmm::sim {

struct SimulatorOptions {
  int port = 8780;  // 0: any free port
  std::string api_key = "demo-key";
  std::string api_secret = "demo-secret";

  // The generated account (ignored when scenario_file is set, except seed and online_ratio,
  // which fill in what the scenario leaves out).
  std::uint64_t seed = 1;
  int sites = 20;  // including "Deleted Devices" and the on-demand sites
  int devices = 400;
  int alerts = 60;
  double online_ratio = 0.85;
  std::string scenario_file;

  std::chrono::milliseconds token_lifetime{std::chrono::hours(100)};
  int page_max = 250;         // default and cap of `max` (sites, devices)
  int alerts_page_max = 250;  // the same for open alerts

  int rate_limit = 600;  // requests per window, for the whole account
  std::chrono::milliseconds rate_window{std::chrono::seconds(60)};
  double cutoff_ratio = 0.9;  // above this share of the limit every response is delayed
  std::chrono::milliseconds throttle_delay{std::chrono::seconds(1)};
  std::chrono::milliseconds block_duration{std::chrono::minutes(5)};
  int block_after = 10;  // requests during a 429's Retry-After that start a block
  // Other integrations of the same account, in requests per minute of a 60 s window (scaled
  // with the window: per window length).
  double other_consumers_rpm = 0;

  double churn_per_minute = 30;  // 0 freezes the account
  TimestampFormat device_timestamps = TimestampFormat::kEpochMillis;
  std::string advertised_url;  // origin used in nextPageUrl; empty: http://127.0.0.1:<port>
  std::vector<FaultSpec> faults;
  // HTTP worker threads. Each keep-alive connection holds one until it has been idle for a
  // second, and a request on a connection beyond them waits that long: keep at least the
  // client's requests in flight (the exporter: pages_in_flight per page walk, three walks, plus
  // the rate status and token calls: 20 at the defaults).
  int threads = 32;
};

// Why `options` cannot run (naming the flag, e.g. "--page-max must be >= 1"); nullopt when fine.
std::optional<Error> ValidateOptions(const SimulatorOptions& options);

}  // namespace drmm::sim
