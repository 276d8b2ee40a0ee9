#include "exporter/collect/rate_data.h"

#include <gtest/gtest.h>

namespace drmm {
namespace {

TEST(RateDataTest, CopiesTheBudgetFields) {
  datto::RateStatus status;
  status.sliding_window_seconds = 60;
  status.account_uid = "acct";
  status.account_count = 123;
  status.account_rate_limit = 600;
  status.account_cutoff_ratio = 0.9;
  const RateData data = RateDataFrom(status);
  EXPECT_EQ(data.account_requests_in_window, 123);
  EXPECT_EQ(data.account_rate_limit, 600);
  EXPECT_EQ(data.account_cutoff_ratio, 0.9);
  EXPECT_EQ(data.window_seconds, 60);
}

TEST(RateDataTest, NullsStayAbsent) {
  const RateData data = RateDataFrom(datto::RateStatus{});
  EXPECT_FALSE(data.account_requests_in_window);
  EXPECT_FALSE(data.account_rate_limit);
  EXPECT_FALSE(data.account_cutoff_ratio);
  EXPECT_FALSE(data.window_seconds);
}

}  // namespace
}  // namespace drmm
