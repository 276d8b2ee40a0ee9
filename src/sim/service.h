// The simulator's request pipeline without any HTTP library: the rate window, faults, tokens,
// routing and rendering of the API, and the /__sim admin endpoints. The HTTP adapter
// (simulator.cc) converts requests, holds responses back by the returned delay and drops
// connections when asked to. Thread-safe; no lock is held while a response is rendered.
// The class is defined across service.cc (admission, dispatch, paging, churn),
// service_auth.cc (the OAuth token endpoint and bearer checks) and service_admin.cc (/__sim).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "sim/churn.h"
#include "sim/encoding.h"
#include "sim/fault_queue.h"
#include "sim/json_writer.h"
#include "sim/model.h"
#include "sim/options.h"
#include "sim/rate_limiter.h"
#include "sim/request_log.h"
#include "sim/rng.h"
#include "sim/routes.h"
#include "sim/token_store.h"

namespace drmm::sim {

inline constexpr std::string_view kAdminPrefix = "/__sim/";

struct SimRequest {
  std::string method;
  std::string path;   // without the query
  std::string query;  // raw, without "?"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Case-insensitive; "" when absent.
  std::string Header(std::string_view name) const;
};

struct SimResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  // As the API's framework writes it. The charset parameter also keeps cpp-httplib from
  // compressing (it only compresses a bare "application/json"): brotli at its default level
  // would make the simulator, not the client, the bottleneck of a benchmark.
  std::string content_type = "application/json;charset=UTF-8";
  std::string body;
  Duration delay{0};             // hold the response back this long (throttle, slow fault)
  bool drop_connection = false;  // close the connection without any response
};

class Service {
 public:
  // Generates or loads the account; throws std::invalid_argument for invalid options or a bad
  // scenario file.
  Service(const SimulatorOptions& options, Clock& clock);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // The origin of this simulator's own URLs ("http://127.0.0.1:PORT"), once the port is known;
  // ignored when the options set advertised_url.
  void SetOrigin(std::string origin);
  std::string Origin() const;

  SimResponse Handle(const SimRequest& request);

  nlohmann::json GroundTruth();
  nlohmann::json RequestLog(std::uint64_t since_seq) const;
  void ResetRequestLog();
  void InjectFault(const FaultSpec& fault);
  void ClearFaults();
  void ApplyChurn(int events);
  void RevokeAllTokens();
  void SetOtherConsumersRpm(double rpm);
  void SetChurnPerMinute(double per_minute);
  // The account as it is served now (due churn applied first).
  std::shared_ptr<const AccountState> State();

  const SimulatorOptions& options() const { return options_; }

 private:
  struct Settings {
    TimestampFormat device_timestamps = TimestampFormat::kEpochMillis;
    Duration throttle_delay{0};
    std::string origin;
  };
  // What a list response must do differently because of a fault.
  struct ListEffects {
    std::optional<std::string> foreign_origin;
    bool repeat = false;
    int repeat_items = 0;
  };

  SimResponse HandleApi(const SimRequest& request, SteadyTime now);
  SimResponse Dispatch(const SimRequest& request, const Route& route, const Params& query,
                       SteadyTime now, const ListEffects& effects);
  SimResponse HandleAdmin(const SimRequest& request);
  SimResponse AdminSettings(const SimRequest& request);
  SimResponse IssueToken(const SimRequest& request, const Params& query, SteadyTime now);
  std::optional<SimResponse> CheckBearer(const SimRequest& request, SteadyTime now);
  SimResponse RequestRate(SteadyTime now);
  SimResponse Status() const;

  template <typename RenderItem>
  SimResponse ServeList(const SimRequest& request, const Params& query, std::string_view key,
                        bool with_total, int cap, std::size_t total, const ListEffects& effects,
                        std::size_t bytes_per_item, const RenderItem& render);
  // How far back the current walk of `path` is shifted by repeat_items faults.
  std::int64_t WalkShift(const std::string& path, std::int64_t page, std::int64_t max,
                         const ListEffects& effects);
  void EndWalk(const std::string& path);

  // Applies the churn due by `now`. Requests pass wait=false: when another thread is applying
  // churn they serve the current state instead of queueing behind it.
  void AdvanceChurn(SteadyTime now, bool wait);
  // The published state, without applying due churn.
  std::shared_ptr<const AccountState> Current() const;
  void ApplyChurnLocked(int events);  // churn_mutex_ held
  Settings CurrentSettings() const;
  double SecondsSinceStart(SteadyTime now) const;

  const SimulatorOptions options_;
  Clock& clock_;
  SteadyTime started_;
  WallTime started_wall_;

  mutable std::mutex state_mutex_;
  std::shared_ptr<const AccountState> state_;  // replaced whole, never modified

  // Serialises churn; guards the churn schedule and its random stream.
  std::mutex churn_mutex_;
  Rng churn_rng_;
  ChurnOptions churn_options_;  // the levels of the account as built, which churn keeps
  double churn_per_minute_ = 0;
  SteadyTime churn_epoch_;
  std::int64_t churn_applied_ = 0;
  std::optional<SteadyTime> churn_applied_at_;  // when the request path last applied churn

  mutable std::mutex limiter_mutex_;
  RateLimiter limiter_;

  mutable std::mutex settings_mutex_;
  Settings settings_;
  double other_consumers_rpm_ = 0;  // also guarded by settings_mutex_

  std::mutex walks_mutex_;
  // Per list path: (first page, items) of each repeat_items shift of the current walk.
  std::vector<std::pair<std::string, std::vector<std::pair<std::int64_t, std::int64_t>>>> walks_;

  FaultQueue faults_;
  TokenStore tokens_;
  sim::RequestLog log_;
};

}  // namespace drmm::sim
