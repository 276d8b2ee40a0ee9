// Where an account's API lives: one of the six Datto RMM platforms (datto/platform.h), or an
// explicit api_url (the bundled simulator, a proxy) checked to be a bare origin, because the client
// appends /api/v2/... and /auth/oauth/token to it and refuses pages from any other origin.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "datto/platform.h"

namespace drmm {

using datto::PlatformBaseUrl;
using datto::PlatformList;

struct ApiOrigin {
  std::string url;  // scheme://host[:port], no trailing "/"
};

// Accepts http(s)://host[:port] with an optional trailing "/"; anything else (a path, query,
// fragment, user info, a bad host or port) gives a message. Messages quote the URL only where
// it cannot hold a credential (never user info or a query).
std::variant<ApiOrigin, std::string> ParseApiUrl(std::string_view url);

}  // namespace drmm
