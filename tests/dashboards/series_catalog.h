// The series the dashboards and rules may query: the exporter's metrics with their labels (the
// lists agreed in the dashboards and metrics briefs, kept here until the lint can use the
// exporter's own catalog, src/exporter/metrics/catalog.h), Prometheus's `up`, and the recorded
// series of rules/datto-rmm-recording.yml, whose labels follow from their level
// (level:metric:operation).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace drmm::lint {

enum class MetricType { kGauge, kCounter, kHistogram };

struct KnownMetric {
  std::string_view name;
  MetricType type;
  // Besides job and instance, which Prometheus adds to every scraped series.
  std::vector<std::string_view> labels;
};

// The exporter's metrics plus `up`. To be pointed at the exporter's metric catalog once it exists.
const std::vector<KnownMetric>& KnownMetrics();

class SeriesCatalog {
 public:
  SeriesCatalog();

  // Registers a recording rule's name. Returns an error when the name is not
  // level:metric:operation or its level names a label group the catalog does not know.
  std::optional<std::string> AddRecorded(std::string_view name);

  bool IsRecorded(std::string_view name) const;
  // A series as the exporter exposes it (histogram _bucket/_sum/_count included).
  bool IsExported(std::string_view name) const;

  // Every label of the series (job and instance included); nullopt when the name is unknown.
  std::optional<std::set<std::string>> LabelsOf(std::string_view name) const;

  // Whether `value` may occur for `label` (labels with an enumerated set of values, such as
  // priority; every other label accepts anything).
  bool IsAllowedValue(std::string_view label, std::string_view value) const;

 private:
  std::map<std::string, std::set<std::string>, std::less<>> exported_;
  std::map<std::string, std::set<std::string>, std::less<>> recorded_;
  std::map<std::string, std::set<std::string>, std::less<>> enum_values_;
};

}  // namespace drmm::lint
