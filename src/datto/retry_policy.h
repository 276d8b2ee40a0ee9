// The pure decisions of the request loop: how long to back off before retry n, what a
// Retry-After header asks for, and what an HTTP status means for the caller. Kept apart from
// the loop itself so each rule is tested on plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>

#include "common/clock.h"

namespace drmm::datto {

struct RetryOptions {
  int max_attempts = 4;  // per request, the first try included
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  double jitter = 0.2;  // +-20% of each back-off, so several exporters do not retry in step
};

// The wait before retry number `retry` (1 = the first retry): initial_backoff * 2^(retry-1),
// capped at max_backoff, then scaled by 1 + jitter * (2 * unit_random - 1), unit_random in
// [0, 1). So the result lies in [d * (1 - jitter), d * (1 + jitter)) for the capped d.
Duration BackoffDelay(const RetryOptions& options, int retry, double unit_random);

// Uniform numbers in [0, 1) for the jitter, from one seeded engine shared by all threads.
class JitterSource {
 public:
  explicit JitterSource(std::uint64_t seed);  // 0: seeded from the clock
  JitterSource(const JitterSource&) = delete;
  JitterSource& operator=(const JitterSource&) = delete;

  double Next();

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_;
};

// The longest Retry-After the parser returns: anything longer (999999999 seconds, the year
// 9999) reads as this, so the arithmetic on it cannot overflow. The pause actually taken is
// capped much lower, by rate_limit.max_pause (GovernorOptions::max_pause).
inline constexpr std::chrono::hours kRetryAfterCeiling{24 * 366};
// rate_limit.max_pause when the config does not set it.
inline constexpr std::chrono::hours kDefaultMaxPause{1};

// Retry-After as delta-seconds ("120") or an HTTP-date (IMF-fixdate, RFC 850 or asctime form,
// RFC 9110 10.2.3). A date in the past gives zero; longer than kRetryAfterCeiling gives that.
// nullopt when empty or unreadable.
std::optional<Duration> ParseRetryAfter(std::string_view value, WallTime now);

// Whether a 403 body mentions a rate limit or a block (Datto's rule for telling an IP block from
// a missing permission): a phrase such as "rate limit", "too many requests" or "request limit",
// or a word starting with "block", in any case and with any punctuation between the words.
// "limited permissions" alone is a permission message.
bool BodyMentionsRateLimit(std::string_view body);

enum class Verdict {
  kSuccess,       // 2xx
  kTransport,     // no response: retry
  kServer,        // 5xx: retry
  kRateLimited,   // 429: tell the gate, retry after its pause
  kUnauthorized,  // 401
  kForbidden,     // 403: a block or a missing permission, see BodyMentionsRateLimit
  kOther,         // any other status: not retried
};

Verdict ClassifyStatus(int status);

}  // namespace drmm::datto
