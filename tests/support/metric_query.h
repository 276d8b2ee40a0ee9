// Small lookups over rendered MetricFamily vectors for assertions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "prometheus/metric_family.h"

namespace drmm::testing {

using LabelMap = std::map<std::string, std::string>;

inline LabelMap LabelsOf(const prometheus::ClientMetric& metric) {
  LabelMap labels;
  for (const auto& label : metric.label) labels[label.name] = label.value;
  return labels;
}

inline const prometheus::MetricFamily* FindFamily(
    const std::vector<prometheus::MetricFamily>& families, const std::string& name) {
  for (const auto& family : families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

// Series of `name` whose labels include every pair of `subset`.
inline std::vector<const prometheus::ClientMetric*> Select(
    const std::vector<prometheus::MetricFamily>& families, const std::string& name,
    const LabelMap& subset = {}) {
  std::vector<const prometheus::ClientMetric*> found;
  const auto* family = FindFamily(families, name);
  if (family == nullptr) return found;
  for (const auto& metric : family->metric) {
    const LabelMap labels = LabelsOf(metric);
    bool match = true;
    for (const auto& [key, value] : subset) {
      const auto it = labels.find(key);
      if (it == labels.end() || it->second != value) match = false;
    }
    if (match) found.push_back(&metric);
  }
  return found;
}

// The value of the one series of `name` with exactly these labels (gauge or counter).
inline std::optional<double> ValueOf(const std::vector<prometheus::MetricFamily>& families,
                                     const std::string& name, const LabelMap& labels) {
  const auto* family = FindFamily(families, name);
  if (family == nullptr) return std::nullopt;
  for (const auto& metric : family->metric) {
    if (LabelsOf(metric) != labels) continue;
    return family->type == prometheus::MetricType::Counter ? metric.counter.value
                                                           : metric.gauge.value;
  }
  return std::nullopt;
}

}  // namespace drmm::testing
