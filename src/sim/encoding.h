// Byte encodings the token endpoint and the query strings need: Base64 (HTTP Basic), Base64url
// (JWT-shaped tokens) and application/x-www-form-urlencoded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drmm::sim {

using Params = std::vector<std::pair<std::string, std::string>>;

std::string Base64Encode(std::string_view bytes);
std::string Base64UrlEncode(std::string_view bytes);  // no padding
std::optional<std::string> Base64Decode(std::string_view text);
// Percent-decoding with '+' as space; nullopt on a malformed escape.
std::optional<std::string> FormDecode(std::string_view text);
// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}; pairs with a malformed escape are dropped.
Params ParseFormUrlEncoded(std::string_view text);
// The first value of `key`, if any.
std::optional<std::string> FindParam(const Params& params, std::string_view key);

}  // namespace drmm::sim
