// Durations written the Prometheus way ("90s", "5m", "1h30m", "250ms"), as used in the config
// file and on the command line.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace drmm {

// Returns nullopt for anything that is not a sequence of <integer><unit> with units
// ms, s, m, h, d in decreasing order (each at most once). "0s" is valid.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The shortest form ParseDuration reads back: 90000ms -> "1m30s".
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace drmm
