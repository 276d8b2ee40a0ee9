#include "sim/flags.h"

#include <gtest/gtest.h>

namespace drmm::sim {
namespace {

using std::chrono::milliseconds;

// The options, or an empty SimulatorOptions after a test failure naming the error.
SimulatorOptions Options(const std::vector<std::string_view>& args) {
  const auto parsed = ParseFlags(args);
  if (!parsed.ok()) {
    ADD_FAILURE() << parsed.error().message;
    return {};
  }
  return parsed.value().options;
}

// The error message, or "" after a test failure.
std::string Error(const std::vector<std::string_view>& args) {
  const auto parsed = ParseFlags(args);
  if (parsed.ok()) ADD_FAILURE() << "parsed, but an error was expected";
  return parsed.error().message;
}

bool Help(const std::vector<std::string_view>& args) {
  const auto parsed = ParseFlags(args);
  return parsed.ok() && parsed.value().help;
}

TEST(SimFlags, DefaultsMatchTheDocumentedOnes) {
  const SimulatorOptions o = Options({});
  EXPECT_EQ(o.port, 8780);
  EXPECT_EQ(o.api_key, "demo-key");
  EXPECT_EQ(o.api_secret, "demo-secret");
  EXPECT_EQ(o.token_lifetime, std::chrono::hours(100));
  EXPECT_EQ(o.page_max, 250);
  EXPECT_EQ(o.alerts_page_max, 250);
  EXPECT_EQ(o.rate_limit, 600);
  EXPECT_EQ(o.rate_window, std::chrono::seconds(60));
  EXPECT_EQ(o.throttle_delay, std::chrono::seconds(1));
  EXPECT_EQ(o.block_duration, std::chrono::minutes(5));
  EXPECT_EQ(o.other_consumers_rpm, 0);
  EXPECT_EQ(o.churn_per_minute, 30);
  EXPECT_EQ(o.device_timestamps, TimestampFormat::kEpochMillis);
  EXPECT_TRUE(o.faults.empty());
}

TEST(SimFlags, BothValueFormsAndEveryFlag) {
  const SimulatorOptions o = Options({"--port=0",
                                      "--api-key",
                                      "k",
                                      "--api-secret=s",
                                      "--seed",
                                      "7",
                                      "--sites=30",
                                      "--devices",
                                      "1000",
                                      "--alerts=5",
                                      "--token-lifetime=90s",
                                      "--page-max",
                                      "100",
                                      "--alerts-page-max=50",
                                      "--rate-limit=60",
                                      "--rate-window",
                                      "2s",
                                      "--throttle-delay=250ms",
                                      "--block-duration=3s",
                                      "--other-consumers-rpm=12.5",
                                      "--churn-per-minute",
                                      "0",
                                      "--device-timestamps=iso",
                                      "--scenario",
                                      "/tmp/x.json",
                                      "--advertised-url=http://sim.example:9/",
                                      "--fault",
                                      "slow:delay=1s",
                                      "--fault=drop_connection:count=2",
                                      "--online-ratio=0.5",
                                      "--block-after=4",
                                      "--cutoff-ratio=0.8",
                                      "--threads=4"});
  EXPECT_EQ(o.port, 0);
  EXPECT_EQ(o.api_key, "k");
  EXPECT_EQ(o.api_secret, "s");
  EXPECT_EQ(o.seed, 7u);
  EXPECT_EQ(o.sites, 30);
  EXPECT_EQ(o.devices, 1000);
  EXPECT_EQ(o.alerts, 5);
  EXPECT_EQ(o.token_lifetime, milliseconds(90'000));
  EXPECT_EQ(o.page_max, 100);
  EXPECT_EQ(o.alerts_page_max, 50);
  EXPECT_EQ(o.rate_limit, 60);
  EXPECT_EQ(o.rate_window, milliseconds(2000));
  EXPECT_EQ(o.throttle_delay, milliseconds(250));
  EXPECT_EQ(o.block_duration, milliseconds(3000));
  EXPECT_DOUBLE_EQ(o.other_consumers_rpm, 12.5);
  EXPECT_EQ(o.churn_per_minute, 0);
  EXPECT_EQ(o.device_timestamps, TimestampFormat::kIso8601);
  EXPECT_EQ(o.scenario_file, "/tmp/x.json");
  EXPECT_EQ(o.advertised_url, "http://sim.example:9");
  ASSERT_EQ(o.faults.size(), 2u);
  EXPECT_EQ(o.faults[0].kind, FaultKind::kSlow);
  EXPECT_EQ(o.faults[1].count, 2);
  EXPECT_DOUBLE_EQ(o.online_ratio, 0.5);
  EXPECT_EQ(o.block_after, 4);
  EXPECT_DOUBLE_EQ(o.cutoff_ratio, 0.8);
  EXPECT_EQ(o.threads, 4);
}

TEST(SimFlags, ErrorsNameTheFlag) {
  EXPECT_EQ(Error({"--bogus=1"}), "--bogus: unknown flag");
  EXPECT_EQ(Error({"--port"}), "--port: needs a value");
  EXPECT_EQ(Error({"--port=http"}), "--port: expected a number, got \"http\"");
  EXPECT_EQ(Error({"--port=70000"}), "--port must be in [0, 65535]");
  EXPECT_EQ(Error({"--rate-window=60"}),
            "--rate-window: expected a duration such as 500ms, 2s, 5m or 100h, got \"60\"");
  EXPECT_EQ(Error({"--device-timestamps=unix"}),
            "--device-timestamps: expected ms or iso, got \"unix\"");
  EXPECT_EQ(Error({"--sites=1"}), "--sites must be >= 2 (the count includes \"Deleted Devices\")");
  EXPECT_EQ(Error({"--page-max=0"}), "--page-max must be >= 1");
  EXPECT_EQ(Error({"--seed=-1"}), "--seed: expected a number, got \"-1\"");
  EXPECT_EQ(Error({"--fault", "nope"}).substr(0, 40), "--fault nope: unknown fault kind \"nope\" ");
  EXPECT_EQ(Error({"port=1"}), "unexpected argument \"port=1\": this program takes only flags");
  EXPECT_EQ(Error({"--advertised-url=ftp://x"}),
            "--advertised-url must start with http:// or https://");
}

TEST(SimFlags, ARepeatedFlagTakesTheLastValueAndEachFaultAddsOne) {
  const SimulatorOptions o =
      Options({"--sites=5", "--sites", "9", "--fault=slow:delay=1s", "--fault=forbidden"});
  EXPECT_EQ(o.sites, 9);
  EXPECT_EQ(o.faults.size(), 2u);
}

TEST(SimFlags, Help) {
  EXPECT_TRUE(Help({"--help"}));
  EXPECT_TRUE(Help({"-h"}));
  EXPECT_TRUE(Help({"--sites=1", "--help"}));  // not validated: asking for help is never an error
  EXPECT_FALSE(Help({"--port=0"}));
  EXPECT_NE(UsageText().find("--fault KIND"), std::string::npos);
}

}  // namespace
}  // namespace drmm::sim
