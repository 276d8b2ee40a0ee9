#include "exporter/collect/rate_data.h"

namespace drmm {

RateData RateDataFrom(const datto::RateStatus& status) {
  RateData data;
  data.account_requests_in_window = status.account_count;
  data.account_rate_limit = status.account_rate_limit;
  data.account_cutoff_ratio = status.account_cutoff_ratio;
  data.window_seconds = status.sliding_window_seconds;
  return data;
}

}  // namespace drmm
