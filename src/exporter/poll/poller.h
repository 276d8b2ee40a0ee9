// All configured accounts. Each runs on its own AccountRuntime: a transport, the account's rate
// budget, the API client and the AccountPoller that polls it. Apply() takes a reloaded config:
// accounts added start, accounts removed stop, and an account whose identity (name, API host,
// API key) is unchanged keeps its rate budget and its last good data while its new settings
// take effect.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "datto/api_observer.h"
#include "datto/datto_client.h"
#include "datto/http_transport.h"
#include "exporter/collect/snapshot.h"
#include "exporter/config/config.h"
#include "exporter/poll/account_budget.h"
#include "exporter/poll/account_poller.h"

namespace drmm {

// Settings that are not the user's business: tests shorten the back-off so retries run in
// milliseconds.
struct PollerTuning {
  datto::RetryOptions retry;
};

// Everything that talks to one Datto account. Never changed once published: a reload builds a
// new runtime that shares the transport, budget and client it keeps, so readers holding the old
// one (a scrape, the landing page) stay safe. The poller is declared last, so its threads stop
// before the parts it uses can go.
struct AccountRuntime {
  AccountConfig config;
  std::shared_ptr<datto::HttpTransport> transport;
  std::shared_ptr<AccountBudget> budget;
  std::shared_ptr<datto::DattoClient> client;
  std::unique_ptr<AccountPoller> poller;
};

class Poller {
 public:
  using TransportFactory =
      std::function<std::unique_ptr<datto::HttpTransport>(const AccountConfig&)>;
  using ObserverFor = std::function<datto::ApiObserver&(const std::string& account)>;

  // What Apply() did, by account name.
  struct Changes {
    std::vector<std::string> added;
    std::vector<std::string> removed;
    std::vector<std::string> changed;   // same account, new settings: budget and data kept
    std::vector<std::string> replaced;  // same name, another API host or key: started afresh
  };

  // Throws std::invalid_argument when a site filter does not compile (the config loader has
  // already validated them, so this only guards programming errors).
  Poller(const Config& config, ObserverFor observer_for, Clock& clock = SystemClock(),
         TransportFactory make_transport = DefaultTransport, PollerTuning tuning = {});
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void Start();
  void Stop();  // prompt: interrupts waits and in-flight requests

  // Takes a reloaded config (already validated). Safe while scrapes read the accounts.
  Changes Apply(const Config& config);

  // Called with the account's name whenever an account's state changed, from its collector
  // threads. Set before Start(); it carries over to accounts Apply() adds.
  void SetOnChange(std::function<void(const std::string& account)> on_change);

  std::shared_ptr<const Snapshot> Current() const;
  bool Ready() const { return NotReady().empty(); }
  // One entry per account still waiting for a first successful poll of some collector, as
  // "acme: devices, alerts"; empty when ready. Shown in /-/ready's 503 body.
  std::vector<std::string> NotReady() const;
  // The accounts now, in config order; each stays valid as long as its shared_ptr is held.
  std::vector<std::shared_ptr<AccountRuntime>> accounts() const;

  static std::unique_ptr<datto::HttpTransport> DefaultTransport(const AccountConfig& account);

 private:
  // A runtime for `config`, reusing what `kept` has that the new settings allow (nullptr: all
  // new). Its poller is not started.
  std::shared_ptr<AccountRuntime> MakeRuntime(const AccountConfig& config,
                                              const AccountRuntime* kept) const;

  const ObserverFor observer_for_;
  Clock& clock_;
  const TransportFactory make_transport_;
  const PollerTuning tuning_;

  mutable std::mutex mutex_;  // guards the members below
  std::vector<std::shared_ptr<AccountRuntime>> accounts_;
  std::function<void(const std::string&)> on_change_;
  bool started_ = false;
};

}  // namespace drmm
