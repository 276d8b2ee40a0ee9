// One logical API request, as every Datto call needs it: each attempt first passes the account's
// RequestGate, transport errors, 5xx and undecodable bodies are retried with jittered
// exponential back-off, a 429 is handed to the gate (which pauses the account) and retried, a
// 403 is told apart as a rate-limit block or a missing permission, and a 401 may trigger one
// re-authentication. Waits go through the Clock, so a stop request ends them at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string_view>

#include "common/clock.h"
#include "datto/api_observer.h"
#include "datto/http_transport.h"
#include "datto/request_gate.h"
#include "datto/retry_policy.h"
#include "datto/status.h"

namespace drmm::datto {

struct CallOptions {
  std::string_view endpoint;  // route template, for the observer and logs
  RequestPriority priority = RequestPriority::kSites;
  // What a 401 becomes when it is not (or no longer) answered by re-authentication.
  ErrorKind unauthorized_kind = ErrorKind::kUnauthorized;
  // Called on the first 401 of this call, before the request is rebuilt and sent once more
  // (without counting as an attempt). Empty: a 401 ends the call.
  std::function<void()> on_unauthorized;
  // Whether a 2xx body that failed to decode may be quoted in the log. Off for the token
  // endpoint, whose successful body is a bearer token.
  bool log_success_body = true;
};

class RequestExecutor {
 public:
  // Builds the request for one attempt (again after a 401, so a new token is used). An error
  // ends the call with that status (e.g. no token could be had).
  using Build = std::function<Result<HttpRequest>()>;
  // Receives a 2xx response; a non-ok status (kDecode) makes the attempt count as failed.
  using Accept = std::function<Status(const HttpResponse&)>;

  RequestExecutor(HttpTransport& transport, RequestGate& gate, ApiObserver& observer, Clock& clock,
                  RetryOptions retry, std::uint64_t jitter_seed);
  RequestExecutor(const RequestExecutor&) = delete;
  RequestExecutor& operator=(const RequestExecutor&) = delete;

  // Ok once `accept` took a response. Otherwise the error of the last attempt: kTransport,
  // kServer, kDecode or kRateLimited after max_attempts; kUnauthorized (or unauthorized_kind),
  // kPermission, kBlocked or kHttp at once; kCancelled as soon as `stop` is requested.
  // `last_response`, when given, receives the last response seen (for callers that read the
  // body of an error themselves).
  Status Execute(const CallOptions& call, const Build& build, const Accept& accept,
                 const std::stop_token& stop, HttpResponse* last_response = nullptr);

 private:
  // Passes the gate; reports the wait and the end of a block. False when stopped.
  bool PassGate(RequestPriority priority, const std::stop_token& stop);
  // Sends with the transport, cancelling it if `stop` is requested meanwhile.
  HttpResponse Send(const HttpRequest& request, std::string_view endpoint,
                    const std::stop_token& stop);

  HttpTransport& transport_;
  RequestGate& gate_;
  ApiObserver& observer_;
  Clock& clock_;
  const RetryOptions retry_;
  JitterSource jitter_;
  std::atomic<bool> block_reported_{false};  // OnBlocked(true) was sent, OnBlocked(false) not yet
};

}  // namespace drmm::datto
