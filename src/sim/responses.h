// The simulator's response bodies that several handlers share: plain JSON, the Spring-style
// error body of the API's framework and the OAuth server's error body. Internal to drmm_sim.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/service.h"

namespace drmm::sim {

SimResponse JsonResponse(int status, std::string body);
// The Spring-style error body the API's framework writes; clients treat it as opaque text.
SimResponse ErrorResponse(int status, std::string_view path, std::string_view message,
                          std::int64_t now_ms);
SimResponse OAuthError(int status, std::string_view error, std::string_view description);

// "ms" or "iso", as the settings endpoint spells device timestamp formats.
std::optional<TimestampFormat> ParseTimestampFormat(std::string_view text);
std::string_view TimestampFormatName(TimestampFormat format);

}  // namespace drmm::sim
