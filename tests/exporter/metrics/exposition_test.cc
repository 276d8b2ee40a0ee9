#include "exporter/metrics/exposition.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "exporter/metrics/self_metrics.h"
#include "prometheus/registry.h"
#include "support/metric_query.h"

namespace drmm {
namespace {

prometheus::MetricFamily Family(std::string name, prometheus::MetricType type,
                                const std::vector<std::pair<std::string, double>>& series) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = "help of " + family.name;
  family.type = type;
  for (const auto& [label, value] : series) {
    prometheus::ClientMetric metric;
    metric.label = {{"k", label}};
    metric.gauge.value = value;
    metric.counter.value = value;
    family.metric.push_back(metric);
  }
  return family;
}

class FixedCollectable final : public prometheus::Collectable {
 public:
  explicit FixedCollectable(std::vector<prometheus::MetricFamily> families)
      : families_(std::move(families)) {}
  std::vector<prometheus::MetricFamily> Collect() const override { return families_; }

 private:
  std::vector<prometheus::MetricFamily> families_;
};

TEST(MergeFamiliesTest, MergesByNameKeepsFirstOrderSortsSeries) {
  using prometheus::MetricType;
  const auto merged = MergeFamilies({
      {Family("b_metric", MetricType::Gauge, {{"z", 1}, {"a", 2}}),
       Family("a_metric", MetricType::Gauge, {{"x", 3}})},
      {Family("c_metric", MetricType::Gauge, {}),                     // no series: left out
       Family("b_metric", MetricType::Gauge, {{"m", 4}, {"a", 99}}),  // "a" already there
       Family("a_metric", MetricType::Counter, {{"y", 5}})},          // type disagrees: dropped
  });
  ASSERT_EQ(merged.size(), 2U);
  EXPECT_EQ(merged[0].name, "b_metric");
  EXPECT_EQ(merged[0].help, "help of b_metric");
  ASSERT_EQ(merged[0].metric.size(), 3U);
  EXPECT_EQ(merged[0].metric[0].label[0].value, "a");
  EXPECT_EQ(merged[0].metric[0].gauge.value, 2);  // the first of two equal series is kept
  EXPECT_EQ(merged[0].metric[1].label[0].value, "m");
  EXPECT_EQ(merged[0].metric[2].label[0].value, "z");
  EXPECT_EQ(merged[1].name, "a_metric");
  ASSERT_EQ(merged[1].metric.size(), 1U);
  EXPECT_EQ(merged[1].metric[0].label[0].value, "x");
}

TEST(RenderTextFormatTest, RendersEveryCollectableInTextFormat) {
  SelfMetrics self("1.0.0", "deadbeef");
  self.ObserverFor("acme").OnRequest("/api/v2/account/sites", "200", 0.2);
  const std::vector<std::shared_ptr<prometheus::Collectable>> collectables = {
      self.registry(),
      nullptr,  // skipped
      std::make_shared<FixedCollectable>(std::vector<prometheus::MetricFamily>{
          Family("zz_last", prometheus::MetricType::Gauge, {{"v", 1}})})};
  const std::string text = RenderTextFormat(collectables);
  EXPECT_NE(text.find("# HELP datto_rmm_exporter_build_info "), std::string::npos);
  EXPECT_NE(text.find("# TYPE datto_rmm_api_request_duration_seconds histogram\n"),
            std::string::npos);
  EXPECT_NE(text.find("datto_rmm_exporter_build_info{revision=\"deadbeef\",version=\"1.0.0\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("zz_last{k=\"v\"} 1\n"), std::string::npos);
  EXPECT_EQ(RenderTextFormat(collectables), text);  // stable from one scrape to the next
}

// Run under TSan: scrapes render while the client reports traffic.
TEST(RenderTextFormatTest, ConcurrentRendersWhileTrafficIsCounted) {
  SelfMetrics self("v", "r");
  const std::vector<std::shared_ptr<prometheus::Collectable>> collectables = {self.registry()};
  std::atomic<bool> stop{false};
  std::thread traffic([&] {
    for (int i = 0; i < 200; ++i) {
      self.ObserverFor("acme").OnRequest("/api/v2/account/alerts/open", "200", 0.1);
    }
    stop = true;
  });
  int renders = 0;
  for (; renders < 200 && (renders < 3 || !stop); ++renders) {
    EXPECT_NE(RenderTextFormat(collectables).find("datto_rmm_exporter_build_info{"),
              std::string::npos);
  }
  traffic.join();
  EXPECT_GE(renders, 3);
}

}  // namespace
}  // namespace drmm
