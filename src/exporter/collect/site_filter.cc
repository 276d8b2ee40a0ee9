#include "exporter/collect/site_filter.h"

#include <algorithm>
#include <optional>
#include <regex>
#include <vector>

namespace drmm {

namespace {

struct Entry {
  std::string text;
  std::regex pattern;
};

// Returns an error naming the entry when one is not a valid regular expression.
std::optional<std::string> CompileEntries(const std::vector<std::string>& texts,
                                          std::string_view list, std::vector<Entry>& out) {
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

bool AnyMatches(const std::vector<Entry>& entries, std::string_view uid, std::string_view name) {
  return std::any_of(entries.begin(), entries.end(), [&](const Entry& entry) {
    // regex_match (not regex_search): the pattern must cover the whole name.
    return entry.text == uid || std::regex_match(name.begin(), name.end(), entry.pattern);
  });
}

}  // namespace

struct SiteFilter::Patterns {
  std::vector<Entry> include;
  std::vector<Entry> exclude;
};

Result<SiteFilter> SiteFilter::Create(const SiteFilterConfig& config) {
  auto patterns = std::make_shared<Patterns>();
  if (auto error = CompileEntries(config.include, "include", patterns->include)) {
    return Error{*error};
  }
  if (auto error = CompileEntries(config.exclude, "exclude", patterns->exclude)) {
    return Error{*error};
  }
  SiteFilter filter;
  filter.patterns_ = std::move(patterns);
  filter.deleted_devices_ = config.deleted_devices;
  filter.on_demand_ = config.on_demand;
  return filter;
}

bool SiteFilter::Includes(std::string_view uid, std::string_view name, bool on_demand) const {
  if (name == kDeletedDevicesSite && !deleted_devices_) return false;
  if (on_demand && !on_demand_) return false;
  if (patterns_ == nullptr) return true;  // a default-constructed filter: every site
  if (!patterns_->include.empty() && !AnyMatches(patterns_->include, uid, name)) return false;
  return !AnyMatches(patterns_->exclude, uid, name);
}

}  // namespace drmm
