#include "sim/options.h"

namespace drmm::sim {

std::string ValidateOptions(const SimulatorOptions& o) {
  using std::chrono::milliseconds;
  if (o.port < 0 || o.port > 65535) return "--port must be in [0, 65535]";
  if (o.api_key.empty()) return "--api-key must not be empty";
  if (o.api_secret.empty()) return "--api-secret must not be empty";
  if (o.sites < 2) return "--sites must be >= 2 (the count includes \"Deleted Devices\")";
  if (o.sites > 100'000) return "--sites must be <= 100000";
  if (o.devices < 0 || o.devices > 2'000'000) return "--devices must be in [0, 2000000]";
  if (o.alerts < 0 || o.alerts > 1'000'000) return "--alerts must be in [0, 1000000]";
  if (!(o.online_ratio >= 0 && o.online_ratio <= 1)) return "--online-ratio must be in [0, 1]";
  if (o.token_lifetime < milliseconds(1000)) return "--token-lifetime must be >= 1s";
  if (o.page_max < 1) return "--page-max must be >= 1";
  if (o.alerts_page_max < 1) return "--alerts-page-max must be >= 1";
  if (o.rate_limit < 1) return "--rate-limit must be >= 1";
  if (o.rate_window < milliseconds(1)) return "--rate-window must be > 0";
  if (!(o.cutoff_ratio > 0 && o.cutoff_ratio <= 1)) return "--cutoff-ratio must be in (0, 1]";
  if (o.throttle_delay < milliseconds(0)) return "--throttle-delay must be >= 0";
  if (o.block_duration < milliseconds(1)) return "--block-duration must be > 0";
  if (o.block_after < 1) return "--block-after must be >= 1";
  if (!(o.other_consumers_rpm >= 0 && o.other_consumers_rpm <= 1'000'000)) {
    return "--other-consumers-rpm must be in [0, 1000000]";
  }
  if (!(o.churn_per_minute >= 0 && o.churn_per_minute <= 1'000'000)) {
    return "--churn-per-minute must be in [0, 1000000]";
  }
  if (!o.advertised_url.empty() && !o.advertised_url.starts_with("http://") &&
      !o.advertised_url.starts_with("https://")) {
    return "--advertised-url must start with http:// or https://";
  }
  if (o.threads < 1 || o.threads > 1024) return "--threads must be in [1, 1024]";
  return "";
}

}  // namespace drmm::sim
