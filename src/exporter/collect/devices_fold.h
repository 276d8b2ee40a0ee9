// Folds the pages of an /account/devices walk into per-site counts (DevicesData), one page at a
// time: an account of 100,000 devices is folded without keeping its pages, and only the
// per-device rows that device_metrics asks for (capped at max_devices) are kept.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "datto/model.h"
#include "exporter/collect/snapshot.h"
#include "exporter/collect/unknown_values.h"
#include "exporter/config/config.h"

namespace drmm {

class DevicesFold {
 public:
  // `on_unknown` hears each unknown patchStatus, antivirusStatus or deviceClass value once.
  explicit DevicesFold(const DeviceMetricsConfig& per_device, UnknownValueSink on_unknown = {});

  void Add(std::vector<datto::Device>&& page);
  DevicesData Finish() &&;

 private:
  bool WantsRow(const std::string& category) const;
  void KeepRow(DeviceRow row);

  const bool rows_enabled_;
  const std::vector<std::string> categories_;  // empty: every category
  const std::size_t max_rows_;
  UnknownValueReporter unknown_;
  // Hashes of the uids folded so far: 8 bytes a device instead of a copy of each uid string.
  // A 64-bit collision among 100,000 uids (odds about 1 in 10^9) would drop one device.
  std::unordered_set<std::uint64_t> seen_;
  DevicesData data_;
  std::vector<DeviceRow> rows_;  // a max-heap by uid while folding, so the largest goes first
};

}  // namespace drmm
