#include "common/duration.h"

#include <array>
#include <cstdint>

namespace drmm {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t millis;
};
// Longest suffix first where one is a prefix of another ("ms" before "m").
constexpr std::array<Unit, 5> kUnits{
    {{"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};

}  // namespace

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t next_unit = 0;  // units must appear in decreasing order, each once
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::int64_t value = 0;
    const std::size_t digits_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (value > 1'000'000'000) return std::nullopt;  // keeps the sum far from overflow
      value = value * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == digits_start) return std::nullopt;
    std::size_t matched = kUnits.size();
    for (std::size_t i = next_unit; i < kUnits.size(); ++i) {
      const auto suffix = kUnits[i].suffix;
      if (text.substr(pos, suffix.size()) != suffix) continue;
      // "m" must not swallow the "m" of "ms".
      if (suffix == "m" && text.substr(pos, 2) == "ms") continue;
      matched = i;
      break;
    }
    if (matched == kUnits.size()) return std::nullopt;
    total += value * kUnits[matched].millis;
    pos += kUnits[matched].suffix.size();
    next_unit = matched + 1;
  }
  return std::chrono::milliseconds(total);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  std::int64_t left = d.count();
  if (left == 0) return "0s";
  std::string out;
  if (left < 0) {
    out = "-";
    left = -left;
  }
  for (const auto& unit : kUnits) {
    if (left >= unit.millis) {
      out += std::to_string(left / unit.millis);
      out += unit.suffix;
      left %= unit.millis;
    }
  }
  return out;
}

}  // namespace drmm
