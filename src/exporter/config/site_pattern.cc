#include "exporter/config/site_pattern.h"

#include <regex>

namespace drmm {

std::string SitePatternProblem(std::string_view pattern) {
  try {
    const std::regex compiled(pattern.begin(), pattern.end(), std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace drmm
