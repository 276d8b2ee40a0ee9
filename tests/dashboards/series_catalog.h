// The series the dashboards and rules may query: every family of the exporter's own metric
// catalog (src/exporter/catalog/catalog.h, kMetricCatalog, the standard process_* metrics
// included) with its labels, Prometheus's per-target `up`, and the recorded series of
// rules/datto-rmm-recording.yml, whose labels follow from their level (level:metric:operation).
// Taken from the code rather than kept by hand, so the lint cannot drift from what the exporter
// serves.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace drmm::lint {

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
