#include "fill_template.h"

#include <stdexcept>

namespace drmm::e2e {

std::string FillTemplate(std::string text, const std::map<std::string, std::string>& values) {
  // Each round replaces one placeholder and continues after its value, so values that contain
  // "${" are left alone and the loop ends.
  for (auto at = text.find("${"); at != std::string::npos;) {
    const auto end = text.find('}', at);
    if (end == std::string::npos) throw std::out_of_range("unterminated ${ in template");
    const std::string name = text.substr(at + 2, end - at - 2);
    const auto value = values.find(name);
    if (value == values.end()) throw std::out_of_range("no value for ${" + name + "}");
    text.replace(at, end - at + 1, value->second);
    at = text.find("${", at + value->second.size());
  }
  return text;
}

}  // namespace drmm::e2e
