#include "exporter/collect/site_filter.h"

#include <algorithm>
#include <optional>

namespace drmm {

std::optional<std::string> SiteFilter::CompileEntries(const std::vector<std::string>& texts,
                                                      std::string_view list,
                                                      std::vector<Entry>& out) {
  for (std::size_t i = 0; i < texts.size(); ++i) {
    try {
      out.push_back(Entry{texts[i], std::regex(texts[i], std::regex::ECMAScript)});
    } catch (const std::regex_error& e) {
      return "sites." + std::string(list) + "[" + std::to_string(i) + "]: \"" + texts[i] +
             "\" is not a valid regular expression: " + e.what();
    }
  }
  return std::nullopt;
}

std::variant<SiteFilter, std::string> SiteFilter::Create(const SiteFilterConfig& config) {
  SiteFilter filter;
  filter.deleted_devices_ = config.deleted_devices;
  filter.on_demand_ = config.on_demand;
  if (auto error = CompileEntries(config.include, "include", filter.include_)) return *error;
  if (auto error = CompileEntries(config.exclude, "exclude", filter.exclude_)) return *error;
  return filter;
}

bool SiteFilter::AnyMatches(const std::vector<Entry>& entries, std::string_view uid,
                            std::string_view name) {
  return std::any_of(entries.begin(), entries.end(), [&](const Entry& entry) {
    // regex_match (not regex_search): the pattern must cover the whole name.
    return entry.text == uid || std::regex_match(name.begin(), name.end(), entry.pattern);
  });
}

bool SiteFilter::Includes(std::string_view uid, std::string_view name, bool on_demand) const {
  if (name == kDeletedDevicesSite && !deleted_devices_) return false;
  if (on_demand && !on_demand_) return false;
  if (!include_.empty() && !AnyMatches(include_, uid, name)) return false;
  return !AnyMatches(exclude_, uid, name);
}

}  // namespace drmm
