// Escaping of text inside a JSON string (RFC 8259): quote, backslash, and control characters.
// The same rules make a safe logfmt quoted value, so the logger and the simulator's hand-written
// JSON share this one function.
#pragma once

#include <string>
#include <string_view>

namespace drmm {

// Appends `text` escaped, without the surrounding quotes.
void AppendJsonEscaped(std::string& out, std::string_view text);

}  // namespace drmm
