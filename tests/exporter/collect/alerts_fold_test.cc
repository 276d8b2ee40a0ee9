#include "exporter/collect/alerts_fold.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace drmm {
namespace {

datto::Alert MakeAlert(std::string uid, std::string site_uid, std::optional<std::string> priority,
                       std::optional<std::string> alert_class,
                       std::optional<std::int64_t> timestamp_ms) {
  datto::Alert alert;
  alert.alert_uid = std::move(uid);
  alert.site_uid = std::move(site_uid);
  alert.site_name = "Site " + alert.site_uid;
  alert.priority = std::move(priority);
  alert.alert_class = std::move(alert_class);
  if (timestamp_ms) alert.timestamp = WallTime(std::chrono::milliseconds(*timestamp_ms));
  return alert;
}

TEST(AlertsFoldTest, CountsPerSitePriorityAndType) {
  AlertsFold fold;
  fold.Add({
      MakeAlert("a1", "s1", "Critical", "perf_disk_usage_ctx", 1'767'000'000'000),
      MakeAlert("a2", "s1", "Critical", "perf_disk_usage_ctx", 1'766'000'000'500),
      MakeAlert("a3", "s1", "High", "online_offline_status_ctx", std::nullopt),
  });
  auto muted = MakeAlert("a4", "s1", std::nullopt, std::nullopt, 1'767'100'000'000);
  muted.muted = true;  // muted alerts are open alerts, counted apart
  fold.Add({
      muted,
      MakeAlert("a5", "s2", "Urgent", "", 1'767'200'000'000),
      MakeAlert("a6", "s2", "Urgent", "patch_ctx", 1'767'300'000'000),
  });
  const AlertsData data = std::move(fold).Finish();

  EXPECT_EQ(data.alert_count, 6);
  ASSERT_EQ(data.sites.size(), 2U);
  const SiteAlerts& s1 = data.sites.at("s1");
  EXPECT_EQ(s1.site_name, "Site s1");
  EXPECT_EQ(s1.unmuted.open_by_priority,
            (std::map<std::string, std::int64_t>{{"critical", 2}, {"high", 1}}));
  EXPECT_EQ(s1.muted.open_by_priority, (std::map<std::string, std::int64_t>{{"unknown", 1}}));
  // The oldest of the two critical alerts, in seconds; the high one has no timestamp.
  EXPECT_EQ(s1.unmuted.oldest_open_unix_by_priority,
            (std::map<std::string, double>{{"critical", 1766000000.5}}));
  EXPECT_EQ(s1.muted.oldest_open_unix_by_priority,
            (std::map<std::string, double>{{"unknown", 1767100000}}));
  using Key = std::pair<std::string, std::string>;
  EXPECT_EQ(s1.unmuted.open_by_priority_type,
            (std::map<Key, std::int64_t>{{{"critical", "perf_disk_usage_ctx"}, 2},
                                         {{"high", "online_offline_status_ctx"}, 1}}));
  EXPECT_EQ(s1.muted.open_by_priority_type,
            (std::map<Key, std::int64_t>{{{"unknown", "unknown"}, 1}}));
  const SiteAlerts& s2 = data.sites.at("s2");
  EXPECT_EQ(s2.unmuted.open_by_priority, (std::map<std::string, std::int64_t>{{"urgent", 2}}));
  EXPECT_TRUE(s2.muted.open_by_priority.empty());
  EXPECT_EQ(
      s2.unmuted.open_by_priority_type,
      (std::map<Key, std::int64_t>{{{"urgent", "unknown"}, 1}, {{"urgent", "patch_ctx"}, 1}}));
}

// Repeats across pages are the walk's to drop (DattoClient); the fold only leaves out what it
// cannot label.
TEST(AlertsFoldTest, SkipsItemsWithoutUids) {
  AlertsFold fold;
  fold.Add({MakeAlert("", "s1", "High", "x", 1000), MakeAlert("a1", "", "High", "x", 1000),
            MakeAlert("a1", "s1", "Odd", "x", 1000)});
  const AlertsData data = std::move(fold).Finish();
  EXPECT_EQ(data.alert_count, 1);
  EXPECT_EQ(data.sites.at("s1").unmuted.open_by_priority,
            (std::map<std::string, std::int64_t>{{"odd", 1}}));
}

TEST(AlertsFoldTest, NoAlerts) {
  AlertsFold fold;
  const AlertsData data = std::move(fold).Finish();
  EXPECT_TRUE(data.sites.empty());
  EXPECT_EQ(data.alert_count, 0);
}

}  // namespace
}  // namespace drmm
