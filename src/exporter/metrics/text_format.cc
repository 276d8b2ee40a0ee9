#include "exporter/metrics/text_format.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace drmm {

void AppendLabelValue(std::string& out, std::string_view value) {
  std::size_t plain = 0;  // start of the run not yet copied
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c != '\\' && c != '"' && c != '\n') continue;
    out.append(value.substr(plain, i - plain));
    out += '\\';
    out += c == '\n' ? 'n' : c;
    plain = i + 1;
  }
  out.append(value.substr(plain));
}

void AppendSampleValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "Nan";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-Inf" : "+Inf";
    return;
  }
  // Most samples are counts: whole numbers below 10^15 print as their digits under %.16g too,
  // and to_chars is several times faster than snprintf. -0 keeps its sign under %.16g, so it
  // takes the general path.
  const bool negative_zero = value == 0 && std::signbit(value);
  if (value == std::trunc(value) && std::fabs(value) < 1e15 && !negative_zero) {
    std::array<char, 24> digits{};
    const auto result =
        std::to_chars(digits.data(), digits.data() + digits.size(), static_cast<long long>(value));
    out.append(digits.data(), result.ptr);
    return;
  }
  std::array<char, 32> text{};
  const int length = std::snprintf(text.data(), text.size(), "%.16g", value);
  out.append(text.data(), static_cast<std::size_t>(length));
}

std::string FamilyHeader(std::string_view name, std::string_view help, std::string_view type) {
  std::string header;
  header.reserve(name.size() * 2 + help.size() + type.size() + 16);
  header.append("# HELP ").append(name).append(" ").append(help).append("\n");
  header.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  return header;
}

}  // namespace drmm
