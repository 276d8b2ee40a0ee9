#include "exporter/collect/site_filter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace drmm {
namespace {

SiteFilter Make(const SiteFilterConfig& config) {
  auto created = SiteFilter::Create(config);
  if (!created.ok()) ADD_FAILURE() << created.error().message;
  return std::move(created).value();
}

TEST(SiteFilterTest, Cases) {
  struct Case {
    const char* what;
    SiteFilterConfig config;
    const char* uid;
    const char* name;
    bool on_demand;
    bool included;
  };
  const std::string uid = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const Case cases[] = {
      {"empty include keeps all", {}, "u1", "Head Office", false, true},
      {"include by uid", {{uid}, {}}, uid.c_str(), "Head Office", false, true},
      {"include by uid, other site", {{uid}, {}}, "u2", "Head Office", false, false},
      {"include by name regex", {{"Head.*"}, {}}, "u1", "Head Office", false, true},
      {"regex must match the whole name", {{"Head"}, {}}, "u1", "Head Office", false, false},
      {"regex anchored at the end too", {{"Office"}, {}}, "u1", "Head Office", false, false},
      {"literal name is a regex too", {{"Head Office"}, {}}, "u1", "Head Office", false, true},
      {"not in include", {{"Branch.*"}, {}}, "u1", "Head Office", false, false},
      {"exclude by regex", {{}, {"Test .*"}}, "u1", "Test Lab", false, false},
      {"exclude by uid", {{}, {uid}}, uid.c_str(), "Head Office", false, false},
      {"exclude wins over include", {{".*"}, {"Test .*"}}, "u1", "Test Lab", false, false},
      {"exclude does not touch others", {{}, {"Test .*"}}, "u1", "Tested", false, true},
      {"case matters", {{}, {"test .*"}}, "u1", "Test Lab", false, true},
      {"Deleted Devices out by default", {}, "u1", "Deleted Devices", false, false},
      {"Deleted Devices in when asked", {{}, {}, true, true}, "u1", "Deleted Devices", false, true},
      {"Deleted Devices is an exact name", {}, "u1", "Deleted Devices 2", false, true},
      {"Deleted Devices out even when included",
       {{"Deleted Devices"}, {}},
       "u1",
       "Deleted Devices",
       false,
       false},
      {"on-demand in by default", {}, "u1", "Pop-up", true, true},
      {"on-demand out when off", {{}, {}, false, false}, "u1", "Pop-up", true, false},
      {"on_demand off keeps others", {{}, {}, false, false}, "u1", "Head Office", false, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Make(c.config).Includes(c.uid, c.name, c.on_demand), c.included) << c.what;
  }
}

TEST(SiteFilterTest, InvalidRegexNamesThePattern) {
  SiteFilterConfig config;
  config.include = {"Head.*"};
  config.exclude = {"ok", "[unclosed"};
  auto created = SiteFilter::Create(config);
  ASSERT_FALSE(created.ok());
  const auto& error = created.error().message;
  EXPECT_NE(error.find("sites.exclude[1]"), std::string::npos) << error;
  EXPECT_NE(error.find("\"[unclosed\""), std::string::npos) << error;
  EXPECT_NE(error.find("not a valid regular expression"), std::string::npos) << error;

  config.exclude.clear();
  config.include = {"(a"};
  created = SiteFilter::Create(config);
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.error().message.find("sites.include[0]: \"(a\""), std::string::npos);
}

TEST(SiteFilterTest, ConcurrentReadersAgree) {
  SiteFilterConfig config;
  config.include = {"Site [0-9]+", "uid-special"};
  config.exclude = {"Site 1[0-9]"};
  const SiteFilter filter = Make(config);
  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        const std::string name = "Site " + std::to_string(i % 30);
        const bool expected = (i % 30) < 10 || (i % 30) >= 20;
        if (filter.Includes("u", name, false) != expected) ++mismatches;
        if (!filter.Includes("uid-special", "x", false)) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace drmm
