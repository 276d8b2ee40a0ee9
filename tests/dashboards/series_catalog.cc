#include "series_catalog.h"

#include <regex>

namespace drmm::lint {
namespace {

// What each word of a recording rule's level stands for. Every recorded series also keeps job
// and instance (see the header of rules/datto-rmm-recording.yml).
const std::map<std::string_view, std::vector<std::string_view>>& LevelLabels() {
  static const std::map<std::string_view, std::vector<std::string_view>> levels = {
      {"account", {"account"}},   {"site", {"site_uid", "site"}},
      {"priority", {"priority"}}, {"status", {"status"}},
      {"category", {"category"}}, {"collector", {"collector"}},
      {"endpoint", {"endpoint"}}, {"code", {"code"}},
  };
  return levels;
}

}  // namespace

const std::vector<KnownMetric>& KnownMetrics() {
  using enum MetricType;
  static const std::vector<KnownMetric> metrics = {
      // Prometheus's own per-target series.
      {"up", kGauge, {}},
      // Per site.
      {"datto_rmm_site_info", kGauge, {"account", "site_uid", "site", "on_demand"}},
      {"datto_rmm_site_devices", kGauge, {"account", "site_uid", "site", "category", "status"}},
      {"datto_rmm_site_alerts_open", kGauge, {"account", "site_uid", "site", "priority"}},
      {"datto_rmm_site_oldest_open_alert_timestamp_seconds",
       kGauge,
       {"account", "site_uid", "site", "priority"}},
      {"datto_rmm_site_devices_patch_status",
       kGauge,
       {"account", "site_uid", "site", "patch_status"}},
      {"datto_rmm_site_patches", kGauge, {"account", "site_uid", "site", "state"}},
      {"datto_rmm_site_devices_reboot_required", kGauge, {"account", "site_uid", "site"}},
      {"datto_rmm_site_devices_antivirus_status",
       kGauge,
       {"account", "site_uid", "site", "antivirus_status"}},
      // Account-wide.
      {"datto_rmm_alerts_open", kGauge, {"account", "priority", "type"}},
      // Per device (opt-in).
      {"datto_rmm_device_info",
       kGauge,
       {"account", "device_uid", "hostname", "category", "device_class", "os", "site_uid", "site"}},
      {"datto_rmm_device_online", kGauge, {"account", "site_uid", "device_uid"}},
      {"datto_rmm_device_last_seen_timestamp_seconds",
       kGauge,
       {"account", "site_uid", "device_uid"}},
      {"datto_rmm_device_patches_approved_pending", kGauge, {"account", "site_uid", "device_uid"}},
      {"datto_rmm_device_reboot_required", kGauge, {"account", "site_uid", "device_uid"}},
      // Exporter health.
      {"datto_rmm_up", kGauge, {"account"}},
      {"datto_rmm_collector_success", kGauge, {"account", "collector"}},
      {"datto_rmm_collector_duration_seconds", kGauge, {"account", "collector"}},
      {"datto_rmm_collector_last_success_timestamp_seconds", kGauge, {"account", "collector"}},
      {"datto_rmm_api_requests_total", kCounter, {"account", "endpoint", "code"}},
      {"datto_rmm_api_request_duration_seconds", kHistogram, {"account", "endpoint"}},
      {"datto_rmm_api_retries_total", kCounter, {"account", "reason"}},
      {"datto_rmm_decode_errors_total", kCounter, {"account", "endpoint"}},
      {"datto_rmm_auth_token_expiry_timestamp_seconds", kGauge, {"account"}},
      {"datto_rmm_exporter_build_info", kGauge, {"version", "revision"}},
      {"process_cpu_seconds_total", kCounter, {}},
      {"process_resident_memory_bytes", kGauge, {}},
      {"process_virtual_memory_bytes", kGauge, {}},
      {"process_open_fds", kGauge, {}},
      {"process_max_fds", kGauge, {}},
      {"process_start_time_seconds", kGauge, {}},
      // Rate budget.
      {"datto_rmm_api_budget_requests_per_minute", kGauge, {"account"}},
      {"datto_rmm_api_requests_in_window", kGauge, {"account"}},
      {"datto_rmm_api_account_requests_in_window", kGauge, {"account"}},
      {"datto_rmm_api_account_rate_limit", kGauge, {"account"}},
      {"datto_rmm_api_throttle_wait_seconds_total", kCounter, {"account"}},
      {"datto_rmm_api_rate_limited_total", kCounter, {"account"}},
      {"datto_rmm_api_blocked", kGauge, {"account"}},
      {"datto_rmm_poll_budget_utilization_ratio", kGauge, {"account"}},
      // Data quality (named in the metrics brief rather than the dashboards brief).
      {"datto_rmm_unknown_enum_values_total", kCounter, {"account", "field"}},
      {"datto_rmm_device_metrics_dropped", kGauge, {"account"}},
  };
  return metrics;
}

SeriesCatalog::SeriesCatalog() {
  for (const KnownMetric& metric : KnownMetrics()) {
    std::set<std::string> labels = {"job", "instance"};
    for (const std::string_view label : metric.labels) labels.emplace(label);
    if (metric.type == MetricType::kHistogram) {
      std::set<std::string> bucket = labels;
      bucket.emplace("le");
      exported_.emplace(std::string(metric.name) + "_bucket", std::move(bucket));
      exported_.emplace(std::string(metric.name) + "_sum", labels);
      exported_.emplace(std::string(metric.name) + "_count", labels);
    } else {
      exported_.emplace(std::string(metric.name), std::move(labels));
    }
  }
  // The exporter exports every value of these at 0 (docs/metrics.md); a query naming another
  // value is a typo that silently matches nothing.
  enum_values_ = {
      {"priority", {"critical", "high", "moderate", "low", "information", "unknown"}},
      {"patch_status",
       {"fully_patched", "approved_pending", "install_error", "reboot_required", "no_policy",
        "no_data", "not_applicable"}},
      {"antivirus_status",
       {"running_and_up_to_date", "running_and_not_up_to_date", "not_running", "not_detected",
        "not_applicable"}},
      {"status", {"online", "offline"}},
      {"state", {"approved_pending", "not_approved", "installed"}},
      {"collector", {"sites", "devices", "alerts", "rate_status"}},
      {"on_demand", {"true", "false"}},
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
  // Bounded by the level's length: each round consumes one word.
  while (start <= level.size()) {
    const std::size_t end = std::min(level.find('_', start), level.size());
    const std::string word = level.substr(start, end - start);
    const auto it = LevelLabels().find(word);
    if (it == LevelLabels().end()) {
      return "recording rule '" + text + "': level word '" + word + "' names no label group";
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
