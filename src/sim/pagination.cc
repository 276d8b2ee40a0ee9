#include "sim/pagination.h"

#include <algorithm>
#include <optional>

#include "common/text.h"

namespace drmm::sim {

Result<PageRequest> ParsePageRequest(const Params& query, int cap) {
  PageRequest request;
  request.max = cap;
  if (auto page = FindParam(query, "page")) {
    const auto value = ParseWholeNumber<std::int64_t>(*page);
    if (!value || *value < 0) return Error{"page must be an integer >= 0, got \"" + *page + "\""};
    request.page = *value;
  }
  if (auto max = FindParam(query, "max")) {
    const auto value = ParseWholeNumber<std::int64_t>(*max);
    if (!value || *value < 1) return Error{"max must be an integer >= 1, got \"" + *max + "\""};
    request.max = std::min<std::int64_t>(*value, cap);
  }
  // Keeps page * max far from overflow.
  if (request.page > 1'000'000'000) return Error{"page is out of range"};
  return request;
}

std::int64_t RequestedPage(const Params& query) {
  const auto page = FindParam(query, "page");
  if (!page) return 0;
  return std::max<std::int64_t>(ParseWholeNumber<std::int64_t>(*page).value_or(0), 0);
}

std::string PageUrl(std::string_view origin, std::string_view path, std::int64_t max,
                    std::int64_t page) {
  std::string url;
  url.reserve(origin.size() + path.size() + 32);
  url += origin;
  url += path;
  url += "?max=";
  url += std::to_string(max);
  url += "&page=";
  url += std::to_string(page);
  return url;
}

}  // namespace drmm::sim
