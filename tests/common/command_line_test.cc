#include "common/command_line.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace drmm {
namespace {

constexpr std::array<FlagShape, 4> kFlags = {{
    {"--help", "-h", /*takes_value=*/false},
    {"--config.file", "", true},
    {"--listen", "", true, /*repeatable=*/true},
    {"--check", "", false},
}};

// "index=value;..." for the split, or "error: message".
std::string Split(const std::vector<std::string_view>& args) {
  const auto split = SplitFlags(args, kFlags);
  if (!split.ok()) return "error: " + split.error().message;
  std::string out;
  for (const FlagArgument& argument : split.value()) {
    out += std::to_string(argument.flag) + "=" + std::string(argument.value) + ";";
  }
  return out;
}

TEST(SplitFlags, BothValueFormsSwitchesAndTheShortHelp) {
  EXPECT_EQ(Split({}), "");
  EXPECT_EQ(Split({"--config.file=a.yml", "--check", "-h"}), "1=a.yml;3=;0=;");
  EXPECT_EQ(Split({"--config.file", "a.yml"}), "1=a.yml;");
  EXPECT_EQ(Split({"--config.file=a=b"}), "1=a=b;");   // only the first '=' splits
  EXPECT_EQ(Split({"--config.file", "-x"}), "1=-x;");  // a single dash can be a value
}

TEST(SplitFlags, RepeatableFlagsKeepEveryValueInOrder) {
  EXPECT_EQ(Split({"--listen=:1", "--listen", ":2"}), "2=:1;2=:2;");
}

TEST(SplitFlags, ErrorsNameTheFlag) {
  EXPECT_EQ(Split({"file.yml"}),
            "error: unexpected argument \"file.yml\": this program takes only flags");
  EXPECT_EQ(Split({"--"}), "error: unexpected argument \"--\": this program takes only flags");
  EXPECT_EQ(Split({"--bogus=1"}), "error: --bogus: unknown flag");
  EXPECT_EQ(Split({"-x"}), "error: -x: unknown flag");
  EXPECT_EQ(Split({"--check", "--check"}), "error: --check: given more than once");
  EXPECT_EQ(Split({"-h", "--help"}), "error: --help: given more than once");
  EXPECT_EQ(Split({"--check=yes"}), "error: --check: takes no value");
  EXPECT_EQ(Split({"--config.file"}), "error: --config.file: needs a value");
  EXPECT_EQ(Split({"--config.file="}), "error: --config.file: needs a value");
  EXPECT_EQ(Split({"--config.file", "--check"}), "error: --config.file: needs a value");
}

TEST(ArgumentsOf, SkipsTheProgramName) {
  const std::array<const char*, 3> argv = {"prog", "--a", "b"};
  const std::vector<std::string_view> args = ArgumentsOf(3, argv.data());
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args[0], "--a");
  EXPECT_EQ(args[1], "b");
}

}  // namespace
}  // namespace drmm
