// The command-line convention of the project's programs, the Prometheus exporters' one: long
// flags as --name=value or --name value, switches that take no value, a short -h for --help, no
// positional arguments. Each program keeps its own table of flags and what they set
// (exporter/config/flags.cc, sim/flags.cc, the benchmarks); SplitFlags splits argv along that
// table, so every program reads its command line the same way and names the flag in every error.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace drmm {

struct FlagShape {
  std::string_view name;        // "--config.file"
  std::string_view short_name;  // "-h" or ""
  bool takes_value = true;
  bool repeatable = false;  // may be given more than once
};

struct FlagArgument {
  std::size_t flag = 0;    // index of its FlagShape in the table
  std::string_view value;  // "" for a switch; never "" for a flag that takes a value
};

// `args` is argv without the program name; the views point into it. The flags in the order
// given. Errors (Error::message):
//   unexpected argument "x": this program takes only flags
//   --x: unknown flag
//   --x: given more than once            (unless repeatable)
//   --x: takes no value                  (--switch=value)
//   --x: needs a value      (last argument, followed by another --flag, or empty)
Result<std::vector<FlagArgument>> SplitFlags(std::span<const std::string_view> args,
                                             std::span<const FlagShape> flags);

// argv[1..argc) as views, for SplitFlags.
std::vector<std::string_view> ArgumentsOf(int argc, const char* const* argv);

}  // namespace drmm
