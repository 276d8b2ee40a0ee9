#include "common/url.h"

#include <algorithm>
#include <charconv>

#include "common/text.h"

namespace drmm {
namespace {

int DefaultPort(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

bool IsHostNameChar(char c) { return IsAsciiAlnum(c) || c == '.' || c == '-' || c == '_'; }

bool IsIpv6Char(char c) {
  return IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
         c == '.';
}

std::optional<int> ParsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  int port = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, port);
  if (ec != std::errc{} || ptr != end || port < 1 || port > 65535) return std::nullopt;
  return port;
}

}  // namespace

Result<Authority> ParseAuthority(std::string_view authority) {
  Authority out;
  std::string_view rest;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return Error{"has an unclosed [ in the host"};
    const std::string_view literal = authority.substr(1, close - 1);
    if (literal.empty() || !std::all_of(literal.begin(), literal.end(), IsIpv6Char)) {
      return Error{"has an invalid IPv6 host \"[" + std::string(literal) + "]\""};
    }
    out.host = std::string(authority.substr(0, close + 1));
    rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) {
      return Error{"has text after the IPv6 host: \"" + std::string(rest) + "\""};
    }
  } else {
    const auto colon = authority.find(':');
    const std::string_view host = authority.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
    if (host.empty()) return Error{"has no host"};
    if (!std::all_of(host.begin(), host.end(), IsHostNameChar)) {
      return Error{"has an invalid host \"" + std::string(host) + "\""};
    }
    out.host = std::string(host);
  }
  if (!rest.empty()) {
    const std::string_view port_text = rest.substr(1);
    out.port = ParsePort(port_text);
    if (!out.port)
      return Error{"has an invalid port \"" + std::string(port_text) + "\" (1..65535)"};
  }
  return out;
}

std::string Url::Origin() const {
  std::string out = scheme + "://" + host;
  if (port != DefaultPort(scheme)) out += ":" + std::to_string(port);
  return out;
}

std::string Url::ToString() const { return Origin() + target; }

std::optional<Url> ParseUrl(std::string_view text) {
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; })) {
    return std::nullopt;
  }
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  Url url;
  url.scheme = AsciiLower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") return std::nullopt;

  std::string_view rest = text.substr(scheme_end + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view target =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  const auto parts = ParseAuthority(authority);
  if (!parts.ok()) return std::nullopt;
  url.host = AsciiLower(parts->host);
  url.port = parts->port.value_or(DefaultPort(url.scheme));

  if (target.empty()) {
    url.target = "/";
  } else if (target.front() == '?') {
    url.target = "/" + std::string(target);
  } else {
    url.target = std::string(target);
  }
  return url;
}

bool SameOrigin(const Url& a, const Url& b) {
  return a.scheme == b.scheme && EqualsIgnoringAsciiCase(a.host, b.host) && a.port == b.port;
}

bool SameOrigin(std::string_view a, std::string_view b) {
  const auto url_a = ParseUrl(a);
  const auto url_b = ParseUrl(b);
  return url_a && url_b && SameOrigin(*url_a, *url_b);
}

std::string UrlEncode(std::string_view text) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (IsAsciiAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
  }
  return out;
}

}  // namespace drmm
