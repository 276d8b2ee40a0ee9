// The six Datto RMM platforms and their API hosts (README "Hosts"): the one place that knows
// them; the config loader validates `platform:` against this list.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace drmm::datto {

inline constexpr std::array<std::string_view, 6> kPlatforms = {"pinotage", "merlot",    "concord",
                                                               "vidal",    "zinfandel", "syrah"};

// "merlot" -> "https://merlot-api.centrastage.net"; nullopt for any other name (exact match).
std::optional<std::string> PlatformBaseUrl(std::string_view platform);

// "pinotage, merlot, concord, vidal, zinfandel, syrah", for messages and help.
std::string PlatformList();

}  // namespace drmm::datto
