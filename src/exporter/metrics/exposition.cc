#include "exporter/metrics/exposition.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <string_view>
#include <utility>

#include "prometheus/text_serializer.h"

namespace drmm {
namespace {

bool LabelsLess(const prometheus::ClientMetric& a, const prometheus::ClientMetric& b) {
  return a.label < b.label;
}

}  // namespace

std::vector<prometheus::MetricFamily> MergeFamilies(
    std::vector<std::vector<prometheus::MetricFamily>> collected) {
  std::vector<prometheus::MetricFamily> merged;
  std::map<std::string, std::size_t, std::less<>> index;  // name -> position in merged
  for (auto& families : collected) {
    for (auto& family : families) {
      const auto [it, inserted] = index.try_emplace(family.name, merged.size());
      if (inserted) {
        merged.push_back(std::move(family));
        continue;
      }
      auto& target = merged[it->second];
      if (target.type != family.type) continue;
      for (auto& metric : family.metric) target.metric.push_back(std::move(metric));
    }
  }
  std::vector<prometheus::MetricFamily> out;
  out.reserve(merged.size());
  for (auto& family : merged) {
    // Stable, so the first of two series with equal labels is the one kept.
    std::stable_sort(family.metric.begin(), family.metric.end(), LabelsLess);
    const auto last =
        std::unique(family.metric.begin(), family.metric.end(),
                    [](const prometheus::ClientMetric& a, const prometheus::ClientMetric& b) {
                      return a.label == b.label;
                    });
    family.metric.erase(last, family.metric.end());
    if (!family.metric.empty()) out.push_back(std::move(family));
  }
  return out;
}

std::string RenderTextFormat(
    const std::vector<std::shared_ptr<prometheus::Collectable>>& collectables) {
  std::vector<std::vector<prometheus::MetricFamily>> collected;
  collected.reserve(collectables.size());
  for (const auto& collectable : collectables) {
    if (collectable) collected.push_back(collectable->Collect());
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, MergeFamilies(std::move(collected)));
  return std::move(out).str();
}

}  // namespace drmm
