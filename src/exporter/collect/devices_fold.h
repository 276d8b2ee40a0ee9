// Folds the pages of an /account/devices walk into per-site counts (DevicesData), one page at a
// time: an account of 100,000 devices is folded without keeping its pages, and only the
// per-device rows that device_metrics asks for (capped at max_devices) are kept. The walk has
// already dropped devices seen on an earlier page; a device without a uid or a site uid cannot
// be labelled and is left out. Stale and warranty counts are taken against the `now` the fold
// is made with (the poller's clock), UDF values only for the configured UDFs.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "datto/decode.h"
#include "datto/model.h"
#include "exporter/collect/snapshot.h"
#include "exporter/config/config.h"

namespace drmm {

// What the devices and sites walks must decode beyond the common fields for these settings:
// warranty dates, the Autotask company of sites, and the configured UDFs.
datto::DecodeOptions DecodeOptionsFor(const DeviceMetricsConfig& per_device);

class DevicesFold {
 public:
  DevicesFold(const DeviceMetricsConfig& per_device, WallTime now);

  void Add(std::vector<datto::Device>&& page);
  DevicesData Finish() &&;

 private:
  bool WantsRow(const std::string& category) const;
  void KeepRow(DeviceRow row);
  void CapUdfValues();

  const bool rows_enabled_;
  const std::vector<std::string> categories_;  // empty: every category
  const std::size_t max_rows_;
  const WallTime now_;
  const std::vector<std::chrono::milliseconds> stale_after_;
  const std::chrono::milliseconds warranty_horizon_;
  const std::vector<UdfLabelConfig> udf_labels_;  // sorted by label
  const std::size_t max_udf_values_;
  DevicesData data_;
  std::vector<DeviceRow> rows_;  // a max-heap by uid while folding, so the largest goes first
};

}  // namespace drmm
