// Golden-file helpers: read a file under the source tree, and rewrite it when the developer
// runs the tests with DRMM_UPDATE_GOLDEN=1 (after reviewing the printed difference).
#pragma once

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace drmm::testing {

inline std::string SourcePath(std::string_view relative) {
  return std::string(DRMM_SOURCE_DIR) + "/" + std::string(relative);
}

inline std::optional<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline bool WriteText(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

inline bool UpdateGolden() {
  const char* value = std::getenv("DRMM_UPDATE_GOLDEN");
  return value != nullptr && std::string_view(value) == "1";
}

}  // namespace drmm::testing
