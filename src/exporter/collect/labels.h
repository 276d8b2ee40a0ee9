// Label values computed from Datto's raw fields: the normalisation rules every series uses (and
// the simulator's ground truth must match). Pure functions. (Values outside Datto's documented
// sets are reported where they are decoded, once per account: see datto/decode.h.)
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "datto/model.h"

namespace drmm {

// "RunningAndUpToDate" -> "running_and_up_to_date": "_" before an uppercase letter that
// follows a lowercase letter or a digit, spaces and hyphens become "_", all lowercased (ASCII).
std::string SnakeCase(std::string_view text);

// Alert priority: snake_case(priority); "unknown" when null or empty.
std::string PriorityLabel(const std::optional<std::string>& priority);
// "not_applicable" when patchManagement or its patchStatus is null (or empty), else
// snake_case(patchStatus).
std::string PatchStatusLabel(const std::optional<datto::PatchManagement>& patch_management);
// "not_applicable" when antivirus or its antivirusStatus is null (or empty), else
// snake_case(antivirusStatus).
std::string AntivirusStatusLabel(const std::optional<datto::Antivirus>& antivirus);
// deviceType.category verbatim (free text, Datto's spelling); "Unknown" when null or empty.
std::string CategoryLabel(const std::optional<std::string>& category);
// alertContext["@class"] verbatim; "unknown" when null or empty.
std::string AlertTypeLabel(const std::optional<std::string>& alert_class);
// deviceClass verbatim (Datto sends it lowercase already); "unknown" when null or empty.
std::string DeviceClassLabel(const std::optional<std::string>& device_class);
// "online" only when online is true; null counts as offline.
std::string_view OnlineStatusLabel(std::optional<bool> online);

// The longest UDF value exported as a label value, in bytes: Datto allows 255 characters, and
// a label value that long is a row of free text, not a dimension.
inline constexpr std::size_t kMaxUdfValueBytes = 100;
// A UDF value as a label value: surrounding ASCII whitespace trimmed, cut to kMaxUdfValueBytes
// at a UTF-8 character boundary; "" when null.
std::string UdfValueLabel(const std::optional<std::string_view>& value);
// "expired" when `warranty` is at or before `now`, "expiring" up to `now + horizon`, "active"
// after that, "unknown" when null.
std::string_view WarrantyStateLabel(const std::optional<WallTime>& warranty, WallTime now,
                                    std::chrono::milliseconds horizon);
// "deleted" when deleted is true, else "suspended" when suspended is true, else "active".
std::string_view DeviceStateLabel(std::optional<bool> suspended, std::optional<bool> deleted);
// Whether a device is stale at `age`: never seen (null lastSeen), or last seen before now - age.
bool NotSeenFor(const std::optional<WallTime>& last_seen, WallTime now,
                std::chrono::milliseconds age);

}  // namespace drmm
