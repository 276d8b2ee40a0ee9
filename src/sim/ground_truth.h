// What the exporter should report for the simulator's current account: per-site figures computed
// with the label semantics (labels.h), in the JSON format of GET /__sim/ground-truth.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>

#include "sim/model.h"

namespace drmm::sim {

// Stale agents and warranty are judged at `now_ms` (epoch ms) with the exporter's defaults:
// not seen for more than 1d, 7d, 30d; warranty expiring within 30 days.
nlohmann::json ComputeGroundTruth(const AccountState& state, int page_size, int alerts_page_size,
                                  std::int64_t now_ms);

}  // namespace drmm::sim
