// datto-rmm-sim's command line, in the project's convention (common/command_line.h), parsed into
// SimulatorOptions. Pure, so every flag and error message is tested without a process.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "sim/options.h"

namespace drmm::sim {

struct CommandLine {
  SimulatorOptions options;
  bool help = false;  // --help or -h: print UsageText(); the options are not validated
};

// argv without the program name, in the project's convention (common/command_line.h). The error
// names the flag: "--port: expected a number, got \"http\"", "--bogus: unknown flag".
Result<CommandLine> ParseFlags(std::span<const std::string_view> args);
std::string UsageText();

}  // namespace drmm::sim
