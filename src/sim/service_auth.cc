// The OAuth side of the simulated API: the password grant at /auth/oauth/token and the bearer
// check every API route makes, with the status codes, headers and bodies Datto's Spring
// authorization server sends.
#include <nlohmann/json.hpp>

#include "common/ascii.h"
#include "sim/encoding.h"
#include "sim/responses.h"
#include "sim/service.h"

namespace drmm::sim {
namespace {

using nlohmann::json;

constexpr std::string_view kBasicClient = "public-client:public";

}  // namespace

SimResponse Service::IssueToken(const SimRequest& request, const Params& query, SteadyTime now) {
  const std::string authorization = request.Header("Authorization");
  const bool basic_ok =
      authorization.size() > 6 && StartsWithIgnoringAsciiCase(authorization, "basic ") &&
      Base64Decode(std::string_view(authorization).substr(6)) == std::string(kBasicClient);
  if (!basic_ok) {
    SimResponse r =
        OAuthError(401, "unauthorized", "Full authentication is required to access this resource");
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"oauth2/client\"");
    return r;
  }
  Params form = ParseFormUrlEncoded(request.body);
  form.insert(form.end(), query.begin(), query.end());  // Spring reads both
  const auto grant_type = FindParam(form, "grant_type");
  if (grant_type != "password") {
    return OAuthError(400, "unsupported_grant_type",
                      "Unsupported grant type: " + grant_type.value_or(""));
  }
  const auto username = FindParam(form, "username");
  const auto password = FindParam(form, "password");
  if (username != options_.api_key || password != options_.api_secret) {
    return OAuthError(401, "unauthorized", "Bad credentials");
  }
  const IssuedToken token =
      tokens_.Issue(*username, now, clock_.WallNow(), options_.token_lifetime);
  const json body = {{"access_token", token.access_token},
                     {"token_type", "bearer"},
                     {"refresh_token", token.refresh_token},
                     {"expires_in", token.expires_in_seconds},
                     {"scope", "default"},
                     {"jti", token.jti}};
  return JsonResponse(200, body.dump());
}

std::optional<SimResponse> Service::CheckBearer(const SimRequest& request, SteadyTime now) {
  const std::string authorization = request.Header("Authorization");
  auto unauthorized = [](std::string_view error, std::string_view description) {
    SimResponse r = OAuthError(401, error, description);
    r.headers.emplace_back("WWW-Authenticate", R"(Bearer realm="oauth2-resource", error=")" +
                                                   std::string(error) + "\"");
    return r;
  };
  if (authorization.size() <= 7 || !StartsWithIgnoringAsciiCase(authorization, "bearer ")) {
    return unauthorized("unauthorized", "Full authentication is required to access this resource");
  }
  switch (tokens_.Check(std::string_view(authorization).substr(7), now)) {
    case TokenCheck::kValid:
      return std::nullopt;
    case TokenCheck::kExpired:
      return unauthorized("invalid_token", "Access token expired");
    case TokenCheck::kUnknown:
      break;
  }
  return unauthorized("invalid_token", "Invalid access token");
}

}  // namespace drmm::sim
