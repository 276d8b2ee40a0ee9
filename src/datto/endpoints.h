#pragma once

#include <array>
#include <string_view>

// Route templates of every Datto API call the client makes. They are the `endpoint` label of the
// per-endpoint metrics: a template, never a concrete URL, so the label set stays small and fixed,
// and the exporter can create each series at 0 before the first request (an alert on
// `increase(...)` then sees the first error too).
namespace drmm::datto::endpoint {

inline constexpr std::string_view kToken = "/auth/oauth/token";
inline constexpr std::string_view kAccount = "/api/v2/account";
inline constexpr std::string_view kSites = "/api/v2/account/sites";
inline constexpr std::string_view kDevices = "/api/v2/account/devices";
inline constexpr std::string_view kAlerts = "/api/v2/account/alerts/open";
inline constexpr std::string_view kRateStatus = "/api/v2/system/request_rate";
inline constexpr std::string_view kPagination = "/api/v2/system/pagination";

inline constexpr std::array<std::string_view, 7> kAll = {kToken,  kAccount,    kSites,     kDevices,
                                                         kAlerts, kRateStatus, kPagination};

}  // namespace drmm::datto::endpoint
