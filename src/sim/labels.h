// The label semantics the exporter applies to Datto data (docs: "Label semantics"), restated here
// independently so the simulator's ground truth can catch an exporter that gets them wrong.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "sim/model.h"

namespace drmm::sim {

inline constexpr std::array<std::string_view, 6> kPriorityLabels = {
    "critical", "high", "moderate", "low", "information", "unknown"};
inline constexpr std::array<std::string_view, 7> kPatchStatusLabels = {
    "fully_patched", "approved_pending", "install_error", "reboot_required",
    "no_policy",     "no_data",          "not_applicable"};
inline constexpr std::array<std::string_view, 5> kAntivirusStatusLabels = {
    "running_and_up_to_date", "running_and_not_up_to_date", "not_running", "not_detected",
    "not_applicable"};

// "_" before an uppercase letter that follows a lowercase letter or digit; spaces and hyphens
// become "_"; everything lowercased. "RunningAndUpToDate" -> "running_and_up_to_date".
std::string SnakeCase(std::string_view text);

// deviceType.category when a non-empty string, else "Unknown" (Datto's spelling is kept).
std::string CategoryLabel(const SimDevice& device);
// "not_applicable" when patchManagement or its patchStatus is null, else snake_case(patchStatus).
std::string PatchStatusLabel(const SimDevice& device);
// "not_applicable" when antivirus or its antivirusStatus is null, else snake_case(status).
std::string AntivirusStatusLabel(const SimDevice& device);
// snake_case(priority); "unknown" when null.
std::string PriorityLabel(const SimAlert& alert);
// alertContext["@class"] when a non-empty string, else "unknown".
std::string AlertTypeLabel(const SimAlert& alert);

}  // namespace drmm::sim
