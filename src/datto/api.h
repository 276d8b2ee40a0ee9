// What the exporter asks of one Datto RMM account, as an interface: DattoClient implements it
// over HTTP; the poller's unit tests script a fake one, so they need neither a network nor the
// simulator.
#pragma once

#include <functional>
#include <optional>
#include <stop_token>
#include <vector>

#include "common/clock.h"
#include "datto/model.h"
#include "datto/status.h"

namespace drmm::datto {

template <typename Item>
using PageSink = std::function<void(std::vector<Item>&& items)>;

class Api {
 public:
  virtual ~Api() = default;

  // Page walks over the account-wide lists. Each page's items go to `sink` as they arrive (a
  // 100,000-device walk never holds more than a few pages), in page order, without items
  // already seen earlier in the walk. A walk either completes or returns an error: callers
  // discard what they folded on error.
  virtual Status ForEachSite(const PageSink<Site>& sink, const std::stop_token& stop) = 0;
  virtual Status ForEachDevice(const PageSink<Device>& sink, const std::stop_token& stop) = 0;
  virtual Status ForEachOpenAlert(const PageSink<Alert>& sink, const std::stop_token& stop) = 0;
  virtual Result<RateStatus> GetRateStatus(const std::stop_token& stop) = 0;

  // When the cached token expires; nullopt before the first successful authentication.
  virtual std::optional<WallTime> TokenExpiry() const = 0;
};

}  // namespace drmm::datto
