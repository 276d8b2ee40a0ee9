#include "sim/routes.h"

namespace drmm::sim {
namespace {

constexpr std::string_view kApiPrefix = "/api/v2/";

Route Make(Endpoint endpoint, bool is_list, std::string uid = {}) {
  Route r;
  r.endpoint = endpoint;
  r.uid = std::move(uid);
  r.method = "GET";
  r.is_list = is_list;
  r.needs_token = endpoint != Endpoint::kStatus;
  return r;
}

// "site/{uid}" + suffix: the uid when `rest` has that shape, else "".
std::string UidBetween(std::string_view rest, std::string_view prefix, std::string_view suffix) {
  if (!rest.starts_with(prefix) || !rest.ends_with(suffix)) return {};
  if (rest.size() <= prefix.size() + suffix.size()) return {};
  const std::string_view uid =
      rest.substr(prefix.size(), rest.size() - prefix.size() - suffix.size());
  if (uid.find('/') != std::string_view::npos) return {};
  return std::string(uid);
}

}  // namespace

Route MatchRoute(std::string_view path) {
  if (path == "/auth/oauth/token") {
    Route r;
    r.endpoint = Endpoint::kToken;
    r.method = "POST";
    return r;
  }
  if (!path.starts_with(kApiPrefix)) return {};
  const std::string_view rest = path.substr(kApiPrefix.size());
  if (rest == "account") return Make(Endpoint::kAccount, false);
  if (rest == "account/sites") return Make(Endpoint::kAccountSites, true);
  if (rest == "account/devices") return Make(Endpoint::kAccountDevices, true);
  if (rest == "account/alerts/open") return Make(Endpoint::kAccountAlertsOpen, true);
  if (rest == "system/request_rate") return Make(Endpoint::kRequestRate, false);
  if (rest == "system/pagination") return Make(Endpoint::kPagination, false);
  if (rest == "system/status") return Make(Endpoint::kStatus, false);
  if (auto uid = UidBetween(rest, "site/", "/devices"); !uid.empty()) {
    return Make(Endpoint::kSiteDevices, true, std::move(uid));
  }
  if (auto uid = UidBetween(rest, "site/", "/alerts/open"); !uid.empty()) {
    return Make(Endpoint::kSiteAlertsOpen, true, std::move(uid));
  }
  if (auto uid = UidBetween(rest, "site/", ""); !uid.empty()) {
    return Make(Endpoint::kSite, false, std::move(uid));
  }
  if (auto uid = UidBetween(rest, "device/", ""); !uid.empty()) {
    return Make(Endpoint::kDevice, false, std::move(uid));
  }
  Route unknown = Make(Endpoint::kUnknownApi, false);
  unknown.method = "";
  return unknown;
}

}  // namespace drmm::sim
