// Folds the pages of an /account/devices walk into per-site counts (DevicesData), one page at a
// time: an account of 100,000 devices is folded without keeping its pages, and only the
// per-device rows that device_metrics asks for (capped at max_devices) are kept. The walk has
// already dropped devices seen on an earlier page; a device without a uid or a site uid cannot
// be labelled and is left out.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "datto/model.h"
#include "exporter/collect/snapshot.h"
#include "exporter/config/config.h"

namespace drmm {

class DevicesFold {
 public:
  explicit DevicesFold(const DeviceMetricsConfig& per_device);

  void Add(std::vector<datto::Device>&& page);
  DevicesData Finish() &&;

 private:
  bool WantsRow(const std::string& category) const;
  void KeepRow(DeviceRow row);

  const bool rows_enabled_;
  const std::vector<std::string> categories_;  // empty: every category
  const std::size_t max_rows_;
  DevicesData data_;
  std::vector<DeviceRow> rows_;  // a max-heap by uid while folding, so the largest goes first
};

}  // namespace drmm
