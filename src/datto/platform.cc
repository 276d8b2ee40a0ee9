#include "datto/platform.h"

#include <algorithm>

namespace drmm::datto {

std::optional<std::string> PlatformBaseUrl(std::string_view platform) {
  if (std::find(kPlatforms.begin(), kPlatforms.end(), platform) == kPlatforms.end()) {
    return std::nullopt;
  }
  return "https://" + std::string(platform) + "-api.centrastage.net";
}

std::string PlatformList() {
  std::string out;
  for (const auto name : kPlatforms) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace drmm::datto
