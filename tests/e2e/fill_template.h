// Configuration files for the processes under test, written as raw string literals with
// ${name} placeholders, so a test shows the YAML as a user would write it.
#pragma once

#include <map>
#include <string>

namespace drmm::e2e {

// `text` with every ${name} replaced by values.at(name). Throws std::out_of_range for a
// placeholder without a value, so a typo cannot leave "${...}" in a file.
std::string FillTemplate(std::string text, const std::map<std::string, std::string>& values);

}  // namespace drmm::e2e
