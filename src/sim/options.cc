#include "sim/options.h"

namespace drmm::sim {

std::optional<Error> ValidateOptions(const SimulatorOptions& o) {
  using std::chrono::milliseconds;
  if (o.port < 0 || o.port > 65535) return Error{"--port must be in [0, 65535]"};
  if (o.api_key.empty()) return Error{"--api-key must not be empty"};
  if (o.api_secret.empty()) return Error{"--api-secret must not be empty"};
  if (o.sites < 2) return Error{"--sites must be >= 2 (the count includes \"Deleted Devices\")"};
  if (o.sites > 100'000) return Error{"--sites must be <= 100000"};
  if (o.devices < 0 || o.devices > 2'000'000) return Error{"--devices must be in [0, 2000000]"};
  if (o.alerts < 0 || o.alerts > 1'000'000) return Error{"--alerts must be in [0, 1000000]"};
  if (!(o.online_ratio >= 0 && o.online_ratio <= 1))
    return Error{"--online-ratio must be in [0, 1]"};
  if (o.token_lifetime < milliseconds(1000)) return Error{"--token-lifetime must be >= 1s"};
  if (o.page_max < 1) return Error{"--page-max must be >= 1"};
  if (o.alerts_page_max < 1) return Error{"--alerts-page-max must be >= 1"};
  if (o.rate_limit < 1) return Error{"--rate-limit must be >= 1"};
  if (o.rate_window < milliseconds(1)) return Error{"--rate-window must be > 0"};
  if (!(o.cutoff_ratio > 0 && o.cutoff_ratio <= 1))
    return Error{"--cutoff-ratio must be in (0, 1]"};
  if (o.throttle_delay < milliseconds(0)) return Error{"--throttle-delay must be >= 0"};
  if (o.block_duration < milliseconds(1)) return Error{"--block-duration must be > 0"};
  if (o.block_after < 1) return Error{"--block-after must be >= 1"};
  if (!(o.other_consumers_rpm >= 0 && o.other_consumers_rpm <= 1'000'000)) {
    return Error{"--other-consumers-rpm must be in [0, 1000000]"};
  }
  if (!(o.churn_per_minute >= 0 && o.churn_per_minute <= 1'000'000)) {
    return Error{"--churn-per-minute must be in [0, 1000000]"};
  }
  if (!o.advertised_url.empty() && !o.advertised_url.starts_with("http://") &&
      !o.advertised_url.starts_with("https://")) {
    return Error{"--advertised-url must start with http:// or https://"};
  }
  if (o.threads < 1 || o.threads > 1024) return Error{"--threads must be in [1, 1024]"};
  return std::nullopt;
}

}  // namespace drmm::sim
