#include "datto/request_executor.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include "common/log.h"

namespace drmm::datto {
namespace {

constexpr std::size_t kMaxExcerpt = 200;

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

// At most 200 characters of a body, on one line, for a log field.
std::string Excerpt(std::string_view body) {
  std::string out(body.substr(0, kMaxExcerpt));
  std::replace_if(
      out.begin(), out.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  return out;
}

// "/api/v2/account/devices: HTTP 503"
std::string HttpStatusMessage(std::string_view endpoint, std::string_view status_text) {
  std::string message(endpoint);
  message += ": HTTP ";
  message += status_text;
  return message;
}

std::string AttemptText(int attempt, int max_attempts) {
  return std::to_string(attempt) + "/" + std::to_string(max_attempts);
}

}  // namespace

RequestExecutor::RequestExecutor(HttpTransport& transport, RequestGate& gate, ApiObserver& observer,
                                 Clock& clock, RetryOptions retry, std::uint64_t jitter_seed)
    : transport_(transport),
      gate_(gate),
      observer_(observer),
      clock_(clock),
      retry_(retry),
      jitter_(jitter_seed) {}

bool RequestExecutor::PassGate(RequestPriority priority, const std::stop_token& stop) {
  const SteadyTime start = clock_.Now();
  if (!gate_.Acquire(priority, stop)) return false;
  const Duration waited = clock_.Now() - start;
  if (waited > Duration::zero()) observer_.OnThrottleWait(Seconds(waited));
  // The gate let a request through, so any block it enforced is over.
  if (block_reported_.exchange(false)) observer_.OnBlocked(false);
  return true;
}

HttpResponse RequestExecutor::Send(const HttpRequest& request, std::string_view endpoint,
                                   const std::stop_token& stop) {
  const SteadyTime start = clock_.Now();
  // A read may take up to the read timeout; shutdown must not wait for it: the transport ends
  // this one exchange when `stop` is requested.
  HttpResponse response = transport_.Send(request, stop);
  gate_.Answered();
  if (response.status == 0 && response.transport_error.empty())
    response.transport_error = "unknown";
  const std::string code = response.status == 0 ? "error" : std::to_string(response.status);
  observer_.OnRequest(endpoint, code, Seconds(clock_.Now() - start));
  return response;
}

Status RequestExecutor::Execute(const CallOptions& call, const Build& build, const Accept& accept,
                                const std::stop_token& stop, HttpResponse* last_response) {
  const int max_attempts = std::max(1, retry_.max_attempts);
  const std::string endpoint(call.endpoint);
  auto cancelled = [&] { return Status(ErrorKind::kCancelled, "cancelled during " + endpoint); };
  bool reauthenticated = false;
  int attempt = 0;
  while (true) {
    if (stop.stop_requested()) return cancelled();
    ++attempt;
    Result<HttpRequest> request = build();
    if (!request.ok()) return request.status();
    if (!PassGate(call.priority, stop)) return cancelled();
    HttpResponse response = Send(request.value(), call.endpoint, stop);
    if (stop.stop_requested()) return cancelled();

    const std::string status_text = std::to_string(response.status);
    // error: httplib's name for a transport failure, the decoder's complaint, or the kind.
    auto warn = [&](std::string_view message, std::string_view error, bool quote_body) {
      const std::string status = response.status == 0 ? "none" : status_text;
      const std::string attempt_text = AttemptText(attempt, max_attempts);
      if (quote_body && !response.body.empty()) {
        LogWarn(message, {{"endpoint", endpoint},
                          {"status", status},
                          {"attempt", attempt_text},
                          {"error", std::string(error)},
                          {"body", Excerpt(response.body)}});
      } else {
        LogWarn(message, {{"endpoint", endpoint},
                          {"status", status},
                          {"attempt", attempt_text},
                          {"error", std::string(error)}});
      }
    };

    Status failure;
    std::string_view retry_reason;
    switch (ClassifyStatus(response.status)) {
      case Verdict::kSuccess: {
        Status accepted = accept(response);
        if (accepted.ok()) return accepted;
        observer_.OnDecodeError(call.endpoint);
        warn("datto api response not understood", accepted.message(), call.log_success_body);
        failure = Status(ErrorKind::kDecode, endpoint + ": " + accepted.message(),
                         accepted.persistence());
        retry_reason = "decode";
        break;
      }
      case Verdict::kTransport:
        warn("datto api request failed", response.transport_error, false);
        failure = Status(ErrorKind::kTransport,
                         endpoint + ": no response (" + response.transport_error + ")");
        retry_reason = "transport";
        break;
      case Verdict::kServer:
        warn("datto api server error", ErrorKindName(ErrorKind::kServer), true);
        failure = Status(ErrorKind::kServer, HttpStatusMessage(endpoint, status_text));
        retry_reason = "server_error";
        break;
      case Verdict::kRateLimited: {
        const auto retry_after = ParseRetryAfter(response.Header("Retry-After"), clock_.WallNow());
        warn("datto api rate limited", ErrorKindName(ErrorKind::kRateLimited), true);
        gate_.OnRateLimited(retry_after);
        observer_.OnRateLimited();
        failure = Status(ErrorKind::kRateLimited, endpoint + ": HTTP 429");
        retry_reason = "rate_limited";
        break;
      }
      case Verdict::kUnauthorized:
        warn("datto api unauthorized", ErrorKindName(call.unauthorized_kind), true);
        if (call.on_unauthorized && !reauthenticated) {
          reauthenticated = true;
          call.on_unauthorized();
          observer_.OnRetry("unauthorized");
          --attempt;  // the one re-authentication is allowed on top of the attempts
          continue;
        }
        if (last_response != nullptr) *last_response = std::move(response);
        return {call.unauthorized_kind, endpoint + ": HTTP 401"};
      case Verdict::kForbidden: {
        const std::string retry_after_text = response.Header("Retry-After");
        const bool block = gate_.RecentlyRateLimited() || !retry_after_text.empty() ||
                           BodyMentionsRateLimit(response.body);
        warn(block ? "datto api blocked the account" : "datto api permission denied",
             ErrorKindName(block ? ErrorKind::kBlocked : ErrorKind::kPermission), true);
        if (last_response != nullptr) *last_response = response;
        if (!block) return {ErrorKind::kPermission, endpoint + ": HTTP 403"};
        gate_.OnBlocked(ParseRetryAfter(retry_after_text, clock_.WallNow()));
        block_reported_ = true;
        observer_.OnBlocked(true);
        return {ErrorKind::kBlocked, endpoint + ": HTTP 403 (rate-limit block)"};
      }
      case Verdict::kOther:
        warn("datto api request rejected", ErrorKindName(ErrorKind::kHttp), true);
        if (last_response != nullptr) *last_response = std::move(response);
        return {ErrorKind::kHttp, HttpStatusMessage(endpoint, status_text)};
    }

    // The same bytes would fail the same way: a deterministic failure is not retried.
    if (attempt >= max_attempts || failure.deterministic()) {
      if (last_response != nullptr) *last_response = std::move(response);
      return {failure.kind(),
              failure.message() + " after " + std::to_string(attempt) +
                  (attempt == 1 ? " attempt" : " attempts"),
              failure.persistence()};
    }
    observer_.OnRetry(retry_reason);
    // After a 429 the gate holds the next attempt back for the server's pause; a back-off on
    // top would only add delay.
    if (retry_reason != "rate_limited") {
      if (!clock_.SleepFor(BackoffDelay(retry_, attempt, jitter_.Next()), stop)) return cancelled();
    }
  }
}

}  // namespace drmm::datto
