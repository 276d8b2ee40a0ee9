#include "sim_admin.h"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "http.h"

namespace drmm::e2e {
namespace {

nlohmann::json Checked(const HttpResponse& response, const std::string& what) {
  if (response.status != 200) {
    throw std::runtime_error("simulator " + what + ": HTTP " + std::to_string(response.status) +
                             " " + response.error + " " + response.body);
  }
  auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (parsed.is_discarded()) throw std::runtime_error("simulator " + what + ": not JSON");
  return parsed;
}

}  // namespace

nlohmann::json SimAdmin::GroundTruth() const {
  return Checked(HttpGet(port_, "/__sim/ground-truth"), "ground truth");
}

nlohmann::json SimAdmin::Requests(std::uint64_t since) const {
  return Checked(HttpGet(port_, "/__sim/requests?since=" + std::to_string(since)), "requests");
}

void SimAdmin::ResetRequests() const {
  Checked(HttpPost(port_, "/__sim/requests/reset", ""), "requests reset");
}

void SimAdmin::InjectFaults(const nlohmann::json& faults) const {
  Checked(HttpPost(port_, "/__sim/faults", faults.dump()), "faults");
}

void SimAdmin::Churn(int events) const {
  Checked(HttpPost(port_, "/__sim/churn?events=" + std::to_string(events), ""), "churn");
}

void SimAdmin::RevokeTokens() const {
  Checked(HttpPost(port_, "/__sim/tokens/revoke", ""), "token revocation");
}

int CountRequests(const nlohmann::json& log, const std::string& method,
                  const std::string& path_prefix, int status) {
  int count = 0;
  for (const auto& request : log.value("requests", nlohmann::json::array())) {
    if (request.value("method", "") != method) continue;
    if (!request.value("path", "").starts_with(path_prefix)) continue;
    if (status >= 0 && request.value("status", -1) != status) continue;
    ++count;
  }
  return count;
}

}  // namespace drmm::e2e
