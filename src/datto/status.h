// How an API operation ended. Callers branch on the kind (a credentials error is reported and not
// retried; a block stops all requests); the message is for logs and never holds a secret.
#pragma once

#include <string>
#include <utility>

#include "common/result.h"

namespace drmm::datto {

enum class ErrorKind {
  kNone,
  kCredentials,   // 401 from the token endpoint: wrong key or secret
  kUnauthorized,  // 401 from /api/v2 even after one re-authentication
  kPermission,    // plain 403: the API user may not read this
  kRateLimited,   // 429 still unresolved after the allowed waits
  kBlocked,       // 403 rate-limit block of the account's IP
  kTransport,     // connect/read timeout, reset, TLS failure (after retries)
  kServer,        // 5xx (after retries)
  kHttp,          // any other unexpected status (404, 400, ...)
  kDecode,        // body is not the JSON we expect (after retries)
  kProtocol,      // pagination broke a rule: foreign nextPageUrl, repeated page, page cap
  kCancelled,     // shutdown requested
};

const char* ErrorKindName(ErrorKind kind);  // snake_case, stable: used in logs

// Whether asking again can change the outcome. A body that is complete JSON of the wrong shape
// fails the same way every time, so retrying it only spends the account's request budget; a
// truncated or malformed body may be a transfer fault that the next attempt does not repeat.
enum class Persistence { kMaybeTransient, kDeterministic };

class Status {
 public:
  Status() = default;
  Status(ErrorKind kind, std::string message,
         Persistence persistence = Persistence::kMaybeTransient)
      : kind_(kind), message_(std::move(message)), persistence_(persistence) {}
  static Status Ok() { return {}; }

  bool ok() const { return kind_ == ErrorKind::kNone; }
  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  Persistence persistence() const { return persistence_; }
  bool deterministic() const { return persistence_ == Persistence::kDeterministic; }

 private:
  ErrorKind kind_ = ErrorKind::kNone;
  std::string message_;
  Persistence persistence_ = Persistence::kMaybeTransient;
};

// A value or the Status that explains why there is none: the project's Result (common/result.h)
// with the client's Status as its error, which its callers have always called status().
template <typename T>
class Result : public drmm::Result<T, Status> {
 public:
  using drmm::Result<T, Status>::Result;
  const Status& status() const { return this->error(); }
};

}  // namespace drmm::datto
