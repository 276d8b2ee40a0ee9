#include "exporter/config/platform.h"

#include <algorithm>

#include "common/url.h"

namespace drmm {
namespace {

constexpr std::string_view kExpectedForm = "give only scheme://host[:port]";

}  // namespace

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

Result<ApiOrigin> ParseApiUrl(std::string_view url) {
  std::string_view scheme;
  if (url.starts_with("https://")) {
    scheme = "https://";
  } else if (url.starts_with("http://")) {
    scheme = "http://";
  } else {
    const auto sep = url.find("://");
    if (sep != std::string_view::npos && url.substr(0, sep).find('@') == std::string_view::npos) {
      return Error{"has the scheme \"" + std::string(url.substr(0, sep)) +
                   "\"; it must start with http:// or https://"};
    }
    return Error{"must start with http:// or https:// (" + std::string(kExpectedForm) + ")"};
  }
  const auto after_scheme = url.substr(scheme.size());
  const auto authority_end = after_scheme.find_first_of("/?#");
  const auto authority = after_scheme.substr(0, authority_end);
  // Checked first and reported without the URL: user info is where a password would be.
  if (authority.find('@') != std::string_view::npos) {
    return Error{
        "must not contain a user name or password (user@host); credentials go in api_key and "
        "api_secret"};
  }
  if (auto parsed = ParseAuthority(authority); !parsed.ok()) return parsed.error();
  auto rest = authority_end == std::string_view::npos ? std::string_view()
                                                      : after_scheme.substr(authority_end);
  if (rest == "/") rest = {};
  if (!rest.empty()) {
    if (rest.front() == '?')
      return Error{"has a query string (?...); " + std::string(kExpectedForm)};
    if (rest.front() == '#') return Error{"has a fragment (#...); " + std::string(kExpectedForm)};
    const auto path = rest.substr(0, rest.find_first_of("?#"));
    if (path.size() != rest.size()) {
      return Error{"has a path and a query string or fragment; " + std::string(kExpectedForm) +
                   " (the exporter adds /api/v2 itself)"};
    }
    return Error{"has a path (\"" + std::string(path) + "\"); " + std::string(kExpectedForm) +
                 " (the exporter adds /api/v2 itself)"};
  }
  return ApiOrigin{std::string(scheme) + std::string(authority)};
}

}  // namespace drmm
