#include "exporter/collect/sites_fold.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace drmm {
namespace {

datto::Site MakeSite(std::string uid, std::string name, std::optional<bool> on_demand) {
  datto::Site site;
  site.uid = std::move(uid);
  site.name = std::move(name);
  site.on_demand = on_demand;
  return site;
}

TEST(SitesFoldTest, FoldsPagesSortedByUid) {
  SitesFold fold;
  fold.Add({MakeSite("s-3", "Gamma", false), MakeSite("s-1", "Alpha", true)});
  fold.Add({MakeSite("s-2", "Beta", std::nullopt)});
  const SitesData data = std::move(fold).Finish();
  ASSERT_EQ(data.sites.size(), 3U);
  EXPECT_EQ(data.sites[0].uid, "s-1");
  EXPECT_EQ(data.sites[0].name, "Alpha");
  EXPECT_TRUE(data.sites[0].on_demand);
  EXPECT_EQ(data.sites[1].uid, "s-2");
  EXPECT_FALSE(data.sites[1].on_demand);  // null onDemand: not on-demand
  EXPECT_EQ(data.sites[2].uid, "s-3");
}

TEST(SitesFoldTest, SkipsSitesWithoutUidAndDropsRepeats) {
  SitesFold fold;
  fold.Add({MakeSite("", "No uid", false), MakeSite("s-1", "First", false)});
  fold.Add({MakeSite("s-1", "Second copy", true), MakeSite("s-2", "", false)});
  const SitesData data = std::move(fold).Finish();
  ASSERT_EQ(data.sites.size(), 2U);
  EXPECT_EQ(data.sites[0].name, "First");  // the first occurrence wins
  EXPECT_FALSE(data.sites[0].on_demand);
  EXPECT_EQ(data.sites[1].uid, "s-2");
  EXPECT_EQ(data.sites[1].name, "");
}

TEST(SitesFoldTest, EmptyWalk) {
  SitesFold fold;
  fold.Add({});
  const SitesData data = std::move(fold).Finish();
  EXPECT_TRUE(data.sites.empty());
}

}  // namespace
}  // namespace drmm
