// The simulator's admin endpoints (/__sim/..., docs/simulator.md) over HTTP, for tests that run
// datto-rmm-sim as a process: its ground truth, its request log, faults, churn, token
// revocation. Each call throws std::runtime_error when the simulator does not answer 200.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

namespace drmm::e2e {

class SimAdmin {
 public:
  explicit SimAdmin(int port) : port_(port) {}

  nlohmann::json GroundTruth() const;
  // GET /__sim/requests?since=<since>: the API requests after that sequence number, with
  // counters since the last reset.
  nlohmann::json Requests(std::uint64_t since = 0) const;
  void ResetRequests() const;
  // An object or an array of fault objects ({"kind": ..., "count": ..., "path": ...}).
  void InjectFaults(const nlohmann::json& faults) const;
  void Churn(int events) const;
  void RevokeTokens() const;

 private:
  int port_;
};

// How many requests of `log` (an answer of Requests()) match: method, a path prefix and, when
// given, the status.
int CountRequests(const nlohmann::json& log, const std::string& method,
                  const std::string& path_prefix, int status = -1);

}  // namespace drmm::e2e
