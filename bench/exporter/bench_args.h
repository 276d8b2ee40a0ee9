// `--name=value` arguments for the exporter's benchmark programs (integers and durations).
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "common/duration.h"

namespace drmm::bench {

// Reads --name=value pairs; every name must be in `known`, else usage and exit 2.
inline std::map<std::string, std::string> ParseArgs(int argc, char** argv,
                                                    const std::map<std::string, std::string>& known,
                                                    const char* usage) {
  std::map<std::string, std::string> values = known;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto eq = arg.find('=');
    const std::string name(arg.substr(0, eq == std::string_view::npos ? arg.size() : eq));
    if (!arg.starts_with("--") || eq == std::string_view::npos || !known.count(name.substr(2))) {
      std::fprintf(stderr, "usage: %s\n", usage);
      std::exit(2);
    }
    values[name.substr(2)] = std::string(arg.substr(eq + 1));
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
