// Accounts loaded from a scenario file (JSON; format in docs/simulator.md): sites, devices and
// open alerts written in the API's own property names. A property given (null included) is
// served as given; one left out gets a realistic generated value, so a scenario only spells out
// what a test cares about.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "common/result.h"
#include "sim/model.h"

namespace drmm::sim {

struct ScenarioDefaults {
  std::uint64_t seed = 1;  // for generated values, unless the file sets "seed"
  double online_ratio = 0.85;
  std::int64_t now_ms = 0;
};

struct Scenario {
  AccountState state;
  std::optional<std::uint64_t> seed;  // the file's "seed", if any
};

// An error names the offending element ("devices[3].online: ..."), LoadScenarioFile's the file
// before it ("path: devices[3].online: ...").
Result<Scenario> ParseScenario(const nlohmann::json& document, const ScenarioDefaults& defaults);
Result<Scenario> LoadScenarioFile(const std::string& path, const ScenarioDefaults& defaults);

}  // namespace drmm::sim
