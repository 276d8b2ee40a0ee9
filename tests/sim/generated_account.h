// What the generator and churn tests start from: a fixed "now" and generator options by size.
#pragma once

#include <cstdint>

#include "sim/generator.h"

namespace drmm::sim::testing {

inline constexpr std::int64_t kNow = 1767225600000;  // 2026-01-01T00:00:00Z

inline GeneratorOptions Options(int sites, int devices, int alerts, std::uint64_t seed = 5) {
  GeneratorOptions o;
  o.seed = seed;
  o.sites = sites;
  o.devices = devices;
  o.alerts = alerts;
  return o;
}

}  // namespace drmm::sim::testing
