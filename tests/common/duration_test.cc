#include "common/duration.h"

#include <gtest/gtest.h>

namespace drmm {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, ReadsPrometheusStyleDurations) {
  EXPECT_EQ(ParseDuration("90s"), milliseconds(90'000));
  EXPECT_EQ(ParseDuration("5m"), milliseconds(300'000));
  EXPECT_EQ(ParseDuration("1h30m"), milliseconds(5'400'000));
  EXPECT_EQ(ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(ParseDuration("1m500ms"), milliseconds(60'500));
  EXPECT_EQ(ParseDuration("2d"), milliseconds(172'800'000));
  EXPECT_EQ(ParseDuration("0s"), milliseconds(0));
}

TEST(ParseDuration, RejectsWhatIsNotADuration) {
  for (const char* bad :
       {"", "5", "m", "5x", "1.5s", "-5s", "5s5m", "5m5m", " 5s", "5s ", "1h1h"}) {
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
  }
}

TEST(FormatDuration, WritesWhatParseReadsBack) {
  EXPECT_EQ(FormatDuration(milliseconds(90'000)), "1m30s");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(milliseconds(250)), "250ms");
  for (long ms : {1L, 999L, 60'000L, 3'723'004L, 86'400'000L}) {
    EXPECT_EQ(ParseDuration(FormatDuration(milliseconds(ms))), milliseconds(ms)) << ms;
  }
}

}  // namespace
}  // namespace drmm
