// libFuzzer target for the URL parser (src/common/url.h), the one that decides whether a
// nextPageUrl may carry the bearer token. Input: two URLs separated by the first newline. Checks
// what the token's safety rests on: a parsed URL is http(s), has a plain non-empty lower-case
// host without user info, whitespace or control characters, and a port in 1..65535; printing
// and parsing again gives the same URL; SameOrigin is reflexive and symmetric and agrees with
// comparing Origin() strings. UrlEncode and ParseAuthority must not crash, and UrlEncode's
// output holds unreserved characters and %XX only.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/url.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "url_fuzz: %s: %.*s\n", what, static_cast<int>(input.size()), input.data());
  std::abort();
}

bool Unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

void CheckParsed(const drmm::Url& url, std::string_view text) {
  if (url.scheme != "http" && url.scheme != "https") Fail("scheme not http(s)", text);
  if (url.host.empty()) Fail("empty host", text);
  if (url.port < 1 || url.port > 65535) Fail("port out of range", text);
  if (url.target.empty() || url.target.front() != '/') Fail("target not starting with /", text);
  for (const char c : url.host) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '@' || c == '/' || c == '?' || c == '#' || c == '\\' || u <= 0x20 || u >= 0x7f ||
        (c >= 'A' && c <= 'Z')) {
      Fail("host holds a character that could disguise it", text);
    }
  }
  for (const char c : url.target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) Fail("whitespace or control character in the request target", text);
  }
  const std::string printed = url.ToString();
  const auto again = drmm::ParseUrl(printed);
  if (!again) Fail("printed URL does not parse again", text);
  if (again->ToString() != printed || again->Origin() != url.Origin() || again->port != url.port ||
      again->host != url.host) {
    Fail("printed URL parses to a different URL", text);
  }
  if (!drmm::SameOrigin(url, *again) || !drmm::SameOrigin(url, url)) {
    Fail("SameOrigin not reflexive", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view first = input.substr(0, newline);
  const std::string_view second =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  const auto a = drmm::ParseUrl(first);
  const auto b = drmm::ParseUrl(second);
  if (a) CheckParsed(*a, first);
  if (b) CheckParsed(*b, second);
  if (a && b) {
    const bool same = drmm::SameOrigin(*a, *b);
    if (same != drmm::SameOrigin(*b, *a)) Fail("SameOrigin not symmetric", input);
    if (same != (a->Origin() == b->Origin())) Fail("SameOrigin disagrees with Origin()", input);
    if (same != drmm::SameOrigin(first, second)) Fail("SameOrigin(string) disagrees", input);
  } else if (drmm::SameOrigin(first, second)) {
    Fail("SameOrigin true for a URL that does not parse", input);
  }

  const std::string encoded = drmm::UrlEncode(input);
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (Unreserved(encoded[i])) continue;
    if (encoded[i] != '%' || i + 2 >= encoded.size() || !IsHex(encoded[i + 1]) ||
        !IsHex(encoded[i + 2])) {
      Fail("UrlEncode output holds a reserved character", input);
    }
    i += 2;
  }
  (void)drmm::ParseAuthority(first);
  return 0;
}
