// The six Datto RMM platforms and their API hosts (README "Hosts").
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "datto/datto_client.h"

namespace drmm::datto {

std::optional<std::string> PlatformBaseUrl(std::string_view platform) {
  static constexpr std::array<std::string_view, 6> kPlatforms = {"pinotage", "merlot",    "concord",
                                                                 "vidal",    "zinfandel", "syrah"};
  for (const auto name : kPlatforms) {
    if (name == platform) return "https://" + std::string(name) + "-api.centrastage.net";
  }
  return std::nullopt;
}

}  // namespace drmm::datto
