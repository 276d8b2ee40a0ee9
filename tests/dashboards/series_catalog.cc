#include "series_catalog.h"

#include <regex>
#include <vector>

#include "exporter/catalog/catalog.h"
#include "exporter/collect/snapshot.h"

namespace drmm::lint {
namespace {

// What each word of a recording rule's level stands for. Every recorded series also keeps job
// and instance (see the header of rules/datto-rmm-recording.yml).
const std::map<std::string_view, std::vector<std::string_view>>& LevelLabels() {
  static const std::map<std::string_view, std::vector<std::string_view>> levels = {
      {"account", {"account"}},
      {"site", {"site_uid", "site"}},
      {"priority", {"priority"}},
      {"muted", {"muted"}},
      {"status", {"status"}},
      {"patch_status", {"patch_status"}},
      {"antivirus_status", {"antivirus_status"}},
      {"category", {"category"}},
      {"collector", {"collector"}},
      {"endpoint", {"endpoint"}},
      {"code", {"code"}},
  };
  return levels;
}

}  // namespace

SeriesCatalog::SeriesCatalog() {
  auto add = [this](std::string_view name, prometheus::MetricType type,
                    const std::vector<std::string>& own_labels) {
    // Prometheus adds job and instance to every scraped series.
    std::set<std::string> labels = {"job", "instance"};
    labels.insert(own_labels.begin(), own_labels.end());
    const std::string base(name);
    if (type == prometheus::MetricType::Histogram || type == prometheus::MetricType::Summary) {
      std::set<std::string> buckets = labels;
      buckets.emplace(type == prometheus::MetricType::Histogram ? "le" : "quantile");
      exported_.emplace(type == prometheus::MetricType::Histogram ? base + "_bucket" : base,
                        std::move(buckets));
      exported_.emplace(base + "_sum", labels);
      exported_.emplace(base + "_count", labels);
    } else {
      exported_.emplace(base, std::move(labels));
    }
  };
  add("up", prometheus::MetricType::Gauge, {});  // Prometheus's own per-target series
  for (const MetricSpec* spec : kMetricCatalog) add(spec->name, spec->type, LabelNames(*spec));

  // The exporter exports every value of these at 0 (docs/metrics.md); a query naming another
  // value is a typo that silently matches nothing. The first four sets are the exporter's own
  // constants; the rest are spelled out where build_families.cc writes them.
  auto values = [](const auto& constants) {
    return std::set<std::string>(constants.begin(), constants.end());
  };
  enum_values_ = {
      {"priority", values(kAlertPriorities)},
      {"patch_status", values(kPatchStatuses)},
      {"antivirus_status", values(kAntivirusStatuses)},
      {"collector", values(kCollectorNames)},
      {"status", {"online", "offline"}},
      {"warranty", values(kWarrantyStates)},
      // datto_rmm_site_patches and datto_rmm_site_devices_state (kDeviceStates).
      {"state",
       {"approved_pending", "not_approved", "installed", "active", "suspended", "deleted"}},
      {"on_demand", {"true", "false"}},
      {"muted", {"true", "false"}},
  };
}

std::optional<std::string> SeriesCatalog::AddRecorded(std::string_view name) {
  static const std::regex kRecordName("^([a-z]+(?:_[a-z]+)*):([a-z][a-z0-9_]*):([a-z0-9_]+)$");
  const std::string text(name);
  std::smatch m;
  if (!std::regex_match(text, m, kRecordName)) {
    return "recording rule name '" + text + "' is not level:metric:operation in snake_case";
  }
  std::set<std::string> labels = {"job", "instance"};
  const std::string level = m[1].str();
  std::size_t start = 0;
  // Bounded by the level's length: each round consumes at least one word. Labels whose names
  // have an underscore (patch_status) are level words too, so the longest known word wins.
  while (start <= level.size()) {
    std::size_t end = std::min(level.find('_', start), level.size());
    auto it = LevelLabels().find(std::string_view(level).substr(start, end - start));
    for (std::size_t longer = end; longer < level.size();) {
      longer = std::min(level.find('_', longer + 1), level.size());
      const auto candidate =
          LevelLabels().find(std::string_view(level).substr(start, longer - start));
      if (candidate != LevelLabels().end()) {
        it = candidate;
        end = longer;
      }
    }
    if (it == LevelLabels().end()) {
      return "recording rule '" + text + "': level word '" + level.substr(start, end - start) +
             "' names no label group";
    }
    for (const std::string_view label : it->second) labels.emplace(label);
    start = end + 1;
  }
  if (exported_.contains(text) || !recorded_.emplace(text, std::move(labels)).second) {
    return "recording rule '" + text + "' is defined twice";
  }
  return std::nullopt;
}

bool SeriesCatalog::IsRecorded(std::string_view name) const { return recorded_.contains(name); }

bool SeriesCatalog::IsExported(std::string_view name) const { return exported_.contains(name); }

std::optional<std::set<std::string>> SeriesCatalog::LabelsOf(std::string_view name) const {
  if (const auto it = exported_.find(name); it != exported_.end()) return it->second;
  if (const auto it = recorded_.find(name); it != recorded_.end()) return it->second;
  return std::nullopt;
}

bool SeriesCatalog::IsAllowedValue(std::string_view label, std::string_view value) const {
  const auto it = enum_values_.find(label);
  return it == enum_values_.end() || it->second.contains(std::string(value));
}

}  // namespace drmm::lint
