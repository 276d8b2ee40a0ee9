// Which sites of an account are exported, compiled once from the config's `sites:` block.
// The folds keep every site; BuildFamilies asks the filter on every scrape, so changing the
// filter never needs a new page walk. Immutable after Create: safe for concurrent readers.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "exporter/config/config.h"

namespace drmm {

// The site every Datto account has for devices that were deleted.
inline constexpr std::string_view kDeletedDevicesSite = "Deleted Devices";

class SiteFilter {
 public:
  // An include/exclude entry matches a site when it equals the site uid or, read as an
  // ECMAScript regular expression, matches the whole site name. Returns the filter, or an
  // error naming the entry that is not a valid regular expression.
  static std::variant<SiteFilter, std::string> Create(const SiteFilterConfig& config);

  // Empty include list = every site; an exclude match wins over an include match; the site
  // named exactly "Deleted Devices" is out unless deleted_devices; on-demand sites are out
  // unless on_demand.
  bool Includes(std::string_view uid, std::string_view name, bool on_demand) const;

 private:
  struct Entry {
    std::string text;
    std::regex pattern;
  };

  SiteFilter() = default;
  // Returns an error naming the entry when one is not a valid regular expression.
  static std::optional<std::string> CompileEntries(const std::vector<std::string>& texts,
                                                   std::string_view list, std::vector<Entry>& out);
  static bool AnyMatches(const std::vector<Entry>& entries, std::string_view uid,
                         std::string_view name);

  std::vector<Entry> include_;
  std::vector<Entry> exclude_;
  bool deleted_devices_ = false;
  bool on_demand_ = true;
};

}  // namespace drmm
