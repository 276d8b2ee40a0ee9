// The bearer token of one account: a password grant against {base}/auth/oauth/token with the
// fixed public client pair, cached and renewed shortly before it expires. Concurrent callers
// share one token request. A 401 from the token endpoint means wrong credentials: it is
// remembered for a while so that a bad secret does not hammer the API (README "Authentication").
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/single_flight.h"
#include "datto/api_observer.h"
#include "datto/decode.h"
#include "datto/request_executor.h"
#include "datto/status.h"

namespace drmm::datto {

struct TokenOptions {
  std::string base_url;  // no trailing '/'
  std::string api_key;
  std::string api_secret;
  // Renew this long before expiry, or a quarter of the lifetime if that is less.
  std::chrono::seconds renew_margin{300};
  // After a credentials error, answer kCredentials without a request for this long
  // (rate_limit.auth_failure_backoff).
  std::chrono::seconds credentials_backoff{300};
};

// Assumed when a token response carries no expires_in (Datto always sends one).
inline constexpr std::chrono::seconds kDefaultTokenLifetime{3600};
// Shorter lifetimes are taken as this, so a bogus expires_in cannot cause a token request per call.
inline constexpr std::chrono::seconds kMinTokenLifetime{60};
// Longer lifetimes are taken as this. Datto's tokens live 100 hours; an expires_in of 1e10
// seconds would overflow the clock's nanoseconds (and did: a token request before every call,
// an expiry metric 200 years in the past). A token revoked early still gets its 401 and renewal.
inline constexpr std::chrono::seconds kMaxTokenLifetime{std::chrono::hours(24 * 30)};
// A renewal that fails while the old token is still valid is tried again after this, doubling
// with each failure in a row up to kMaxRenewalBackoff, so the calls in between use the old token
// instead of each sending a password grant of their own.
inline constexpr std::chrono::seconds kRenewalBackoff{30};
inline constexpr std::chrono::seconds kMaxRenewalBackoff{600};
// The last renewal attempt comes this long before expiry at the latest; if it fails too, the old
// token serves until it expires.
inline constexpr std::chrono::seconds kLastRenewalMargin{30};

class TokenProvider {
 public:
  // Registers the key and secret with the global Logger's redaction.
  TokenProvider(TokenOptions options, RequestExecutor& executor, ApiObserver& observer,
                Clock& clock);
  TokenProvider(const TokenProvider&) = delete;
  TokenProvider& operator=(const TokenProvider&) = delete;

  // The cached token, or a new one when there is none or it is due for renewal. If a renewal
  // fails while the old token is still valid, the old token is returned and the next renewal
  // waits out a back-off (kRenewalBackoff, doubling, never past expiry). Errors: kCredentials
  // (also, without a request, during the back-off after one), whatever the token request ended
  // with (kTransport, kServer, kBlocked, ...), kCancelled.
  Result<std::string> Get(const std::stop_token& stop);
  // Drops `token` after the API answered 401 to it, unless another thread already replaced it.
  void Invalidate(std::string_view token);
  // Expiry of the current token; nullopt before the first one.
  std::optional<WallTime> Expiry() const;
  // Callers waiting for another caller's token request (for tests of the single flight).
  int Waiters() const;

 private:
  // The token request itself; called without the lock held.
  Result<TokenResponse> Fetch(const std::stop_token& stop);

  const TokenOptions options_;
  RequestExecutor& executor_;
  ApiObserver& observer_;
  Clock& clock_;

  mutable std::mutex mutex_;
  SingleFlight fetch_;  // the token request; waiters then read token_ and last_fetch_
  std::optional<std::string> token_;
  SteadyTime renew_at_{};
  SteadyTime expires_at_{};
  std::optional<WallTime> expiry_wall_;
  std::optional<SteadyTime> credentials_rejected_until_;
  int renewal_failures_ = 0;  // renewals failed in a row while the old token was still valid
  Status last_fetch_;
};

}  // namespace drmm::datto
