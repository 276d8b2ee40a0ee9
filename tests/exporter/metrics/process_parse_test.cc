#include "exporter/metrics/process_parse.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "support/metric_query.h"

namespace drmm {
namespace {

constexpr const char* kStat =
    "12408 (datto-rmm-expo) S 1 12408 12408 0 -1 4194304 102 0 0 0 150 50 7 3 20 0 8 0 "
    "146603 3133440 384 18446744073709551615 94357865873408 94357865893289 140728474631776 0 0 "
    "0 0 0 0 0 0 0 17 1 0 0 0 0 0 94357865909296 94357865910912 94358527410176 140728474638984 "
    "140728474639004 140728474639004 140728474640363 0\n";

TEST(ParseProcStatTest, ReadsTheFieldsByPosition) {
  const auto stat = ParseProcStat(kStat);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->comm, "datto-rmm-expo");
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->utime_ticks, 150U);
  EXPECT_EQ(stat->stime_ticks, 50U);
  EXPECT_EQ(stat->starttime_ticks, 146603U);
  EXPECT_EQ(stat->vsize_bytes, 3133440U);
  EXPECT_EQ(stat->rss_pages, 384);
}

TEST(ParseProcStatTest, CommWithSpacesAndParentheses) {
  // A process may name itself anything; the name ends at the last ')'.
  const auto stat = ParseProcStat(
      "77 (evil) (name with) spaces)) R 1 1 1 0 -1 0 0 0 0 0 11 22 0 0 20 0 1 0 333 4444 55 0");
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->comm, "evil) (name with) spaces)");
  EXPECT_EQ(stat->state, 'R');
  EXPECT_EQ(stat->utime_ticks, 11U);
  EXPECT_EQ(stat->stime_ticks, 22U);
  EXPECT_EQ(stat->starttime_ticks, 333U);
  EXPECT_EQ(stat->vsize_bytes, 4444U);
  EXPECT_EQ(stat->rss_pages, 55);
}

TEST(ParseProcStatTest, RejectsMalformedText) {
  EXPECT_FALSE(ParseProcStat(""));
  EXPECT_FALSE(ParseProcStat("12 no parentheses S 1 2 3"));
  EXPECT_FALSE(ParseProcStat("12 (short) S 1 2 3"));  // too few fields
  EXPECT_FALSE(ParseProcStat(
      "12 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 22 0 0 20 0 1 0 333 4444 55 0"));  // utime not a number
  EXPECT_FALSE(ParseProcStat("12 )x( S 1 1 1 0 -1 0 0 0 0 0 11 22 0 0 20 0 1 0 333 4444 55 0"));
}

TEST(ParseBootTimeTest, FindsTheBtimeLine) {
  EXPECT_EQ(ParseBootTime("cpu  1 2 3 4\ncpu0 1 2 3 4\nintr 5 6\nctxt 99\nbtime 1795819899\n"
                          "processes 12\n"),
            1795819899);
  EXPECT_FALSE(ParseBootTime("cpu  1 2 3 4\nctxt 99\n"));
  EXPECT_FALSE(ParseBootTime("btime soon\n"));
  EXPECT_FALSE(ParseBootTime("btimex 5\n"));
}

TEST(ParseMaxOpenFilesTest, ReadsTheSoftLimit) {
  const char* limits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max cpu time              unlimited            unlimited            seconds   \n"
      "Max open files            1024                 524288               files     \n"
      "Max locked memory         8388608              8388608              bytes     \n";
  EXPECT_EQ(ParseMaxOpenFiles(limits), 1024);
  const auto unlimited = ParseMaxOpenFiles(
      "Max open files            unlimited            unlimited            files     \n");
  ASSERT_TRUE(unlimited.has_value());
  EXPECT_TRUE(std::isinf(*unlimited));
  EXPECT_FALSE(ParseMaxOpenFiles("Max cpu time  unlimited  unlimited  seconds\n"));
}

TEST(SampleFromTest, ConvertsTicksAndPages) {
  const auto stat = ParseProcStat(kStat);
  ASSERT_TRUE(stat.has_value());
  const ProcessSample sample = SampleFrom(*stat, 1795819899, 100, 4096);
  EXPECT_DOUBLE_EQ(sample.cpu_seconds, 2.0);  // (150 + 50) / 100
  EXPECT_DOUBLE_EQ(sample.resident_memory_bytes, 384.0 * 4096);
  EXPECT_DOUBLE_EQ(sample.virtual_memory_bytes, 3133440);
  ASSERT_TRUE(sample.start_time_seconds.has_value());
  EXPECT_DOUBLE_EQ(*sample.start_time_seconds, 1795819899 + 1466.03);
  EXPECT_FALSE(SampleFrom(*stat, std::nullopt, 100, 4096).start_time_seconds.has_value());
}

TEST(ProcessFamiliesTest, StandardNamesAndTypes) {
  ProcessSample sample;
  sample.cpu_seconds = 2;
  sample.resident_memory_bytes = 1000;
  sample.virtual_memory_bytes = 2000;
  sample.open_fds = 7;
  sample.max_fds = 1024;
  sample.start_time_seconds = 1795821365.03;
  const auto families = ProcessFamilies(sample);
  ASSERT_EQ(families.size(), 6U);
  EXPECT_EQ(testing::ValueOf(families, "process_cpu_seconds_total", {}), 2);
  EXPECT_EQ(testing::FindFamily(families, "process_cpu_seconds_total")->type,
            prometheus::MetricType::Counter);
  EXPECT_EQ(testing::ValueOf(families, "process_resident_memory_bytes", {}), 1000);
  EXPECT_EQ(testing::ValueOf(families, "process_virtual_memory_bytes", {}), 2000);
  EXPECT_EQ(testing::ValueOf(families, "process_open_fds", {}), 7);
  EXPECT_EQ(testing::ValueOf(families, "process_max_fds", {}), 1024);
  EXPECT_EQ(testing::ValueOf(families, "process_start_time_seconds", {}), 1795821365.03);

  sample.open_fds.reset();
  sample.max_fds.reset();
  sample.start_time_seconds.reset();
  EXPECT_EQ(ProcessFamilies(sample).size(), 3U);  // unknown values are left out
}

}  // namespace
}  // namespace drmm
