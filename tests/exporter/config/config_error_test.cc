#include "exporter/config/config_error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace drmm {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Lines(ConfigErrorList&& errors) {
  std::vector<std::string> out;
  for (const auto& e : std::move(errors).Take()) out.push_back(e.ToString());
  return out;
}

TEST(ConfigError, ToStringFormats) {
  EXPECT_EQ((ConfigError{"c.yaml", 9, "accounts[0].name", "bad"}).ToString(),
            "c.yaml:9: accounts[0].name: bad");
  EXPECT_EQ((ConfigError{"c.yaml", 3, "", "YAML syntax error"}).ToString(),
            "c.yaml:3: YAML syntax error");
  EXPECT_EQ((ConfigError{"c.yaml", 0, "", "cannot read"}).ToString(), "c.yaml: cannot read");
}

TEST(ConfigPaths, ChildAndIndex) {
  EXPECT_EQ(ChildKeyPath("", "accounts"), "accounts");
  EXPECT_EQ(ChildKeyPath("accounts[0]", "name"), "accounts[0].name");
  EXPECT_EQ(IndexKeyPath("accounts", 2), "accounts[2]");
}

TEST(ConfigErrorList, SortsByLineStablyAndDropsExactRepeats) {
  ConfigErrorList errors("c.yaml");
  errors.Add({5, "b"}, "second on 5");
  errors.Add({2, "a"}, "on 2");
  errors.Add({5, "a"}, "first on 5?");  // same line: keeps insertion order
  errors.Add({2, "a"}, "on 2");         // exact repeat
  errors.Add({0, ""}, "file level");
  EXPECT_EQ(errors.Size(), 5u);
  EXPECT_THAT(Lines(std::move(errors)),
              ElementsAre("c.yaml: file level", "c.yaml:2: a: on 2", "c.yaml:5: b: second on 5",
                          "c.yaml:5: a: first on 5?"));
}

TEST(ConfigErrorList, RedactsRegisteredSecretsLongestFirst) {
  ConfigErrorList errors("c.yaml");
  errors.AddSecret("abc");  // too short: ignored
  errors.AddSecret("hunter2");
  errors.AddSecret("hunter2-long");
  errors.Add({1, "p"}, "x hunter2-long y hunter2 abc");
  EXPECT_THAT(Lines(std::move(errors)), ElementsAre("c.yaml:1: p: x <redacted> y <redacted> abc"));
}

}  // namespace
}  // namespace drmm
