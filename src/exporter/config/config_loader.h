// Reads the YAML configuration (--config.file) into a validated Config: strict keys, typed
// values, defaults merged into every account, credentials resolved from the file, secret files
// or the environment. Every problem of a file is reported at once, one ConfigError per line of
// output, sorted by line; the parse itself is pure (text + injected Environment -> result).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/config/config_error.h"
#include "exporter/config/environment.h"

namespace drmm {

// Shortest collector interval: each run spends requests from the account's shared budget.
inline constexpr std::chrono::milliseconds kMinCollectorInterval{10'000};
// The whole account's read budget per minute; this exporter may take at most all of it.
inline constexpr int kMaxRequestsPerMinute = 600;
inline constexpr std::int64_t kMaxDeviceMetricsDevices = 1'000'000;

// Parses and validates; `file_name` is used in messages only (relative paths inside the file
// are relative to the working directory, not to the file).
ConfigResult<Config> ParseConfig(std::string_view yaml_text, const std::string& file_name,
                                 const Environment& env);

// Reads `path` through env.read_file and parses it. An unreadable file gives one ConfigError
// with line 0.
ConfigResult<Config> LoadConfigFile(const std::string& path, const Environment& env);

}  // namespace drmm
