// datto-rmm-sim's command line: GNU-style long flags (--name=value or --name value) parsed into
// SimulatorOptions. Pure, so every flag and error message is tested without a process.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/options.h"

namespace drmm::sim {

struct FlagsResult {
  SimulatorOptions options;
  bool help = false;
  std::string error;  // non-empty: the message (naming the flag) for a bad command line
};

FlagsResult ParseFlags(const std::vector<std::string_view>& args);
std::string UsageText();

}  // namespace drmm::sim
