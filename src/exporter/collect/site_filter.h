// Which sites of an account are exported, compiled once from the config's `sites:` block.
// The folds keep every site; BuildFamilies asks the filter on every scrape, so changing the
// filter never needs a new page walk. Immutable after Create: safe for concurrent readers.
// The compiled patterns live behind a pointer so that <regex>, one of the heaviest standard
// headers, is compiled in site_filter.cc only and not in every unit that holds a filter.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "exporter/config/config.h"

namespace drmm {

// The site every Datto account has for devices that were deleted.
inline constexpr std::string_view kDeletedDevicesSite = "Deleted Devices";

class SiteFilter {
 public:
  // An include/exclude entry matches a site when it equals the site uid or, read as an
  // ECMAScript regular expression, matches the whole site name. Returns the filter, or an
  // error naming the entry that is not a valid regular expression.
  static Result<SiteFilter> Create(const SiteFilterConfig& config);

  // Empty include list = every site; an exclude match wins over an include match; the site
  // named exactly "Deleted Devices" is out unless deleted_devices; on-demand sites are out
  // unless on_demand.
  bool Includes(std::string_view uid, std::string_view name, bool on_demand) const;

 private:
  struct Patterns;  // the include and exclude entries, compiled (site_filter.cc)

  SiteFilter() = default;

  std::shared_ptr<const Patterns> patterns_;
  bool deleted_devices_ = false;
  bool on_demand_ = true;
};

}  // namespace drmm
