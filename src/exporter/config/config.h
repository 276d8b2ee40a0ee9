// The exporter's settings after validation: the YAML file (--config.file), secrets from the
// environment or files, and the command-line flags, resolved into one immutable value. Nothing
// downstream parses or guesses; every default lives here or in config_loader.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/log.h"
#include "exporter/config/collectors.h"

namespace drmm {

using std::chrono::milliseconds;

struct CollectorConfig {
  bool enabled = true;
  milliseconds interval{0};

  bool operator==(const CollectorConfig&) const = default;
};

// Every collector enabled at its default interval.
inline PerCollector<CollectorConfig> DefaultCollectors() {
  PerCollector<CollectorConfig> collectors;
  for (const auto& spec : kCollectorSpecs) collectors[spec.id] = {true, spec.default_interval};
  return collectors;
}

// Which sites are exported. Entries of include/exclude are either a site uid (matched exactly)
// or a regular expression that must match the whole site name (ECMAScript syntax).
struct SiteFilterConfig {
  std::vector<std::string> include;  // empty: every site
  std::vector<std::string> exclude;  // applied after include
  bool deleted_devices = false;      // the "Deleted Devices" site every account has
  bool on_demand = true;             // sites whose onDemand is true

  bool operator==(const SiteFilterConfig&) const = default;
};

// A device UDF read into a label: udf<udf> becomes the label `label` on datto_rmm_device_info
// and, with site_counts, the `udf` label of datto_rmm_site_devices_udf.
struct UdfLabelConfig {
  int udf = 0;  // 1..300
  std::string label;
  bool site_counts = false;

  bool operator==(const UdfLabelConfig&) const = default;
};

// What the devices collector derives from each device. `enabled`, `categories` and
// `max_devices` shape the per-device series; the rest feed per-site counts too, which need no
// per-device series (they live here so that every device setting has one home).
struct DeviceMetricsConfig {
  bool enabled = false;  // per-device series: one set per device, mind the cardinality
  std::vector<std::string> categories;  // deviceType.category values to keep; empty: all
  std::int64_t max_devices = 10'000;    // above this, per-device series are cut and reported
  // Devices per site not seen for longer than each age (ascending, distinct).
  std::vector<milliseconds> stale_after = {std::chrono::days(1), std::chrono::days(7),
                                           std::chrono::days(30)};
  // A warranty that ends within this is "expiring", later "active".
  milliseconds warranty_horizon = std::chrono::days(30);
  std::vector<UdfLabelConfig> udf_labels;  // sorted by label; only these UDFs are decoded
  // Distinct values per UDF counted per site (the rest are reported as dropped).
  std::int64_t max_udf_values = 50;

  bool operator==(const DeviceMetricsConfig&) const = default;
};

struct RateLimitConfig {
  int requests_per_minute = 300;  // this exporter's share of the account's 600
  // Pause after a 429 that carries no Retry-After.
  milliseconds default_retry_after{60'000};
  // Minimum pause after a 403 rate-limit block.
  milliseconds block_pause{300'000};
  // The longest pause a Retry-After (on a 429 or a 403 block) can impose; longer asks are cut.
  milliseconds max_pause{3'600'000};
  // After the token endpoint rejects the API key or secret, no new token request for this long.
  milliseconds auth_failure_backoff{300'000};

  bool operator==(const RateLimitConfig&) const = default;
};

struct AccountConfig {
  std::string name;      // the `account` label; unique
  std::string platform;  // as written; empty when api_url is used
  std::string base_url;  // resolved: https://<platform>-api.centrastage.net or api_url
  std::string api_key;
  std::string api_secret;
  // Where each came from, safe to log: "inline", "file <path>" or "env <NAME>".
  std::string api_key_source;
  std::string api_secret_source;
  std::string ca_file;  // empty: the system trust store
  milliseconds connect_timeout{5'000};
  milliseconds read_timeout{30'000};      // each read of a response
  milliseconds request_timeout{120'000};  // a whole request, connect to last byte
  // A whole page walk; nullopt: max_staleness (a walk that takes longer cannot refresh data in
  // time anyway).
  std::optional<milliseconds> walk_timeout;
  std::uint64_t max_response_bytes = std::uint64_t{32} << 20;  // a response after inflating
  // Pages of a sites or devices walk fetched at once (1: one after another). Each still passes
  // the rate budget; more in flight only hides Datto's latency.
  int pages_in_flight = 6;
  milliseconds max_staleness{900'000};  // 15m
  RateLimitConfig rate_limit;
  PerCollector<CollectorConfig> collectors = DefaultCollectors();
  SiteFilterConfig site_filter;
  DeviceMetricsConfig device_metrics;
  // Data families to leave out of /metrics (IsExcludable names of the metric catalog): for
  // MSPs who pay per active series and do not use, say, datto_rmm_site_patches.
  std::vector<std::string> excluded_metrics;

  bool operator==(const AccountConfig&) const = default;
};

struct Config {
  std::string file;  // where it was read from
  std::vector<AccountConfig> accounts;
};

// Command-line flags, named as every Prometheus exporter names them.
struct Flags {
  std::string config_file = "config.yaml";  // --config.file
  bool config_check = false;                // --config.check
  // --web.listen-address, repeatable; given at all, it replaces the default.
  std::vector<std::string> listen_addresses = {":9768"};
  std::string web_config_file;                // --web.config.file; "": plain HTTP, no auth
  bool systemd_socket = false;                // --web.systemd-socket
  bool enable_lifecycle = false;              // --web.enable-lifecycle: POST /-/reload
  int max_requests = 40;                      // --web.max-requests; 0: no limit
  std::string telemetry_path = "/metrics";    // --web.telemetry-path
  LogLevel log_level = LogLevel::kInfo;       // --log.level
  LogFormat log_format = LogFormat::kLogfmt;  // --log.format
  bool healthcheck = false;                   // --healthcheck
  bool version = false;                       // --version
  bool help = false;                          // --help / -h
};

}  // namespace drmm
