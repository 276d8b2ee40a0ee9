#include "sim/responses.h"

#include <nlohmann/json.hpp>

#include "common/http_status.h"

namespace drmm::sim {

using nlohmann::json;

SimResponse JsonResponse(int status, std::string body) {
  SimResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

SimResponse ErrorResponse(int status, std::string_view path, std::string_view message,
                          std::int64_t now_ms) {
  const json body = {{"timestamp", now_ms},
                     {"status", status},
                     {"error", HttpReasonPhrase(status)},
                     {"message", message},
                     {"path", path}};
  return JsonResponse(status, body.dump());
}

SimResponse OAuthError(int status, std::string_view error, std::string_view description) {
  SimResponse r =
      JsonResponse(status, json{{"error", error}, {"error_description", description}}.dump());
  return r;
}

std::optional<TimestampFormat> ParseTimestampFormat(std::string_view text) {
  if (text == "ms") return TimestampFormat::kEpochMillis;
  if (text == "iso") return TimestampFormat::kIso8601;
  return std::nullopt;
}

std::string_view TimestampFormatName(TimestampFormat format) {
  return format == TimestampFormat::kIso8601 ? "iso" : "ms";
}

}  // namespace drmm::sim
