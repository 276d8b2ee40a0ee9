// The API's JSON for sites, devices, alerts and the account, with every property the spec lists
// in the spec's order. Devices dominate the traffic (about 5 KB each, mostly the null udf block),
// so they are written with JsonWriter and the all-null udf block is rendered once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/json_writer.h"
#include "sim/model.h"
#include "sim/time_format.h"

namespace drmm::sim {

struct PageDetailsData {
  std::int64_t count = 0;
  std::optional<std::int64_t> total_count;  // nullopt: the property is absent (open alerts)
  std::optional<std::string> prev_page_url;
  std::optional<std::string> next_page_url;
};

void WriteSite(JsonWriter& w, const AccountState& state, const SimSite& site);
// The site's page in the Datto web portal, as Site.portalUrl carries it.
std::string SitePortalUrl(const AccountState& state, const SimSite& site);
void WriteDevice(JsonWriter& w, const AccountState& state, const SimDevice& device,
                 TimestampFormat timestamps);
void WriteAlert(JsonWriter& w, const SimAlert& alert);
void WritePageDetails(JsonWriter& w, const PageDetailsData& details);
std::string RenderAccount(const AccountState& state);
// {"udf1":null,...,"udf300":null}
std::string_view NullUdfBlock();

}  // namespace drmm::sim
