#include "exporter/catalog/catalog.h"

namespace drmm {

std::vector<std::string> LabelNames(const MetricSpec& spec) {
  std::vector<std::string> names;
  std::string_view rest = spec.labels;
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    names.emplace_back(rest.substr(0, space));
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
  return names;
}

std::string_view TypeName(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter:
      return "counter";
    case prometheus::MetricType::Gauge:
      return "gauge";
    case prometheus::MetricType::Summary:
      return "summary";
    case prometheus::MetricType::Histogram:
      return "histogram";
    case prometheus::MetricType::Untyped:
      break;
  }
  return "untyped";
}

bool IsExcludable(const MetricSpec& spec) {
  return spec.source == "sites" || spec.source == "devices" || spec.source == "alerts";
}

std::string ExcludableMetricsList() {
  std::string list;
  for (const MetricSpec* spec : kMetricCatalog) {
    if (!IsExcludable(*spec)) continue;
    if (!list.empty()) list += ", ";
    list += spec->name;
  }
  return list;
}

const MetricSpec* FindMetric(std::string_view name) {
  for (const MetricSpec* spec : kMetricCatalog) {
    if (spec->name == name) return spec;
  }
  return nullptr;
}

std::string MetricsTableMarkdown() {
  auto cell = [](std::string_view text) {
    std::string out;
    for (char c : text) {
      if (c == '|') out += '\\';
      out += c;
    }
    return out;
  };
  std::string table =
      "| Metric | Type | Labels | Source | Help |\n"
      "|---|---|---|---|---|\n";
  for (const MetricSpec* spec : kMetricCatalog) {
    std::string labels;
    for (const auto& label : LabelNames(*spec)) {
      if (!labels.empty()) labels += ", ";
      labels += "`" + label + "`";
    }
    table += "| `" + std::string(spec->name) + "` | " + std::string(TypeName(spec->type)) + " | " +
             (labels.empty() ? "(none)" : labels) + " | " + std::string(spec->source) + " | " +
             cell(spec->help) + " |\n";
  }
  return table;
}

}  // namespace drmm
