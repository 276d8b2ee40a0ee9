#include "common/secret_redactor.h"

#include <algorithm>
#include <string_view>

#include "common/ascii.h"

namespace drmm {
namespace {

// Where a partial match stands after one character of the secret: the text positions it can
// end at, and whether the text ran out while the match still held (a cut).
struct Ends {
  std::vector<std::size_t> positions;
  bool cut = false;
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Compares `form` with the text at `pos`, case-insensitively (hex digits come in either case).
void MatchForm(std::string_view text, std::size_t pos, std::string_view form, Ends& ends) {
  for (std::size_t k = 0; k < form.size(); ++k) {
    if (pos + k == text.size()) {
      ends.cut = true;
      return;
    }
    if (AsciiLower(text[pos + k]) != form[k]) return;
  }
  ends.positions.push_back(pos + form.size());
}

// \uXXXX for a UTF-16 code unit (callers pass values below 0x10000). Written digit by digit:
// GCC 14 cannot prove the range through snprintf and warns about truncation.
std::string UnicodeEscape(unsigned long code_unit) {
  static constexpr std::string_view kHexDigits = "0123456789abcdef";
  std::string escape = "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) escape += kHexDigits[(code_unit >> shift) & 0xFU];
  return escape;
}

// The JSON escapes of a code point other than \uXXXX.
char ShortEscape(long code_point) {
  switch (code_point) {
    case '/':
      return '/';
    case '\\':
      return '\\';
    case '"':
      return '"';
    case '\b':
      return 'b';
    case '\f':
      return 'f';
    case '\n':
      return 'n';
    case '\r':
      return 'r';
    case '\t':
      return 't';
    default:
      return 0;
  }
}

// Splits a secret into characters: UTF-8 sequences where valid, single bytes elsewhere.
template <typename Unit>
std::vector<Unit> SplitCharacters(std::string_view secret) {
  std::vector<Unit> units;
  for (std::size_t i = 0; i < secret.size();) {
    const auto lead = static_cast<unsigned char>(secret[i]);
    std::size_t length = 1;
    long code_point = lead;
    if (lead >= 0x80) {
      length = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
      code_point = lead & (length == 4 ? 0x07 : length == 3 ? 0x0f : 0x1f);
      for (std::size_t k = 1; k < length; ++k) {
        const auto next = i + k < secret.size() ? static_cast<unsigned char>(secret[i + k]) : 0;
        if ((next & 0xc0) != 0x80) {
          length = 0;
          break;
        }
        code_point = (code_point << 6) | (next & 0x3f);
      }
      if (length == 0) {
        length = 1;
        code_point = -1;
      }
    }
    units.push_back(Unit{std::string(secret.substr(i, length)), code_point});
    i += length;
  }
  return units;
}

template <typename Unit>
void MatchUnit(const Unit& unit, std::string_view text, std::size_t pos, Ends& ends) {
  // Byte by byte: each raw, %XX in either case, or '+' for a space.
  std::vector<std::size_t> at{pos};
  for (const char byte : unit.bytes) {
    std::vector<std::size_t> next;
    for (const std::size_t p : at) {
      if (p == text.size()) {
        ends.cut = true;
        continue;
      }
      if (text[p] == byte || (byte == ' ' && text[p] == '+')) next.push_back(p + 1);
      if (text[p] != '%') continue;
      const auto value = static_cast<unsigned char>(byte);
      if (p + 1 == text.size()) {
        ends.cut = true;
      } else if (HexValue(text[p + 1]) == value >> 4) {
        if (p + 2 == text.size()) {
          ends.cut = true;
        } else if (HexValue(text[p + 2]) == (value & 0x0f)) {
          next.push_back(p + 3);
        }
      }
    }
    at = std::move(next);
  }
  ends.positions.insert(ends.positions.end(), at.begin(), at.end());

  // JSON escapes of the whole character.
  if (unit.code_point < 0 || pos == text.size() || text[pos] != '\\') return;
  if (const char letter = ShortEscape(unit.code_point); letter != 0) {
    MatchForm(text, pos, std::string{'\\', letter}, ends);
  }
  const auto code_point = static_cast<unsigned long>(unit.code_point);
  if (code_point < 0x10000) {
    MatchForm(text, pos, UnicodeEscape(code_point), ends);
  } else {
    const unsigned long offset = code_point - 0x10000;
    MatchForm(text, pos,
              UnicodeEscape(0xd800 + (offset >> 10)) + UnicodeEscape(0xdc00 + (offset & 0x3ff)),
              ends);
  }
}

// The end of the longest match of `units` starting at `start`: the text's end when it ends in
// a prefix of at least kMinCutPrefix characters; 0 when there is no match.
template <typename Unit>
std::size_t MatchAt(const std::vector<Unit>& units, std::string_view text, std::size_t start) {
  std::vector<std::size_t> at{start};
  for (std::size_t i = 0; i < units.size(); ++i) {
    Ends ends;
    for (const std::size_t p : at) {
      if (p == text.size()) {
        ends.cut = true;
        continue;
      }
      MatchUnit(units[i], text, p, ends);
    }
    if (ends.cut && i >= SecretRedactor::kMinCutPrefix) return text.size();
    if (ends.positions.empty()) return 0;
    std::sort(ends.positions.begin(), ends.positions.end());
    ends.positions.erase(std::unique(ends.positions.begin(), ends.positions.end()),
                         ends.positions.end());
    at = std::move(ends.positions);
  }
  return at.back();
}

}  // namespace

bool SecretRedactor::Add(std::string_view secret) {
  if (secret.size() < kMinSecretLength) return false;
  const auto same = [&](const Secret& s) { return s.value == secret; };
  if (std::any_of(secrets_.begin(), secrets_.end(), same)) return false;
  Secret entry{std::string(secret), SplitCharacters<Unit>(secret)};
  const auto longer = [&](const Secret& s) { return s.value.size() >= secret.size(); };
  // Keeps the list sorted longest first; equal lengths keep the order they came in.
  const auto it = std::partition_point(secrets_.begin(), secrets_.end(), longer);
  secrets_.insert(it, std::move(entry));
  return true;
}

bool SecretRedactor::Remove(std::string_view secret) {
  const auto it = std::find_if(secrets_.begin(), secrets_.end(),
                               [&](const Secret& s) { return s.value == secret; });
  if (it == secrets_.end()) return false;
  secrets_.erase(it);
  return true;
}

std::string SecretRedactor::Redact(std::string_view text) const {
  std::string current(text);
  for (const auto& secret : secrets_) {
    std::string out;
    out.reserve(current.size());
    const char first = secret.value.front();
    for (std::size_t i = 0; i < current.size();) {
      // Every form of the first character starts with itself or one of these: most positions
      // are ruled out without building the matcher's position sets.
      const char c = current[i];
      const bool could_start = c == first || c == '%' || c == '\\' || c == '+';
      const std::size_t end = could_start ? MatchAt(secret.units, current, i) : 0;
      if (end > i) {
        out += kRedactedMark;
        i = end;
      } else {
        out += current[i++];
      }
    }
    current = std::move(out);
  }
  return current;
}

}  // namespace drmm
