// The Datto RMM REST API v2 client for one account: token, page walks, retries, all requests
// through the account's RequestGate. Thread-safe: the collectors of one account share it.
// Facts it relies on are in ../shared/datto-api/README.md (summarised where they matter).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "datto/api.h"
#include "datto/api_observer.h"
#include "datto/decode.h"
#include "datto/http_transport.h"
#include "datto/model.h"
#include "datto/request_gate.h"
#include "datto/retry_policy.h"  // RetryOptions
#include "datto/status.h"

namespace drmm::datto {

struct ClientOptions {
  std::string base_url;  // "https://merlot-api.centrastage.net" or an override; no trailing /
  std::string api_key;
  std::string api_secret;
  RetryOptions retry;
  int max_pages = 2000;  // per walk; 2000 x 250 = 500,000 items, far above any real account
  // Pages of a sites or devices walk fetched at once once the first page says how many there
  // are (1: one after another). Every request still passes the account's rate gate.
  int pages_in_flight = 1;
  // A whole walk, token and page size included; past it the walk fails.
  std::chrono::milliseconds walk_timeout{std::chrono::minutes(15)};
  // Renew the token this long before it expires, or a quarter of its lifetime if that is less.
  std::chrono::seconds token_renew_margin{300};
  // A 401 from the token endpoint means wrong credentials: do not ask again for this long.
  std::chrono::seconds credentials_backoff{300};
  std::uint64_t jitter_seed = 0;  // 0: seeded from the clock
  // Fields every page decode reads beyond the common ones (warranty, Autotask, UDFs).
  DecodeOptions decode;
};

class DattoClient final : public Api {
 public:
  DattoClient(ClientOptions options, HttpTransport& transport, RequestGate& gate,
              ApiObserver& observer, Clock& clock);
  ~DattoClient() override;
  DattoClient(const DattoClient&) = delete;
  DattoClient& operator=(const DattoClient&) = delete;

  // Page walks over the account-wide lists. Each page's items go to `sink` as they arrive (so
  // a 100,000-device walk never holds more than one page); items whose uid was already seen in
  // this walk are dropped, and a page of nothing but such items ends the walk as a repeat (as
  // does a repeated page URL, or more pages than totalCount allows, with some slack). A walk
  // either completes or returns an error: callers discard the partial fold on error.
  Status ForEachSite(const PageSink<Site>& sink, const std::stop_token& stop) override;
  Status ForEachDevice(const PageSink<Device>& sink, const std::stop_token& stop) override;
  Status ForEachOpenAlert(const PageSink<Alert>& sink, const std::stop_token& stop) override;

  Result<RateStatus> GetRateStatus(const std::stop_token& stop) override;
  Result<Account> GetAccount(const std::stop_token& stop);
  // The page size from /system/pagination, fetched once and cached.
  Result<std::int64_t> GetPageSize(const std::stop_token& stop);

  // When the cached token expires; nullopt before the first successful authentication.
  std::optional<WallTime> TokenExpiry() const override;
  // Response fields of an unexpected type seen so far (each was treated as absent).
  std::int64_t DecodeWarnings() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace drmm::datto
