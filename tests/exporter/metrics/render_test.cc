// RenderSnapshotText writes the exposition directly; it must be byte for byte what the previous
// path (BuildFamilies into prometheus-cpp's TextSerializer, kept in the tests as the reference)
// gave for the same snapshot: the golden snapshot, and random snapshots whose names hold the
// characters that escaping and sorting get wrong ("a" before "a b", quotes, backslashes,
// newlines, UTF-8), with unknown enum values, filters and per-device rows.
#include "exporter/metrics/render.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <sstream>
#include <string>

#include "exporter/collect/site_filter.h"
#include "exporter/metrics/text_format.h"
#include "golden_snapshot.h"
#include "prometheus/text_serializer.h"
#include "reference_families.h"

namespace drmm {
namespace {

std::string ReferenceText(const Snapshot& snapshot) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, testing::ReferenceFamilies(snapshot));
  return out.str();
}

TEST(RenderTest, GoldenSnapshotRendersAsTheReference) {
  EXPECT_EQ(RenderSnapshotText(testing::GoldenSnapshot()),
            ReferenceText(testing::GoldenSnapshot()));
}

class RandomSnapshots {
 public:
  explicit RandomSnapshots(std::uint64_t seed) : rng_(seed) {}

  Snapshot Next() {
    Snapshot snapshot;
    const int accounts = Between(1, 3);
    for (int a = 0; a < accounts; ++a) snapshot.accounts.push_back(Account(a));
    return snapshot;
  }

 private:
  int Between(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::string Pick(std::initializer_list<const char*> options) {
    auto it = options.begin();
    std::advance(it, Between(0, static_cast<int>(options.size()) - 1));
    return *it;
  }
  std::string Text() {
    return Pick({"a", "a b", "a\"b", "a\\b", "a\nb", "A", "b", "Zürich", "", "ab", "a-b", "a_b",
                 "Deleted Devices", "Test Lab", "a,b", "a=b", "}"});
  }
  std::string Uid() { return Pick({"u1", "u10", "u2", "U1", "u 1", "u\"1", "u-1", "u_1"}); }
  std::string Priority() {
    return Pick({"critical", "high", "moderate", "low", "information", "unknown", "urgent", "a"});
  }
  double Value() {
    switch (Between(0, 5)) {
      case 0:
        return 0;
      case 1:
        return Between(0, 100000);
      case 2:
        return 1767225540.5 + Between(0, 1000) / 7.0;
      case 3:
        return -0.0;
      case 4:
        return 1e16 + Between(0, 1000);
      default:
        return Between(-5, 5) / 3.0;
    }
  }

  AccountSnapshot Account(int index) {
    AccountSnapshot account;
    account.account = Pick({"acme", "globex", "a", "a b", "initech"}) + std::to_string(index);
    account.up = Chance(0.5);
    for (const char* name : {"sites", "devices", "alerts", "rate_status"}) {
      CollectorStatus status;
      status.name = name;
      status.enabled = Chance(0.8);
      status.ran = Chance(0.8);
      status.last_success = Chance(0.5);
      status.last_duration_seconds = Value();
      if (Chance(0.7)) status.last_success_unix = Value();
      if (Chance(0.3)) status.running_since_unix = Value();
      account.collectors.push_back(status);
    }
    if (Chance(0.7)) account.token_expiry_unix = Value();
    if (Chance(0.7)) account.budget_requests_per_minute = Value();
    if (Chance(0.7)) account.requests_in_window = Value();
    if (Chance(0.7)) account.poll_budget_utilization_ratio = Value();
    if (Chance(0.7)) {
      auto rate = std::make_shared<RateData>();
      if (Chance(0.8)) rate->account_requests_in_window = Between(0, 600);
      if (Chance(0.8)) rate->account_rate_limit = 600;
      account.rate = rate;
    }
    if (Chance(0.8)) {
      auto sites = std::make_shared<SitesData>();
      std::map<std::string, SiteInfo> unique;
      for (int i = Between(0, 6); i > 0; --i) {
        const std::string uid = Uid();
        unique[uid] = SiteInfo{uid,
                               Text(),
                               Chance(0.3),
                               Chance(0.5) ? "https://p/" + uid : "",
                               Chance(0.5) ? std::to_string(Between(1, 99)) : "",
                               Text()};
      }
      for (auto& [uid, site] : unique) sites->sites.push_back(site);
      account.sites = sites;
    }
    if (Chance(0.8)) {
      auto devices = std::make_shared<DevicesData>();
      // Stale ages and UDF labels as the config may set them: in any order of their text.
      for (const char* age : {"1d", "7d", "30d", "12h"}) {
        if (Chance(0.6)) devices->stale_after.push_back(age);
      }
      for (const char* udf : {"contract", "owner"}) {
        if (!Chance(0.5)) continue;
        devices->udf_labels.push_back(udf);
        if (Chance(0.6)) devices->udf_devices_dropped[udf] = Between(0, 4);
      }
      for (int i = Between(0, 5); i > 0; --i) {
        SiteDevices& site = devices->sites[Uid()];
        site.site_name = Text();
        for (int c = Between(0, 3); c > 0; --c) {
          (Chance(0.5) ? site.online_by_category : site.offline_by_category)[Text()] +=
              Between(1, 9);
        }
        site.by_patch_status[Pick({"fully_patched", "partially_patched", "no_data", "zzz"})] +=
            Between(0, 5);
        site.by_antivirus_status[Pick({"not_running", "quarantined", "a"})] += Between(0, 5);
        site.patches_approved_pending = Between(0, 9);
        site.patches_installed = Between(0, 99);
        site.patches_not_approved = Between(0, 9);
        site.reboot_required = Between(0, 3);
        // Sometimes fewer counts than ages: a site the fold has not seen reads 0.
        for (std::size_t a = 0; a < devices->stale_after.size() && Chance(0.9); ++a) {
          site.not_seen.push_back(Between(0, 9));
        }
        for (auto& count : site.by_warranty) count = Between(0, 5);
        for (auto& count : site.by_state) count = Between(0, 5);
        for (const auto& [udf, dropped] : devices->udf_devices_dropped) {
          for (int v = Between(0, 3); v > 0; --v) site.by_udf_value[{udf, Text()}] += Between(1, 5);
        }
      }
      std::map<std::string, DeviceRow> rows;
      for (int i = Between(0, 8); i > 0; --i) {
        DeviceRow row;
        row.uid = Uid() + Text();
        row.hostname = Text();
        row.site_uid = Uid();
        row.site_name = Text();
        row.category = Text();
        row.device_class = Pick({"device", "printer"});
        row.os = Text();
        row.online = Chance(0.5);
        if (Chance(0.5)) row.last_seen_unix = Value();
        row.patches_approved_pending = Between(0, 3);
        row.reboot_required = Chance(0.3);
        for (std::size_t u = 0; u < devices->udf_labels.size(); ++u)
          row.udf_values.push_back(Text());
        rows[row.uid] = row;
      }
      for (auto& [uid, row] : rows) devices->devices.push_back(row);
      devices->device_rows_dropped = Between(0, 3);
      account.devices = devices;
      account.device_metrics = Chance(0.6);
    }
    if (Chance(0.8)) {
      auto alerts = std::make_shared<AlertsData>();
      for (int i = Between(0, 5); i > 0; --i) {
        SiteAlerts& site = alerts->sites[Uid()];
        site.site_name = Text();
        for (int n = Between(0, 4); n > 0; --n) {
          AlertCounts& counts = Chance(0.3) ? site.muted : site.unmuted;
          const std::string priority = Priority();
          counts.open_by_priority[priority] += 1;
          if (Chance(0.7)) counts.oldest_open_unix_by_priority[priority] = Value();
          counts.open_by_priority_type[{priority, Text()}] += 1;
        }
      }
      account.alerts = alerts;
    }
    if (Chance(0.3)) account.last_known_sites = account.sites;
    if (Chance(0.4)) {
      SiteFilterConfig filter;
      filter.exclude = {"a.*"};
      filter.deleted_devices = Chance(0.5);
      filter.on_demand = Chance(0.5);
      account.site_filter = std::make_shared<const SiteFilter>(SiteFilter::Create(filter).value());
    }
    return account;
  }

  std::mt19937_64 rng_;
};

TEST(RenderTest, RandomSnapshotsRenderAsTheReference) {
  RandomSnapshots snapshots(20261204);
  for (int i = 0; i < 400; ++i) {
    const Snapshot snapshot = snapshots.Next();
    const std::string reference = ReferenceText(snapshot);
    ASSERT_EQ(RenderSnapshotText(snapshot), reference) << "snapshot " << i;
  }
}

TEST(RenderTest, FamiliesRenderedAFewAtATimeAreThoseRenderedAllAtOnce) {
  RandomSnapshots snapshots(20261206);
  for (int i = 0; i < 100; ++i) {
    const Snapshot snapshot = snapshots.Next();
    for (const AccountSnapshot& account : snapshot.accounts) {
      const FamilyTexts whole = RenderAccount(account);
      // Each family alone, and the families in two interleaved halves.
      FamilySet odd;
      for (std::size_t family = 1; family < kSnapshotFamilyCount; family += 2) odd.set(family);
      const FamilyTexts odds = RenderAccount(account, odd);
      const FamilyTexts evens = RenderAccount(account, ~odd);
      for (std::size_t family = 0; family < kSnapshotFamilyCount; ++family) {
        FamilySet alone;
        alone.set(family);
        const FamilyTexts only = RenderAccount(account, alone);
        ASSERT_EQ(only[family], whole[family]) << "snapshot " << i << ", family " << family;
        for (std::size_t other = 0; other < kSnapshotFamilyCount; ++other) {
          if (other != family) {
            ASSERT_EQ(only[other], "") << "family " << other << " not asked";
          }
        }
        ASSERT_EQ(odd[family] ? odds[family] : evens[family], whole[family]);
        ASSERT_EQ(odd[family] ? evens[family] : odds[family], "");
      }
    }
  }
}

TEST(RenderTest, ExcludedFamiliesAreLeftOutWhole) {
  Snapshot snapshot = testing::GoldenSnapshot();
  snapshot.accounts[0].excluded_metrics = {"datto_rmm_site_alerts_open", "datto_rmm_device_info"};
  const std::string text = RenderSnapshotText(snapshot);
  EXPECT_EQ(text.find("datto_rmm_site_alerts_open{account=\"acme\""), std::string::npos);
  EXPECT_EQ(text.find("datto_rmm_device_info{account=\"acme\""), std::string::npos);
  // The other account still has them, and the account its other families.
  EXPECT_NE(text.find("datto_rmm_site_alerts_open{account=\"globex\""), std::string::npos);
  EXPECT_NE(text.find("datto_rmm_site_devices{account=\"acme\""), std::string::npos);
  EXPECT_NE(text.find("datto_rmm_device_online{account=\"acme\""), std::string::npos);
}

TEST(TextFormatTest, ValuesAsPrometheusCppWritesThem) {
  auto text = [](double value) {
    std::string out;
    AppendSampleValue(out, value);
    return out;
  };
  EXPECT_EQ(text(0), "0");
  EXPECT_EQ(text(-0.0), "-0");
  EXPECT_EQ(text(1767225540), "1767225540");
  EXPECT_EQ(text(0.35), "0.35");
  EXPECT_EQ(text(1e16), "1e+16");
  EXPECT_EQ(text(999999999999999), "999999999999999");
  EXPECT_EQ(text(-12), "-12");
  EXPECT_EQ(text(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(text(std::nan("")), "Nan");
  EXPECT_EQ(text(-std::numeric_limits<double>::infinity()), "-Inf");
}

}  // namespace
}  // namespace drmm
