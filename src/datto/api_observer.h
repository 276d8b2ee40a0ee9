// What the client tells the outside world about its traffic, without knowing about Prometheus:
// the exporter implements this with counters and histograms; tests record the calls.
// Implementations must be thread-safe (collectors of one account run on separate threads).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/clock.h"

namespace drmm::datto {

class ApiObserver {
 public:
  virtual ~ApiObserver() = default;
  // One per HTTP exchange. `endpoint` is the route template ("/api/v2/account/devices",
  // "/auth/oauth/token", "/api/v2/site/{uid}/devices"), never a concrete uid. `code` is the
  // HTTP status as text, or "error" when no response arrived.
  virtual void OnRequest(std::string_view /*endpoint*/, std::string_view /*code*/,
                         double /*seconds*/) {}
  // One per retry; reason is one of: transport, server_error, unauthorized, decode,
  // rate_limited.
  virtual void OnRetry(std::string_view /*reason*/) {}
  // A response body that was not the JSON we expect.
  virtual void OnDecodeError(std::string_view /*endpoint*/) {}
  // A response that decoded with `count` fields of an unexpected type (read as absent) or list
  // entries that were not objects: the data is served, but Datto's shape has drifted.
  virtual void OnDecodeWarnings(std::string_view /*endpoint*/, std::int64_t /*count*/) {}
  // A value outside the documented enum set (kept as-is, reported once per value).
  virtual void OnUnknownEnumValue(std::string_view /*field*/, std::string_view /*value*/) {}
  // Time spent waiting in the rate gate before a request could go out.
  virtual void OnThrottleWait(double /*seconds*/) {}
  virtual void OnRateLimited() {}             // a 429
  virtual void OnBlocked(bool /*active*/) {}  // a 403 block began (true) or its pause ended (false)
  virtual void OnTokenIssued(WallTime /*expiry*/) {}
};

}  // namespace drmm::datto
