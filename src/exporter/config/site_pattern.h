// Checks a sites.include / sites.exclude entry the way the site filter will use it: every entry
// is tried as a site uid and as an ECMAScript regex on the whole site name, so every entry must
// compile.
#pragma once

#include <string>
#include <string_view>

namespace drmm {

// "" when `pattern` compiles; otherwise std::regex's complaint.
std::string SitePatternProblem(std::string_view pattern);

}  // namespace drmm
