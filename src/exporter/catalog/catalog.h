// The one list of every metric family the exporter exposes: name, type, labels and HELP text.
// The renderer, SelfMetrics and ProcessCollectable take their names and HELP from here, the
// config loader checks exclude_metrics against it, and docs/metrics.md's table is generated
// from it (a test keeps them in step).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "prometheus/metric_type.h"

namespace drmm {

struct MetricSpec {
  std::string_view name;
  prometheus::MetricType type;
  std::string_view labels;  // space-separated, in the order the series carry them
  std::string_view help;
  std::string_view source;  // what produces the data (a collector, the exporter, the process)
};

// Account state, kept by the poller.
inline constexpr MetricSpec kMetricUp{
    "datto_rmm_up", prometheus::MetricType::Gauge, "account",
    "1 when the most recent request to the account's Datto API authenticated and returned data, "
    "0 before the first success or after the API could not be used.",
    "poller"};
inline constexpr MetricSpec kMetricCollectorSuccess{
    "datto_rmm_collector_success", prometheus::MetricType::Gauge, "account collector",
    "1 when the collector's most recent run succeeded, 0 when it failed or has not run yet "
    "(enabled collectors only).",
    "poller"};
inline constexpr MetricSpec kMetricCollectorDuration{
    "datto_rmm_collector_duration_seconds", prometheus::MetricType::Gauge, "account collector",
    "Duration of the collector's most recent run (page walk and fold), in seconds; absent "
    "before its first run.",
    "poller"};
inline constexpr MetricSpec kMetricCollectorLastSuccess{
    "datto_rmm_collector_last_success_timestamp_seconds", prometheus::MetricType::Gauge,
    "account collector",
    "Unix time of the collector's most recent successful run; absent before its first success.",
    "poller"};
inline constexpr MetricSpec kMetricCollectorRunningSince{
    "datto_rmm_collector_running_since_timestamp_seconds", prometheus::MetricType::Gauge,
    "account collector",
    "Unix time at which the collector's run in progress started; 0 while it waits for its next "
    "run. A run that never ends (a hung request or walk) shows as a start that keeps ageing.",
    "poller"};
inline constexpr MetricSpec kMetricTokenExpiry{
    "datto_rmm_auth_token_expiry_timestamp_seconds", prometheus::MetricType::Gauge, "account",
    "Unix time at which the current API access token expires; absent before the first token.",
    "poller"};
inline constexpr MetricSpec kMetricBudget{
    "datto_rmm_api_budget_requests_per_minute", prometheus::MetricType::Gauge, "account",
    "Requests per minute this exporter allows itself against the account: its configured share, "
    "lowered when the other consumers of the account leave less below the 90% cut-off.",
    "poller"};
inline constexpr MetricSpec kMetricRequestsInWindow{
    "datto_rmm_api_requests_in_window", prometheus::MetricType::Gauge, "account",
    "Requests this exporter sent to the account in the current sliding window (60s on Datto).",
    "poller"};
inline constexpr MetricSpec kMetricPollBudgetUtilization{
    "datto_rmm_poll_budget_utilization_ratio", prometheus::MetricType::Gauge, "account",
    "Requests per minute the collector schedules need over the exporter's budget; above 0.9 the "
    "intervals are being stretched (the last 10% is kept for retries and token renewals).",
    "poller"};

// From /system/request_rate.
inline constexpr MetricSpec kMetricAccountRequestsInWindow{
    "datto_rmm_api_account_requests_in_window", prometheus::MetricType::Gauge, "account",
    "Read requests the whole Datto account (every user and integration) made in the API's "
    "sliding window. Cached; refreshed by the rate_status collector (default every 30s).",
    "rate_status"};
inline constexpr MetricSpec kMetricAccountRateLimit{
    "datto_rmm_api_account_rate_limit", prometheus::MetricType::Gauge, "account",
    "Read requests the Datto account may make in the API's sliding window. Cached; refreshed "
    "by the rate_status collector (default every 30s).",
    "rate_status"};

// Per site.
inline constexpr MetricSpec kMetricSiteInfo{
    "datto_rmm_site_info", prometheus::MetricType::Gauge,
    "account site_uid site on_demand portal_url autotask_company_id autotask_company_name",
    "Site metadata, value 1; on_demand is true for sites that hold on-demand devices; "
    "portal_url is the site's page in the Datto RMM web portal (empty when unknown); "
    "autotask_company_id and autotask_company_name name the linked Autotask (PSA) company "
    "(empty when not linked). Cached; refreshed by the sites collector (default every 5m).",
    "sites"};
inline constexpr MetricSpec kMetricSiteDevices{
    "datto_rmm_site_devices", prometheus::MetricType::Gauge,
    "account site_uid site category status",
    "Devices per site, device category (deviceType.category) and status (online, offline). "
    "Cached; refreshed by the devices collector (default every 5m).",
    "devices"};
inline constexpr MetricSpec kMetricSitePatchStatus{
    "datto_rmm_site_devices_patch_status", prometheus::MetricType::Gauge,
    "account site_uid site patch_status",
    "Devices per site and patch status (not_applicable: no patch management data). Cached; "
    "refreshed by the devices collector (default every 5m).",
    "devices"};
inline constexpr MetricSpec kMetricSitePatches{
    "datto_rmm_site_patches", prometheus::MetricType::Gauge, "account site_uid site state",
    "Patches per site and state (approved_pending, not_approved, installed), summed over the "
    "site's devices. Cached; refreshed by the devices collector (default every 5m).",
    "devices"};
inline constexpr MetricSpec kMetricSiteRebootRequired{
    "datto_rmm_site_devices_reboot_required", prometheus::MetricType::Gauge,
    "account site_uid site",
    "Devices per site that need a reboot. Cached; refreshed by the devices collector (default "
    "every 5m).",
    "devices"};
inline constexpr MetricSpec kMetricSiteAntivirusStatus{
    "datto_rmm_site_devices_antivirus_status", prometheus::MetricType::Gauge,
    "account site_uid site antivirus_status",
    "Devices per site and antivirus status (not_applicable: no antivirus data). Cached; "
    "refreshed by the devices collector (default every 5m).",
    "devices"};
inline constexpr MetricSpec kMetricSiteDevicesNotSeen{
    "datto_rmm_site_devices_not_seen", prometheus::MetricType::Gauge,
    "account site_uid site older_than",
    "Devices per site last seen longer ago than older_than (device_metrics.stale_after, "
    "default 1d, 7d, 30d); a device never seen counts at every age. Cached; refreshed by the "
    "devices collector (default every 5m).",
    "devices"};
inline constexpr MetricSpec kMetricSiteDevicesWarranty{
    "datto_rmm_site_devices_warranty", prometheus::MetricType::Gauge,
    "account site_uid site warranty",
    "Devices per site by warranty (warrantyDate): expired, expiring (within "
    "device_metrics.warranty_horizon, default 30d), active (later), unknown (no date). Cached; "
    "refreshed by the devices collector (default every 5m).",
    "devices"};
inline constexpr MetricSpec kMetricSiteDevicesState{
    "datto_rmm_site_devices_state", prometheus::MetricType::Gauge, "account site_uid site state",
    "Devices per site by state: active, suspended, deleted (deleted wins over suspended). "
    "Cached; refreshed by the devices collector (default every 5m).",
    "devices"};
inline constexpr MetricSpec kMetricSiteDevicesUdf{
    "datto_rmm_site_devices_udf", prometheus::MetricType::Gauge, "account site_uid site udf value",
    "Devices per site and value of a UDF (udf: its label in device_metrics.udf_labels, for "
    "those in device_metrics.udf_site_counts; value empty when unset). Cached; refreshed by the "
    "devices collector (default every 5m).",
    "devices"};
inline constexpr MetricSpec kMetricUdfDevicesDropped{
    "datto_rmm_udf_devices_dropped", prometheus::MetricType::Gauge, "account udf",
    "Devices left out of datto_rmm_site_devices_udf because their value was not among the "
    "device_metrics.max_udf_values kept (the smallest values). Cached; refreshed by the devices "
    "collector (default every 5m).",
    "devices"};
inline constexpr MetricSpec kMetricSiteAlertsOpen{
    "datto_rmm_site_alerts_open", prometheus::MetricType::Gauge,
    "account site_uid site priority muted",
    "Open alerts per site, priority and muted state (muted=\"true\": acknowledged in Datto). "
    "Cached; refreshed by the alerts collector (default every 60s).",
    "alerts"};
inline constexpr MetricSpec kMetricSiteOldestOpenAlert{
    "datto_rmm_site_oldest_open_alert_timestamp_seconds", prometheus::MetricType::Gauge,
    "account site_uid site priority muted",
    "Unix time of the oldest open alert per site, priority and muted state; absent where there "
    "is none. "
    "Cached; refreshed by the alerts collector (default every 60s).",
    "alerts"};

// Account-wide (the sites the filter keeps).
inline constexpr MetricSpec kMetricAlertsOpen{
    "datto_rmm_alerts_open", prometheus::MetricType::Gauge, "account priority type muted",
    "Open alerts of the exported sites per priority, type (alertContext @class) and muted "
    "state. Cached; refreshed by the alerts collector (default every 60s).",
    "alerts"};

// Per device (device_metrics.enabled).
inline constexpr MetricSpec kMetricDeviceInfo{
    "datto_rmm_device_info", prometheus::MetricType::Gauge,
    "account device_uid hostname category device_class os site_uid site",
    "Device metadata, value 1; join on device_uid. The labels of device_metrics.udf_labels "
    "follow site (empty when the UDF is unset). Cached; refreshed by the devices collector "
    "(default every 5m).",
    "devices"};
inline constexpr MetricSpec kMetricDeviceOnline{
    "datto_rmm_device_online", prometheus::MetricType::Gauge, "account site_uid device_uid",
    "1 when the device is online. Cached; refreshed by the devices collector (default every "
    "5m).",
    "devices"};
inline constexpr MetricSpec kMetricDeviceLastSeen{
    "datto_rmm_device_last_seen_timestamp_seconds", prometheus::MetricType::Gauge,
    "account site_uid device_uid",
    "Unix time the device was last seen; absent when never seen. Cached; refreshed by the "
    "devices collector (default every 5m).",
    "devices"};
inline constexpr MetricSpec kMetricDevicePatchesApprovedPending{
    "datto_rmm_device_patches_approved_pending", prometheus::MetricType::Gauge,
    "account site_uid device_uid",
    "Approved patches waiting to be installed on the device. Cached; refreshed by the devices "
    "collector (default every 5m).",
    "devices"};
inline constexpr MetricSpec kMetricDeviceRebootRequired{
    "datto_rmm_device_reboot_required", prometheus::MetricType::Gauge,
    "account site_uid device_uid",
    "1 when the device needs a reboot. Cached; refreshed by the devices collector (default "
    "every 5m).",
    "devices"};
inline constexpr MetricSpec kMetricDeviceMetricsDropped{
    "datto_rmm_device_metrics_dropped", prometheus::MetricType::Gauge, "account",
    "Devices left out of the per-device series because device_metrics.max_devices was reached. "
    "Cached; refreshed by the devices collector (default every 5m).",
    "devices"};

// The exporter's own traffic (SelfMetrics).
inline constexpr MetricSpec kMetricBuildInfo{
    "datto_rmm_exporter_build_info", prometheus::MetricType::Gauge, "version revision",
    "The exporter's version and VCS revision, value 1.", "exporter"};
inline constexpr MetricSpec kMetricApiRequests{
    "datto_rmm_api_requests_total", prometheus::MetricType::Counter, "account endpoint code",
    "HTTP requests sent to the Datto API per route template and status code (\"error\": no "
    "response).",
    "exporter"};
inline constexpr MetricSpec kMetricApiRequestDuration{
    "datto_rmm_api_request_duration_seconds", prometheus::MetricType::Histogram, "account endpoint",
    "Time from sending a Datto API request to having its whole response, in seconds.", "exporter"};
inline constexpr MetricSpec kMetricApiRetries{
    "datto_rmm_api_retries_total", prometheus::MetricType::Counter, "account reason",
    "Datto API requests retried, per reason (transport, server_error, unauthorized, decode, "
    "rate_limited).",
    "exporter"};
inline constexpr MetricSpec kMetricDecodeErrors{
    "datto_rmm_decode_errors_total", prometheus::MetricType::Counter, "account endpoint",
    "Datto API responses whose body was not the JSON expected.", "exporter"};
inline constexpr MetricSpec kMetricDecodeWarnings{
    "datto_rmm_decode_warnings_total", prometheus::MetricType::Counter, "account endpoint",
    "Fields of an unexpected type in Datto API responses (read as absent) and list entries that "
    "were not objects: the response was used, but Datto's data shape has drifted.",
    "exporter"};
inline constexpr MetricSpec kMetricUnknownEnumValues{
    "datto_rmm_unknown_enum_values_total", prometheus::MetricType::Counter, "account field",
    "Distinct values outside the documented set seen per API field (each value counted once "
    "per account; the value itself is exported as a label value of the data series).",
    "exporter"};
inline constexpr MetricSpec kMetricThrottleWait{
    "datto_rmm_api_throttle_wait_seconds_total", prometheus::MetricType::Counter, "account",
    "Seconds requests waited at the account's rate gate before being sent: for the exporter's "
    "own budget, a 429's Retry-After, or a 403 block.",
    "exporter"};
inline constexpr MetricSpec kMetricRateLimited{
    "datto_rmm_api_rate_limited_total", prometheus::MetricType::Counter, "account",
    "Datto API answers of HTTP 429 (too many requests).", "exporter"};
inline constexpr MetricSpec kMetricBlocked{
    "datto_rmm_api_blocked", prometheus::MetricType::Gauge, "account",
    "1 while the Datto API blocks the account's requests after rate-limit violations (HTTP "
    "403), 0 otherwise.",
    "exporter"};

// The configuration's reloads (SelfMetrics), named after Prometheus's own
// prometheus_config_last_reload_*: the exporter's, not an account's, so no account label.
inline constexpr MetricSpec kMetricConfigLastReloadSuccessful{
    "datto_rmm_config_last_reload_successful", prometheus::MetricType::Gauge, "",
    "1 when the most recent reload of the configuration and web config (SIGHUP, POST "
    "/-/reload, or the web config file changing) applied, 0 when it failed and the previous "
    "configuration stays in use.",
    "exporter"};
inline constexpr MetricSpec kMetricConfigLastReloadSuccessTimestamp{
    "datto_rmm_config_last_reload_success_timestamp_seconds", prometheus::MetricType::Gauge, "",
    "Unix time of the most recent successful load of the configuration (the start counts).",
    "exporter"};

// The telemetry handler's own metrics (SelfMetrics), under promhttp's names and HELP, which
// dashboards and alerts written for any Go exporter already query.
inline constexpr MetricSpec kMetricHandlerRequests{
    "promhttp_metric_handler_requests_total", prometheus::MetricType::Counter, "code",
    "Total number of scrapes by HTTP status code.", "exporter"};
inline constexpr MetricSpec kMetricHandlerInFlight{
    "promhttp_metric_handler_requests_in_flight", prometheus::MetricType::Gauge, "",
    "Current number of scrapes being served.", "exporter"};

// The standard process metrics (ProcessCollectable), read from /proc/self.
inline constexpr MetricSpec kMetricProcessCpu{
    "process_cpu_seconds_total", prometheus::MetricType::Counter, "",
    "Total user and system CPU time spent in seconds.", "process"};
inline constexpr MetricSpec kMetricProcessResident{"process_resident_memory_bytes",
                                                   prometheus::MetricType::Gauge, "",
                                                   "Resident memory size in bytes.", "process"};
inline constexpr MetricSpec kMetricProcessVirtual{"process_virtual_memory_bytes",
                                                  prometheus::MetricType::Gauge, "",
                                                  "Virtual memory size in bytes.", "process"};
inline constexpr MetricSpec kMetricProcessOpenFds{"process_open_fds", prometheus::MetricType::Gauge,
                                                  "", "Number of open file descriptors.",
                                                  "process"};
inline constexpr MetricSpec kMetricProcessMaxFds{"process_max_fds", prometheus::MetricType::Gauge,
                                                 "", "Maximum number of open file descriptors.",
                                                 "process"};
inline constexpr MetricSpec kMetricProcessStartTime{
    "process_start_time_seconds", prometheus::MetricType::Gauge, "",
    "Start time of the process since unix epoch in seconds.", "process"};

// Every family, in the order BuildFamilies emits them and the docs list them.
inline constexpr std::array kMetricCatalog = {
    &kMetricUp,
    &kMetricCollectorSuccess,
    &kMetricCollectorDuration,
    &kMetricCollectorLastSuccess,
    &kMetricCollectorRunningSince,
    &kMetricTokenExpiry,
    &kMetricBudget,
    &kMetricRequestsInWindow,
    &kMetricPollBudgetUtilization,
    &kMetricAccountRequestsInWindow,
    &kMetricAccountRateLimit,
    &kMetricSiteInfo,
    &kMetricSiteDevices,
    &kMetricSitePatchStatus,
    &kMetricSitePatches,
    &kMetricSiteRebootRequired,
    &kMetricSiteAntivirusStatus,
    &kMetricSiteDevicesNotSeen,
    &kMetricSiteDevicesWarranty,
    &kMetricSiteDevicesState,
    &kMetricSiteDevicesUdf,
    &kMetricUdfDevicesDropped,
    &kMetricSiteAlertsOpen,
    &kMetricSiteOldestOpenAlert,
    &kMetricAlertsOpen,
    &kMetricDeviceInfo,
    &kMetricDeviceOnline,
    &kMetricDeviceLastSeen,
    &kMetricDevicePatchesApprovedPending,
    &kMetricDeviceRebootRequired,
    &kMetricDeviceMetricsDropped,
    &kMetricBuildInfo,
    &kMetricApiRequests,
    &kMetricApiRequestDuration,
    &kMetricApiRetries,
    &kMetricDecodeErrors,
    &kMetricDecodeWarnings,
    &kMetricUnknownEnumValues,
    &kMetricThrottleWait,
    &kMetricRateLimited,
    &kMetricBlocked,
    &kMetricConfigLastReloadSuccessful,
    &kMetricConfigLastReloadSuccessTimestamp,
    &kMetricHandlerRequests,
    &kMetricHandlerInFlight,
    &kMetricProcessCpu,
    &kMetricProcessResident,
    &kMetricProcessVirtual,
    &kMetricProcessOpenFds,
    &kMetricProcessMaxFds,
    &kMetricProcessStartTime,
};

// The families a config may leave out (exclude_metrics): the per-site, account-wide alert and
// per-device data. The exporter's health and traffic families always stay.
bool IsExcludable(const MetricSpec& spec);
// Their names, comma-separated, for messages.
std::string ExcludableMetricsList();

// The spec's label names, in order.
std::vector<std::string> LabelNames(const MetricSpec& spec);
// "gauge", "counter", "histogram", ...
std::string_view TypeName(prometheus::MetricType type);
// nullptr when the name is not in kMetricCatalog.
const MetricSpec* FindMetric(std::string_view name);
// The Markdown table docs/metrics.md carries: one row per family in kMetricCatalog order.
std::string MetricsTableMarkdown();

}  // namespace drmm
