// Timestamps as the Datto API writes them: epoch milliseconds on most accounts, ISO-8601 strings
// on some, and -62135596800000 (0001-01-01T00:00:00Z) for "never".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace drmm::sim {

inline constexpr std::int64_t kNeverMillis = -62135596800000;

// How device timestamps are written (a per-account trait of the real API).
enum class TimestampFormat { kEpochMillis, kIso8601 };

std::int64_t ToEpochMillis(WallTime t);
// "2026-01-01T00:00:00.000Z"; valid for years 1..9999.
std::string FormatIsoMillis(std::int64_t epoch_millis);
// Reads "YYYY-MM-DDTHH:MM:SS[.fff](Z|+00:00)"; nullopt for anything else.
std::optional<std::int64_t> ParseIsoMillis(std::string_view text);

}  // namespace drmm::sim
