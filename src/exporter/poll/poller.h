// All configured accounts, each polled by its own AccountPoller with its own transport, client
// and rate budget. Current() assembles the Snapshot that /metrics renders; Ready() backs
// /-/ready.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "datto/api_observer.h"
#include "datto/http_transport.h"
#include "exporter/collect/snapshot.h"
#include "exporter/config/config.h"
#include "exporter/poll/account_poller.h"

namespace drmm {

class Poller {
 public:
  using TransportFactory =
      std::function<std::unique_ptr<datto::HttpTransport>(const AccountConfig&)>;
  using ObserverFor = std::function<datto::ApiObserver&(const std::string& account)>;

  // Throws std::invalid_argument when a site filter does not compile (the config loader has
  // already validated them, so this only guards programming errors).
  Poller(const Config& config, const ObserverFor& observer_for, Clock& clock = SystemClock(),
         const TransportFactory& make_transport = DefaultTransport,
         const PollerTuning& tuning = {});
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void Start();
  void Stop();  // prompt: interrupts waits and in-flight requests

  std::shared_ptr<const Snapshot> Current() const;
  bool Ready() const { return NotReady().empty(); }
  // One entry per account still waiting for a first successful poll of some collector, as
  // "acme: devices, alerts"; empty when ready. Shown in /-/ready's 503 body.
  std::vector<std::string> NotReady() const;
  std::vector<std::unique_ptr<AccountPoller>>& accounts() { return accounts_; }

  static std::unique_ptr<datto::HttpTransport> DefaultTransport(const AccountConfig& account);

 private:
  std::vector<std::unique_ptr<datto::HttpTransport>> transports_;
  std::vector<std::unique_ptr<AccountPoller>> accounts_;
};

}  // namespace drmm
