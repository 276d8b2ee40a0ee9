// Absolute http(s) URLs: split into origin and request target, compared by origin (the bearer
// token may only ever go to the configured origin), and the percent-encoding of form bodies and
// query values. The one URL parser of the project: the Datto client reads nextPageUrl with it,
// the config loader checks api_url with it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace drmm {

struct Url {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // lower case; an IPv6 literal keeps its brackets ("[::1]")
  int port = 0;        // explicit, or the scheme's default (80, 443)
  std::string target;  // path and query as sent in the request line; "/" when the URL has none

  // scheme://host[:port], the port only when it is not the scheme's default.
  std::string Origin() const;
  // Origin() + target.
  std::string ToString() const;
};

// "host[:port]" of a URL, without user info.
struct Authority {
  std::string host;         // as written (an IPv6 literal with its brackets)
  std::optional<int> port;  // 1..65535 when given
};

// Checks an authority: a host name of letters, digits, '-', '.' and '_', or an IPv6 literal in
// brackets, and an optional port 1..65535. The error says what is wrong ("has an invalid port
// \"99999\" (1..65535)"), quoting the text: never pass it user info.
Result<Authority> ParseAuthority(std::string_view authority);

// Parses an absolute http or https URL. Returns nullopt for anything else, including URLs with
// user info ("https://a@b/": a classic way to disguise the real host), whitespace or control
// characters, an empty host or a port outside 1..65535. A fragment is dropped.
std::optional<Url> ParseUrl(std::string_view text);

// Same scheme, host (case-insensitively) and effective port.
bool SameOrigin(const Url& a, const Url& b);
// False when either side does not parse.
bool SameOrigin(std::string_view a, std::string_view b);

// Percent-encodes everything except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), so the
// result is safe as an application/x-www-form-urlencoded value or a query value. A space becomes
// %20, which every form decoder reads as a space (unlike '+', which some query parsers keep).
std::string UrlEncode(std::string_view text);

}  // namespace drmm
