// `--name=value` arguments for the exporter's benchmark programs (integers and durations).
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/command_line.h"
#include "common/duration.h"

namespace drmm::bench {

// Reads --name=value (or --name value) flags in the project's convention
// (common/command_line.h); every name must be in `known`, which also holds the defaults. A bad
// command line prints what is wrong and the usage, and exits 2.
inline std::map<std::string, std::string> ParseArgs(int argc, char** argv,
                                                    const std::map<std::string, std::string>& known,
                                                    const char* usage) {
  std::vector<std::string> names;
  for (const auto& entry : known) names.push_back("--" + entry.first);
  std::vector<FlagShape> shapes;
  for (const std::string& name : names) shapes.push_back({name, "", true});
  const auto split = SplitFlags(ArgumentsOf(argc, argv), shapes);
  if (!split.ok()) {
    std::fprintf(stderr, "%s\nusage: %s\n", split.error().message.c_str(), usage);
    std::exit(2);
  }
  std::map<std::string, std::string> values = known;
  for (const FlagArgument& argument : split.value()) {
    values[names[argument.flag].substr(2)] = std::string(argument.value);
  }
  return values;
}

inline int IntArg(const std::map<std::string, std::string>& args, const std::string& name) {
  return std::atoi(args.at(name).c_str());
}

inline std::chrono::milliseconds DurationArg(const std::map<std::string, std::string>& args,
                                             const std::string& name) {
  const auto parsed = ParseDuration(args.at(name));
  if (!parsed) {
    std::fprintf(stderr, "--%s: \"%s\" is not a duration\n", name.c_str(), args.at(name).c_str());
    std::exit(2);
  }
  return *parsed;
}

// Peak resident set size of this process, in MiB (VmHWM).
inline double PeakRssMiB() {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return 0;
  char line[256];
  double kib = 0;
  while (std::fgets(line, sizeof line, status) != nullptr) {
    if (std::sscanf(line, "VmHWM: %lf kB", &kib) == 1) break;
  }
  std::fclose(status);
  return kib / 1024.0;
}

}  // namespace drmm::bench
