#include "common/byte_size.h"

#include <array>
#include <charconv>
#include <utility>

namespace drmm {
namespace {

constexpr std::array<std::pair<std::string_view, std::uint64_t>, 7> kUnits = {{
    {"B", 1},
    {"KB", 1000},
    {"MB", 1000 * 1000},
    {"GB", 1000 * 1000 * 1000},
    {"KiB", std::uint64_t{1} << 10},
    {"MiB", std::uint64_t{1} << 20},
    {"GiB", std::uint64_t{1} << 30},
}};

}  // namespace

std::optional<std::uint64_t> ParseByteSize(std::string_view text) {
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::uint64_t scale = unit.empty() ? 1 : 0;
  for (const auto& [name, value] : kUnits) {
    if (unit == name) scale = value;
  }
  if (scale == 0) return std::nullopt;
  if (number > (std::uint64_t{1} << 62) / scale) return std::nullopt;
  return number * scale;
}

std::string FormatByteSize(std::uint64_t bytes) {
  for (const auto& [name, value] : {std::pair<std::string_view, std::uint64_t>{"GiB", 1U << 30},
                                    {"MiB", 1U << 20},
                                    {"KiB", 1U << 10}}) {
    if (bytes >= value && bytes % value == 0)
      return std::to_string(bytes / value) + std::string(name);
  }
  return std::to_string(bytes) + "B";
}

}  // namespace drmm
