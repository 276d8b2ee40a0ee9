// What the executable does with a configuration before it starts anything: --config.check
// (validate, print, exit) and the error report shared with a normal start, so main() only
// wires. Exit status 2 means "bad flags or configuration", whichever way the exporter started.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/config/config_error.h"
#include "exporter/config/environment.h"

namespace drmm {

inline constexpr int kExitOk = 0;
inline constexpr int kExitBadConfig = 2;  // bad flags or configuration

// One line per error, as ConfigError::ToString.
void WriteConfigErrors(const std::vector<ConfigError>& errors, std::ostream& out);

// A short, secret-free summary: each account's API origin, credential sources, collectors and
// budget.
std::string DescribeConfig(const Config& config);

// --config.check: loads `path`; prints the summary to `out`, any warnings (ConfigWarnings) to
// `err` as "warning: ..." lines, and returns kExitOk; or prints every error to `err` and returns
// kExitBadConfig.
int RunConfigCheck(const std::string& path, const Environment& env, std::ostream& out,
                   std::ostream& err);

}  // namespace drmm
