// The Datto RMM API simulator, in-process: serves the REST API v2 on 127.0.0.1 as the real one
// behaves (auth, pagination, rate limits, nulls, faults on demand) over a generated or scripted
// account that changes over time, and tells tests what the exporter should report
// (GroundTruth) and which requests it made (RequestLog). The datto-rmm-sim executable wraps it.
// It shares no code with the client in src/datto, so a client bug cannot be mirrored here.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "common/clock.h"
#include "sim/faults.h"
#include "sim/options.h"

namespace drmm::sim {

class Simulator {
 public:
  // Builds the account at once; throws std::invalid_argument for invalid options or a bad
  // scenario file.
  explicit Simulator(const SimulatorOptions& options, Clock& clock = SystemClock());
  ~Simulator();  // stops
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;
  Simulator(Simulator&&) = delete;
  Simulator& operator=(Simulator&&) = delete;

  // Binds 127.0.0.1:<options.port> (0: any free port), serves on background threads and
  // returns the bound port. Throws std::runtime_error when the port cannot be bound.
  int Start();
  // Stops serving; responses held back by a delay are released at once. Idempotent.
  void Stop();
  int port() const;
  std::string base_url() const;        // "http://127.0.0.1:<port>"
  std::string advertised_url() const;  // the origin in nextPageUrl (base_url unless overridden)

  nlohmann::json GroundTruth() const;
  nlohmann::json RequestLog(std::uint64_t since_seq = 0) const;  // as GET /__sim/requests
  void ResetRequestLog();
  void InjectFault(const FaultSpec& fault);
  void ClearFaults();
  void ApplyChurn(int events);
  void RevokeAllTokens();
  void SetOtherConsumersRpm(double rpm);
  void SetChurnPerMinute(double per_minute);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace drmm::sim
