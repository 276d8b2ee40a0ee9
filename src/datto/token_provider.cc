#include "datto/token_provider.h"

#include <algorithm>
#include <utility>

#include "common/log.h"
#include "common/url.h"
#include "datto/endpoints.h"

namespace drmm::datto {
namespace {

// base64("public-client:public"): the fixed OAuth client every Datto API user authenticates as.
constexpr std::string_view kBasicClientAuth = "Basic cHVibGljLWNsaWVudDpwdWJsaWM=";

// Spring's OAuth server answers a wrong password grant with 400 invalid_grant, where Datto's
// documented answer is 401; both mean the same to the user.
bool IsInvalidGrant(const HttpResponse& response) {
  return response.status == 400 && response.body.find("invalid_grant") != std::string::npos;
}

// The wait before the next renewal after `failures_before` earlier failures in a row, with
// `left` until the current token expires: kRenewalBackoff doubling up to kMaxRenewalBackoff,
// shortened so that one more try comes kLastRenewalMargin before expiry; once that one has
// failed too, the rest of the lifetime (the old token serves, the next call after expiry fetches).
Duration RenewalBackoff(int failures_before, Duration left) {
  const int exponent = std::clamp(failures_before, 0, 20);
  const Duration backoff =
      std::min<Duration>(kRenewalBackoff * (std::int64_t{1} << exponent), kMaxRenewalBackoff);
  const Duration until_last_try = left - kLastRenewalMargin;
  if (until_last_try <= Duration::zero()) return left;
  return std::min(backoff, until_last_try);
}

}  // namespace

TokenProvider::TokenProvider(TokenOptions options, RequestExecutor& executor, ApiObserver& observer,
                             Clock& clock)
    : options_(std::move(options)), executor_(executor), observer_(observer), clock_(clock) {
  auto& logger = Logger::Global();
  logger.AddSecret(options_.api_key);
  logger.AddSecret(options_.api_secret);
  logger.AddSecret(UrlEncode(options_.api_key));
  logger.AddSecret(UrlEncode(options_.api_secret));
}

Result<TokenResponse> TokenProvider::Fetch(const std::stop_token& stop) {
  const std::string body = "grant_type=password&username=" + UrlEncode(options_.api_key) +
                           "&password=" + UrlEncode(options_.api_secret);
  auto build = [&]() -> Result<HttpRequest> {
    return HttpRequest{"POST",
                       options_.base_url + std::string(endpoint::kToken),
                       {{"Authorization", std::string(kBasicClientAuth)},
                        {"Content-Type", "application/x-www-form-urlencoded"},
                        {"Accept", "application/json"}},
                       body};
  };
  std::optional<TokenResponse> token;
  auto accept = [&](const HttpResponse& response) -> Status {
    DecodeContext context;
    auto decoded = DecodeTokenResponse(response.body, context);
    if (!decoded.ok()) return decoded.status();
    // Registered before anything else can log it.
    Logger::Global().AddSecret(decoded->access_token, Logger::SecretLifetime::kRenewable);
    token = std::move(decoded).value();
    return Status::Ok();
  };
  CallOptions call;
  call.endpoint = endpoint::kToken;
  call.priority = RequestPriority::kAuth;
  call.unauthorized_kind = ErrorKind::kCredentials;
  call.log_success_body = false;
  HttpResponse last;
  Status status = executor_.Execute(call, build, accept, stop, &last);
  if (status.ok()) return std::move(*token);
  if (status.kind() == ErrorKind::kHttp && IsInvalidGrant(last)) {
    return Status(ErrorKind::kCredentials,
                  std::string(endpoint::kToken) + ": HTTP 400 invalid_grant");
  }
  return status;
}

Result<std::string> TokenProvider::Get(const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  while (true) {
    const SteadyTime now = clock_.Now();
    if (credentials_rejected_until_ && now < *credentials_rejected_until_) {
      const auto left =
          std::chrono::ceil<std::chrono::seconds>(*credentials_rejected_until_ - now).count();
      return Status(ErrorKind::kCredentials,
                    "the token endpoint rejected the API key or secret; next try in " +
                        std::to_string(left) + "s");
    }
    if (token_ && now < renew_at_) return *token_;
    if (!fetch_.InFlight()) break;
    // Another caller is fetching: share its result instead of sending a second request.
    if (!fetch_.AwaitFinish(lock, stop)) {
      return Status(ErrorKind::kCancelled, "cancelled while waiting for a token");
    }
    if (last_fetch_.ok() || last_fetch_.kind() == ErrorKind::kCancelled) continue;
    if (last_fetch_.kind() == ErrorKind::kCredentials) continue;  // answered by the back-off
    if (token_ && clock_.Now() < expires_at_) return *token_;
    return last_fetch_;
  }

  fetch_.Start();
  const SteadyTime sent_at = clock_.Now();
  const WallTime sent_at_wall = clock_.WallNow();
  lock.unlock();
  Result<TokenResponse> fetched = Fetch(stop);
  lock.lock();
  fetch_.Finish();  // the waiters run once the lock is released, after last_fetch_ is set below

  if (!fetched.ok()) {
    last_fetch_ = fetched.status();
    if (fetched.status().kind() == ErrorKind::kCredentials) {
      token_.reset();
      credentials_rejected_until_ = clock_.Now() + options_.credentials_backoff;
      return fetched.status();
    }
    const SteadyTime now = clock_.Now();
    if (fetched.status().kind() != ErrorKind::kCancelled && token_ && now < expires_at_) {
      // Without a back-off every call in the renewal window would send another password grant
      // (with its retries) for as long as the token endpoint keeps failing.
      const Duration delay = RenewalBackoff(renewal_failures_++, expires_at_ - now);
      renew_at_ = now + delay;
      LogWarn("token renewal failed; using the current token",
              {{"error", fetched.status().message()},
               {"next_try_in_seconds",
                std::to_string(std::chrono::ceil<std::chrono::seconds>(delay).count())}});
      return *token_;
    }
    return fetched.status();
  }

  const TokenResponse& response = fetched.value();
  // Clamped as seconds, before anything converts it to the clock's finer units.
  const std::chrono::seconds lifetime =
      response.expires_in
          ? std::chrono::seconds(std::clamp<std::int64_t>(
                *response.expires_in, kMinTokenLifetime.count(), kMaxTokenLifetime.count()))
          : kDefaultTokenLifetime;
  const auto margin = std::min<Duration>(options_.renew_margin, lifetime / 4);
  token_ = response.access_token;
  expires_at_ = sent_at + lifetime;
  renew_at_ = expires_at_ - margin;
  expiry_wall_ = sent_at_wall + std::chrono::duration_cast<WallTime::duration>(lifetime);
  credentials_rejected_until_.reset();
  renewal_failures_ = 0;
  last_fetch_ = Status::Ok();
  const WallTime expiry = *expiry_wall_;
  std::string token = *token_;
  lock.unlock();
  observer_.OnTokenIssued(expiry);
  return token;
}

void TokenProvider::Invalidate(std::string_view token) {
  std::lock_guard lock(mutex_);
  if (token_ && *token_ == token) token_.reset();
}

std::optional<WallTime> TokenProvider::Expiry() const {
  std::lock_guard lock(mutex_);
  return expiry_wall_;
}

int TokenProvider::Waiters() const {
  std::lock_guard lock(mutex_);
  return fetch_.Waiters();
}

}  // namespace drmm::datto
