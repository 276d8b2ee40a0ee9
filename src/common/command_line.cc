#include "common/command_line.h"

#include <string>

namespace drmm {
namespace {

std::size_t FindFlag(std::span<const FlagShape> flags, std::string_view name) {
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (flags[i].name == name || (!flags[i].short_name.empty() && flags[i].short_name == name)) {
      return i;
    }
  }
  return flags.size();
}

Error FlagError(std::string_view flag, std::string_view problem) {
  return Error{std::string(flag) + ": " + std::string(problem)};
}

}  // namespace

Result<std::vector<FlagArgument>> SplitFlags(std::span<const std::string_view> args,
                                             std::span<const FlagShape> flags) {
  std::vector<FlagArgument> split;
  std::vector<bool> seen(flags.size(), false);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!arg.starts_with("-") || arg == "-" || arg == "--") {
      return Error{"unexpected argument \"" + std::string(arg) +
                   "\": this program takes only flags"};
    }
    const std::size_t equals = arg.find('=');
    const std::string_view name = arg.substr(0, equals);
    const std::size_t index = FindFlag(flags, name);
    if (index == flags.size()) return FlagError(name, "unknown flag");
    const FlagShape& shape = flags[index];
    if (seen[index] && !shape.repeatable) return FlagError(shape.name, "given more than once");
    seen[index] = true;
    std::string_view value;
    if (!shape.takes_value) {
      if (equals != std::string_view::npos) return FlagError(shape.name, "takes no value");
    } else if (equals != std::string_view::npos) {
      value = arg.substr(equals + 1);
    } else if (i + 1 < args.size() && !args[i + 1].starts_with("--")) {
      value = args[++i];
    }
    if (shape.takes_value && value.empty()) {
      return FlagError(shape.name, "needs a value");
    }
    split.push_back({index, value});
  }
  return split;
}

std::vector<std::string_view> ArgumentsOf(int argc, const char* const* argv) {
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return args;
}

}  // namespace drmm
