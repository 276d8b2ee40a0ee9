// Faults injected on demand, as the real API misbehaves on a bad day: 5xx bursts, slow
// responses, malformed or truncated JSON, dropped connections, a nextPageUrl on a foreign
// origin, items repeated across pages, a token revoked in the middle of a page walk, plain
// permission 403s, and forced 429s and 403 blocks. A fault applies to the next `count` matching API
// requests, optionally only those whose path starts with `path_prefix`; admin paths are never
// faulted.
//
// Written on the command line (--fault) as  kind[:key=value[,key=value...]], e.g.
//   server_error:count=3,status=503,path=/api/v2/account/devices
// and as JSON for POST /__sim/faults with the same keys:
//   {"kind": "server_error", "count": 3, "status": 503, "path": "/api/v2/account/devices"}
#pragma once

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace drmm::sim {

enum class FaultKind {
  kServerError,      // status (500..599), an opaque error body
  kSlow,             // the response is held back by `delay`
  kMalformedJson,    // a complete body that is not valid JSON
  kTruncatedJson,    // the body cut half-way, Content-Length matching what is sent
  kDropConnection,   // the connection is closed without any response
  kForeignNextPage,  // list pages only: nextPageUrl on `origin` (set even on the last page)
  kRepeatItems,      // list pages after the first: the walk shifts back by `items` (0: a page)
  kRevokeToken,      // list pages only: after `after_pages` more pages, every token is revoked
  kForbidden,        // 403 for a missing permission: no Retry-After, not a block
  kRateLimit,        // 429; Retry-After: `retry_after` seconds (0: no header)
  kBlock,            // a 403 IP block starts, for `duration` (0: the configured block duration)
};

struct FaultSpec {
  FaultKind kind = FaultKind::kServerError;
  int count = 1;
  std::string path_prefix;
  int status = 500;
  std::chrono::milliseconds delay{2000};
  int retry_after_seconds = 1;
  std::chrono::milliseconds duration{0};
  int after_pages = 0;
  int items = 0;
  std::string origin = "http://foreign.example.invalid";
};

std::string_view FaultKindName(FaultKind kind);
std::optional<FaultKind> ParseFaultKind(std::string_view name);

// The fault a spec or JSON object describes, or why it is invalid.
Result<FaultSpec> ParseFaultSpec(std::string_view spec);
Result<FaultSpec> FaultFromJson(const nlohmann::json& json);
// The keys that apply to its kind, in the format FaultFromJson reads.
nlohmann::json FaultToJson(const FaultSpec& fault);

}  // namespace drmm::sim
