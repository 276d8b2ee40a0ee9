// What the exporter should report for the simulator's current account: per-site figures computed
// with the label semantics (labels.h), in the JSON format of GET /__sim/ground-truth.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/model.h"

namespace drmm::sim {

nlohmann::json ComputeGroundTruth(const AccountState& state, int page_size, int alerts_page_size);

}  // namespace drmm::sim
