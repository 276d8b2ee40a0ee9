// The HTML page at "/": what this exporter is, where its metrics are, and how each account's
// last polls went, so an operator can tell at a glance why a dashboard is empty.
#pragma once

#include <string>

#include "exporter/collect/snapshot.h"

namespace drmm {

struct LandingPageInfo {
  std::string version;
  std::string revision;
  std::string telemetry_path;
  double now_unix = 0;  // to show "N s ago"
};

// Pure: the same snapshot and info give the same page.
std::string RenderLandingPage(const LandingPageInfo& info, const Snapshot& snapshot);

// Escapes text for HTML element content and attribute values.
std::string HtmlEscape(std::string_view text);

}  // namespace drmm
