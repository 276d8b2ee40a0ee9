#include "exporter/config/device_metrics_reader.h"

#include <algorithm>
#include <array>

#include "common/duration.h"
#include "exporter/config/config_loader.h"  // kMaxDeviceMetricsDevices

namespace drmm {
namespace {

using std::chrono::milliseconds;

constexpr std::array<std::string_view, 8> kDeviceMetricsKeys = {
    "enabled",          "categories", "max_devices",     "stale_after",
    "warranty_horizon", "udf_labels", "udf_site_counts", "max_udf_values"};
// datto_rmm_device_info's own labels, which a UDF label must not shadow.
constexpr std::array<std::string_view, 8> kDeviceInfoLabels = {
    "account", "device_uid", "hostname", "category", "device_class", "os", "site_uid", "site"};
constexpr std::size_t kMaxStaleAges = 10;  // each is one series per site
constexpr std::int64_t kMaxUdfValuesLimit = 10'000;

// "udf5" -> 5; 0 for anything but udf1 .. udf300 written without leading zeros.
int UdfNumber(std::string_view key) {
  if (!key.starts_with("udf") || key.size() < 4 || key.size() > 6 || key[3] == '0') return 0;
  int n = 0;
  for (const char c : key.substr(3)) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return n <= 300 ? n : 0;
}

// Empty when `name` may be a label of datto_rmm_device_info beside its own.
std::string LabelNameProblem(std::string_view name) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (name.empty() || !letter(name.front()) || !std::all_of(name.begin(), name.end(), [&](char c) {
        return letter(c) || (c >= '0' && c <= '9');
      })) {
    return "letters, digits and _ only, not starting with a digit";
  }
  if (name.starts_with("__")) return "names starting with __ are reserved by Prometheus";
  if (std::find(kDeviceInfoLabels.begin(), kDeviceInfoLabels.end(), name) !=
      kDeviceInfoLabels.end()) {
    return "datto_rmm_device_info has a label of that name already (" +
           JoinConfigKeys(kDeviceInfoLabels) + ")";
  }
  return "";
}

// A list of ages, each > 0; kept ascending so the series read like a cumulative histogram.
void ReadStaleAfter(const YamlField& field, std::vector<milliseconds>& out,
                    ConfigErrorList& errors) {
  const auto entries = ReadYamlStringList(field, errors);
  if (!entries) return;
  bool ok = true;
  std::vector<milliseconds> ages;
  for (const auto& entry : *entries) {
    const auto age = ParseDuration(entry.value);
    if (!age || age->count() <= 0) {
      errors.Add(entry.at,
                 "\"" + entry.value + "\" is not a duration greater than zero (e.g. 1d, 7d, 12h)");
      ok = false;
    } else if (std::find(ages.begin(), ages.end(), *age) != ages.end()) {
      errors.Add(entry.at, "\"" + entry.value + "\" is listed twice");
      ok = false;
    } else {
      ages.push_back(*age);
    }
  }
  if (ok && ages.size() > kMaxStaleAges) {
    errors.Add(field.at, "lists " + std::to_string(ages.size()) +
                             " ages; at most 10 (each is one series per site)");
    ok = false;
  }
  if (!ok) return;
  std::sort(ages.begin(), ages.end());
  out = std::move(ages);
}

// A map from udf1..udf300 to a Prometheus label name.
void ReadUdfLabels(const YamlField& field, std::vector<UdfLabelConfig>& out,
                   ConfigErrorList& errors) {
  if (!field.node.IsMap()) {
    errors.Add(field.at, field.node.IsNull()
                             ? "has no value (write {} for none)"
                             : "expected a map from a UDF to a label name (udf5: contract), "
                               "got " +
                                   DescribeYaml(field.node));
    return;
  }
  std::vector<UdfLabelConfig> labels;
  bool ok = true;
  for (const auto& item : field.node) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : "";
    const YamlField value{item.second, {YamlLine(item.first), ChildKeyPath(field.at.path, key)}};
    const int udf = UdfNumber(key);
    if (udf == 0) {
      errors.Add(value.at, "\"" + key + "\" is not a UDF (udf1 .. udf300)");
      ok = false;
      continue;
    }
    auto label = ReadYamlString(value, errors);
    if (!label) {
      ok = false;
      continue;
    }
    if (std::string problem = LabelNameProblem(*label); !problem.empty()) {
      errors.Add(value.at, "\"" + *label + "\" is not a valid label name: " + problem);
      ok = false;
      continue;
    }
    for (const auto& earlier : labels) {
      if (earlier.udf == udf) {
        errors.Add(value.at, key + " is mapped twice");
        ok = false;
      } else if (earlier.label == *label) {
        errors.Add(value.at, "label \"" + *label + "\" is used for udf" +
                                 std::to_string(earlier.udf) + " too; label names must be unique");
        ok = false;
      }
    }
    labels.push_back(UdfLabelConfig{udf, std::move(*label), false});
  }
  if (!ok) return;
  std::sort(labels.begin(), labels.end(),
            [](const UdfLabelConfig& a, const UdfLabelConfig& b) { return a.label < b.label; });
  out = std::move(labels);
}

}  // namespace

void ReadDeviceMetricsConfig(const YamlField& field, DeviceMetricsConfig& out,
                             std::optional<std::vector<ConfigText>>& udf_site_counts,
                             ConfigErrorList& errors) {
  const auto map = YamlMapReader::Open(field, kDeviceMetricsKeys, errors);
  if (!map) return;
  if (const auto* f = map->Find("enabled")) {
    if (const auto value = ReadYamlBool(*f, errors)) out.enabled = *value;
  }
  if (const auto* f = map->Find("categories")) {
    if (const auto entries = ReadYamlStringList(*f, errors)) {
      bool ok = true;
      for (const auto& entry : *entries) {
        if (entry.value.empty()) {
          errors.Add(entry.at, "is empty (give a device category such as Server)");
          ok = false;
        }
      }
      if (ok) {
        out.categories.clear();
        for (const auto& entry : *entries) out.categories.push_back(entry.value);
      }
    }
  }
  if (const auto* f = map->Find("max_devices")) {
    if (const auto value = ReadYamlInt(*f, errors)) {
      if (*value < 1 || *value > kMaxDeviceMetricsDevices) {
        errors.Add(f->at, std::to_string(*value) + " is out of range (1..1000000)");
      } else {
        out.max_devices = *value;
      }
    }
  }
  if (const auto* f = map->Find("stale_after")) ReadStaleAfter(*f, out.stale_after, errors);
  ReadYamlPositiveDuration(*map, "warranty_horizon", out.warranty_horizon, errors);
  if (const auto* f = map->Find("udf_labels")) ReadUdfLabels(*f, out.udf_labels, errors);
  if (const auto* f = map->Find("udf_site_counts")) {
    if (auto entries = ReadYamlStringList(*f, errors)) udf_site_counts = std::move(entries);
  }
  if (const auto* f = map->Find("max_udf_values")) {
    if (const auto value = ReadYamlInt(*f, errors)) {
      if (*value < 1 || *value > kMaxUdfValuesLimit) {
        errors.Add(f->at, std::to_string(*value) + " is out of range (1..10000)");
      } else {
        out.max_udf_values = *value;
      }
    }
  }
}

void ResolveUdfSiteCounts(const std::vector<ConfigText>& names, std::vector<UdfLabelConfig>& labels,
                          ConfigErrorList& errors) {
  for (auto& label : labels) label.site_counts = false;
  for (const auto& entry : names) {
    const auto it = std::find_if(labels.begin(), labels.end(),
                                 [&](const UdfLabelConfig& l) { return l.label == entry.value; });
    if (it == labels.end()) {
      std::string known;
      for (const auto& label : labels) known += (known.empty() ? "" : ", ") + label.label;
      errors.Add(entry.at, "\"" + entry.value + "\" is not a label of device_metrics.udf_labels (" +
                               (known.empty() ? std::string("none is set") : known) + ")");
      continue;
    }
    it->site_counts = true;
  }
}

}  // namespace drmm
