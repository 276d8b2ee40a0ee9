#include "datto/http_transport.h"

#include "common/ascii.h"

namespace drmm::datto {

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoringAsciiCase(key, name)) return value;
  }
  return {};
}

}  // namespace drmm::datto
