// Page-number pagination as the real API does it: `page` from 0, `max` defaulting to and capped
// at the page size (a larger value silently gives the cap), absolute page URLs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "sim/encoding.h"

namespace drmm::sim {

struct PageRequest {
  std::int64_t page = 0;
  std::int64_t max = 0;
};

// A PageRequest, or why the query is invalid (not an integer, page < 0, max < 1): a 400.
Result<PageRequest> ParsePageRequest(const Params& query, int cap);
// The page number asked for, 0 when absent or invalid (used to match faults before parsing).
std::int64_t RequestedPage(const Params& query);
// "{origin}{path}?max={max}&page={page}": filter parameters are dropped, as the real API does.
std::string PageUrl(std::string_view origin, std::string_view path, std::int64_t max,
                    std::int64_t page);

}  // namespace drmm::sim
