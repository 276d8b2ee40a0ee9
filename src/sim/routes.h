// Which endpoint a request path names, which method it takes, and whether it needs a token.
#pragma once

#include <string>
#include <string_view>

namespace drmm::sim {

enum class Endpoint {
  kToken,              // POST /auth/oauth/token
  kAccount,            // GET /api/v2/account
  kAccountSites,       // GET /api/v2/account/sites (paged)
  kAccountDevices,     // GET /api/v2/account/devices (paged)
  kAccountAlertsOpen,  // GET /api/v2/account/alerts/open (paged)
  kSite,               // GET /api/v2/site/{uid}
  kSiteDevices,        // GET /api/v2/site/{uid}/devices (paged)
  kSiteAlertsOpen,     // GET /api/v2/site/{uid}/alerts/open (paged)
  kDevice,             // GET /api/v2/device/{uid}
  kRequestRate,        // GET /api/v2/system/request_rate
  kPagination,         // GET /api/v2/system/pagination
  kStatus,             // GET /api/v2/system/status (no token)
  kUnknownApi,         // anything else under /api/v2/ (404 once authenticated)
  kNotFound,           // anything else
};

struct Route {
  Endpoint endpoint = Endpoint::kNotFound;
  std::string uid;          // the {uid} segment
  std::string_view method;  // the one method the endpoint answers
  bool is_list = false;
  bool needs_token = false;
};

Route MatchRoute(std::string_view path);

}  // namespace drmm::sim
