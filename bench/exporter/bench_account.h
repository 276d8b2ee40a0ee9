// The exporter's side of a benchmark against the simulator: an account on the simulator's
// origin with its demo credentials, and a Poller for it that counts into its own self metrics.
#pragma once

#include <memory>
#include <string>

#include "exporter/config/config.h"
#include "exporter/metrics/self_metrics.h"
#include "exporter/poll/poller.h"
#include "sim/simulator.h"

namespace drmm::bench {

// `name` polling `simulator` (the simulator's default credentials) within requests_per_minute.
inline AccountConfig AccountOn(const sim::Simulator& simulator, std::string name,
                               int requests_per_minute) {
  AccountConfig account;
  account.name = std::move(name);
  account.base_url = simulator.base_url();
  account.api_key = "demo-key";
  account.api_secret = "demo-secret";
  account.rate_limit.requests_per_minute = requests_per_minute;
  return account;
}

// A Poller of the one `account`, its API observer in `self`.
inline std::unique_ptr<Poller> PollerOf(const AccountConfig& account, SelfMetrics& self) {
  Config config;
  config.accounts = {account};
  return std::make_unique<Poller>(
      config, [&self](const std::string& a) -> datto::ApiObserver& { return self.ObserverFor(a); });
}

}  // namespace drmm::bench
