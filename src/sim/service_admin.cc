// The simulator's own control surface (/__sim/...): ground truth, the request log, faults,
// churn, token revocation and live settings, used by tests, the benchmarks and the demo. Not
// part of Datto's API.
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/duration.h"
#include "sim/encoding.h"
#include "sim/ground_truth.h"
#include "sim/responses.h"
#include "sim/service.h"
#include "sim/time_format.h"

namespace drmm::sim {

using nlohmann::json;

// ---- admin operations --------------------------------------------------------------------------

json Service::GroundTruth() {
  return ComputeGroundTruth(*State(), options_.page_max, options_.alerts_page_max,
                            ToEpochMillis(clock_.WallNow()));
}

json Service::RequestLog(std::uint64_t since_seq) const {
  json log = log_.ToJson(since_seq);
  std::lock_guard lock(limiter_mutex_);
  log["peak_account_window"] = limiter_.PeakCount();
  return log;
}

void Service::ResetRequestLog() {
  log_.Reset();
  std::lock_guard lock(limiter_mutex_);
  limiter_.ResetPeak();
}

void Service::InjectFault(const FaultSpec& fault) { faults_.Add(fault); }

void Service::ClearFaults() { faults_.Clear(); }

void Service::RevokeAllTokens() { tokens_.RevokeAll(); }

void Service::SetOtherConsumersRpm(double rpm) {
  rpm = std::max(rpm, 0.0);
  {
    std::lock_guard lock(limiter_mutex_);
    limiter_.SetOtherConsumers(rpm, clock_.Now());
  }
  std::lock_guard lock(settings_mutex_);
  other_consumers_rpm_ = rpm;
}

// ---- admin endpoints ---------------------------------------------------------------------------

SimResponse Service::HandleAdmin(const SimRequest& request) {
  const std::string& path = request.path;
  const Params query = ParseFormUrlEncoded(request.query);
  const std::int64_t now_ms = ToEpochMillis(clock_.WallNow());
  auto ok = [](const json& body) { return JsonResponse(200, body.dump()); };
  auto bad = [&](std::string_view message) { return ErrorResponse(400, path, message, now_ms); };
  auto only = [&](std::initializer_list<std::string_view> methods) -> std::optional<SimResponse> {
    for (std::string_view m : methods) {
      if (request.method == m) return std::nullopt;
    }
    std::string allowed;
    for (std::string_view m : methods) allowed += (allowed.empty() ? "" : ", ") + std::string(m);
    SimResponse r = ErrorResponse(405, path, "Use " + allowed, now_ms);
    r.headers.emplace_back("Allow", allowed);
    return r;
  };

  if (path == "/__sim/ground-truth") {
    if (auto r = only({"GET"})) return *r;
    return ok(GroundTruth());
  }
  if (path == "/__sim/requests") {
    if (auto r = only({"GET"})) return *r;
    std::uint64_t since = 0;
    if (auto text = FindParam(query, "since")) {
      try {
        std::size_t used = 0;
        since = std::stoull(*text, &used);
        if (used != text->size()) return bad("since must be a sequence number");
      } catch (const std::exception&) {
        return bad("since must be a sequence number");
      }
    }
    return ok(RequestLog(since));
  }
  if (path == "/__sim/requests/reset") {
    if (auto r = only({"POST"})) return *r;
    ResetRequestLog();
    return ok({{"reset", true}});
  }
  if (path == "/__sim/faults") {
    if (auto r = only({"GET", "POST", "DELETE"})) return *r;
    if (request.method == "DELETE") {
      ClearFaults();
    } else if (request.method == "POST") {
      const json body = json::parse(request.body, nullptr, false);
      if (body.is_discarded()) return bad("the body must be JSON: a fault object or an array");
      const json list = body.is_array() ? body : json::array({body});
      std::vector<FaultSpec> parsed;
      for (const auto& item : list) {
        auto result = FaultFromJson(item);
        if (!result.ok()) return bad(result.error().message);
        parsed.push_back(std::move(result).value());
      }
      for (const auto& fault : parsed) InjectFault(fault);
    }
    return ok({{"faults", faults_.ToJson()}});
  }
  if (path == "/__sim/churn") {
    if (auto r = only({"POST"})) return *r;
    int events = 1;
    if (auto text = FindParam(query, "events")) {
      try {
        std::size_t used = 0;
        events = std::stoi(*text, &used);
        if (used != text->size() || events < 0 || events > 1'000'000) throw std::out_of_range("");
      } catch (const std::exception&) {
        return bad("events must be an integer in [0, 1000000]");
      }
    }
    ApplyChurn(events);
    return ok({{"applied", events}});
  }
  if (path == "/__sim/tokens/revoke") {
    if (auto r = only({"POST"})) return *r;
    RevokeAllTokens();
    return ok({{"revoked", true}});
  }
  if (path == "/__sim/settings") {
    if (auto r = only({"GET", "PUT"})) return *r;
    return AdminSettings(request);
  }
  return ErrorResponse(404, path, "Unknown admin path", now_ms);
}

SimResponse Service::AdminSettings(const SimRequest& request) {
  const std::int64_t now_ms = ToEpochMillis(clock_.WallNow());
  if (request.method == "PUT") {
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object()) {
      return ErrorResponse(400, request.path, "the body must be a JSON object", now_ms);
    }
    std::optional<double> rpm;
    std::optional<double> churn;
    std::optional<TimestampFormat> timestamps;
    std::optional<Duration> throttle;
    std::optional<int> limit;
    auto number = [&](const json& v, std::string_view key) -> std::optional<double> {
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1'000'000) {
        throw std::invalid_argument(std::string(key) + " must be a number in [0, 1000000]");
      }
      return v.get<double>();
    };
    try {
      for (const auto& [key, value] : body.items()) {
        if (key == "other_consumers_rpm") {
          rpm = number(value, key);
        } else if (key == "churn_per_minute") {
          churn = number(value, key);
        } else if (key == "device_timestamps") {
          timestamps =
              value.is_string() ? ParseTimestampFormat(value.get<std::string>()) : std::nullopt;
          if (!timestamps) {
            throw std::invalid_argument(R"(device_timestamps must be "ms" or "iso")");
          }
        } else if (key == "throttle_delay") {
          const auto d = value.is_string() ? ParseDuration(value.get<std::string>()) : std::nullopt;
          if (!d) throw std::invalid_argument("throttle_delay must be a duration such as \"1s\"");
          throttle = *d;
        } else if (key == "rate_limit") {
          if (!value.is_number_integer() || value.get<std::int64_t>() < 1 ||
              value.get<std::int64_t>() > 1'000'000) {
            throw std::invalid_argument("rate_limit must be an integer in [1, 1000000]");
          }
          limit = value.get<int>();
        } else {
          throw std::invalid_argument("unknown setting \"" + key + "\"");
        }
      }
    } catch (const std::invalid_argument& e) {
      return ErrorResponse(400, request.path, e.what(), now_ms);
    }
    if (rpm) SetOtherConsumersRpm(*rpm);
    if (churn) SetChurnPerMinute(*churn);
    if (limit) {
      std::lock_guard lock(limiter_mutex_);
      limiter_.SetLimit(*limit);
    }
    std::lock_guard lock(settings_mutex_);
    if (timestamps) settings_.device_timestamps = *timestamps;
    if (throttle) settings_.throttle_delay = *throttle;
  }
  double churn_rate = 0;
  {
    std::lock_guard lock(churn_mutex_);
    churn_rate = churn_per_minute_;
  }
  int limit = 0;
  {
    std::lock_guard lock(limiter_mutex_);
    limit = limiter_.settings().limit;
  }
  std::lock_guard lock(settings_mutex_);
  return JsonResponse(
      200,
      json{{"other_consumers_rpm", other_consumers_rpm_},
           {"churn_per_minute", churn_rate},
           {"device_timestamps", TimestampFormatName(settings_.device_timestamps)},
           {"throttle_delay", FormatDuration(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  settings_.throttle_delay))},
           {"rate_limit", limit},
           {"rate_window", FormatDuration(options_.rate_window)},
           {"block_duration", FormatDuration(options_.block_duration)},
           {"page_max", options_.page_max},
           {"alerts_page_max", options_.alerts_page_max},
           {"origin", settings_.origin}}
          .dump());
}

}  // namespace drmm::sim
