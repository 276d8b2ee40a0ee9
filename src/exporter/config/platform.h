// Where an account's API lives: one of the six Datto RMM platforms (README "Hosts" of the API
// notes), or an explicit api_url (the bundled simulator, a proxy) checked to be a bare origin,
// because the client appends /api/v2/... and /auth/oauth/token to it and refuses pages from any
// other origin.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace drmm {

inline constexpr std::array<std::string_view, 6> kPlatforms = {"pinotage", "merlot",    "concord",
                                                               "vidal",    "zinfandel", "syrah"};

// "merlot" -> "https://merlot-api.centrastage.net"; nullopt for any other name (exact match).
std::optional<std::string> PlatformBaseUrl(std::string_view platform);

// "pinotage, merlot, concord, vidal, zinfandel, syrah", for messages and help.
std::string PlatformList();

struct ApiOrigin {
  std::string url;  // scheme://host[:port], no trailing "/"
};

// Accepts http(s)://host[:port] with an optional trailing "/"; anything else (a path, query,
// fragment, user info, a bad host or port) gives a message. Messages quote the URL only where
// it cannot hold a credential (never user info or a query).
Result<ApiOrigin> ParseApiUrl(std::string_view url);

}  // namespace drmm
