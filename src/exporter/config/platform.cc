#include "exporter/config/platform.h"

#include <algorithm>
#include <charconv>
#include <system_error>

namespace drmm {
namespace {

constexpr std::string_view kExpectedForm = "give only scheme://host[:port]";

bool IsHostNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

bool IsIpv6Char(char c) {
  return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == ':' ||
         c == '.';
}

bool ValidPort(std::string_view text) {
  if (text.empty() || text.size() > 5) return false;
  int port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  return ec == std::errc() && end == text.data() + text.size() && port >= 1 && port <= 65535;
}

// Checks "host[:port]" (already without user info); returns a message or "".
std::string AuthorityProblem(std::string_view authority) {
  std::string_view host;
  std::string_view rest;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return "has an unclosed [ in the host";
    host = authority.substr(1, close - 1);
    if (host.empty() || !std::all_of(host.begin(), host.end(), IsIpv6Char)) {
      return "has an invalid IPv6 host \"[" + std::string(host) + "]\"";
    }
    rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) {
      return "has text after the IPv6 host: \"" + std::string(rest) + "\"";
    }
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
    if (host.empty()) return "has no host";
    if (!std::all_of(host.begin(), host.end(), IsHostNameChar)) {
      return "has an invalid host \"" + std::string(host) + "\"";
    }
  }
  if (!rest.empty()) {
    const auto port = rest.substr(1);
    if (!ValidPort(port)) return "has an invalid port \"" + std::string(port) + "\" (1..65535)";
  }
  return "";
}

}  // namespace

std::variant<ApiOrigin, std::string> ParseApiUrl(std::string_view url) {
  std::string_view scheme;
  if (url.starts_with("https://")) {
    scheme = "https://";
  } else if (url.starts_with("http://")) {
    scheme = "http://";
  } else {
    const auto sep = url.find("://");
    if (sep != std::string_view::npos && url.substr(0, sep).find('@') == std::string_view::npos) {
      return "has the scheme \"" + std::string(url.substr(0, sep)) +
             "\"; it must start with http:// or https://";
    }
    return std::string("must start with http:// or https:// (") + std::string(kExpectedForm) + ")";
  }
  const auto after_scheme = url.substr(scheme.size());
  const auto authority_end = after_scheme.find_first_of("/?#");
  const auto authority = after_scheme.substr(0, authority_end);
  // Checked first and reported without the URL: user info is where a password would be.
  if (authority.find('@') != std::string_view::npos) {
    return "must not contain a user name or password (user@host); credentials go in api_key and "
           "api_secret";
  }
  if (auto problem = AuthorityProblem(authority); !problem.empty()) return problem;
  auto rest = authority_end == std::string_view::npos ? std::string_view()
                                                      : after_scheme.substr(authority_end);
  if (rest == "/") rest = {};
  if (!rest.empty()) {
    if (rest.front() == '?') return "has a query string (?...); " + std::string(kExpectedForm);
    if (rest.front() == '#') return "has a fragment (#...); " + std::string(kExpectedForm);
    const auto path = rest.substr(0, rest.find_first_of("?#"));
    if (path.size() != rest.size()) {
      return "has a path and a query string or fragment; " + std::string(kExpectedForm) +
             " (the exporter adds /api/v2 itself)";
    }
    return "has a path (\"" + std::string(path) + "\"); " + std::string(kExpectedForm) +
           " (the exporter adds /api/v2 itself)";
  }
  return ApiOrigin{std::string(scheme) + std::string(authority)};
}

}  // namespace drmm
