#include "exporter/config/site_pattern.h"

// GCC 12 with -fsanitize=address at -O2 reports a false -Wmaybe-uninitialized inside
// <regex>'s std::function members; silenced for the header only, so CI's -Werror holds.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop

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
