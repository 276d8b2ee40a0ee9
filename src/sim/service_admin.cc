// The simulator's own control surface (/__sim/...): ground truth, the request log, faults,
// churn, token revocation and live settings, used by tests, the benchmarks and the demo. Not
// part of Datto's API.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/duration.h"
#include "common/result.h"
#include "common/text.h"
#include "sim/encoding.h"
#include "sim/ground_truth.h"
#include "sim/responses.h"
#include "sim/service.h"
#include "sim/time_format.h"

namespace drmm::sim {

using nlohmann::json;

namespace {

// What a PUT /__sim/settings body changes; a setting it leaves out stays as it is.
struct SettingsChange {
  std::optional<double> other_consumers_rpm;
  std::optional<double> churn_per_minute;
  std::optional<TimestampFormat> device_timestamps;
  std::optional<Duration> throttle_delay;
  std::optional<int> rate_limit;
};

// One setting's value from the body, or why it cannot be taken (the 400 response's message).
Result<double> PerMinuteSetting(const json& value, std::string_view key) {
  if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1'000'000) {
    return Error{std::string(key) + " must be a number in [0, 1000000]"};
  }
  return value.get<double>();
}

Result<TimestampFormat> TimestampsSetting(const json& value) {
  const auto format =
      value.is_string() ? ParseTimestampFormat(value.get<std::string>()) : std::nullopt;
  if (!format) return Error{R"(device_timestamps must be "ms" or "iso")"};
  return *format;
}

Result<Duration> ThrottleSetting(const json& value) {
  const auto delay = value.is_string() ? ParseDuration(value.get<std::string>()) : std::nullopt;
  if (!delay) return Error{"throttle_delay must be a duration such as \"1s\""};
  return Duration(*delay);
}

Result<int> RateLimitSetting(const json& value) {
  if (!value.is_number_integer() || value.get<std::int64_t>() < 1 ||
      value.get<std::int64_t>() > 1'000'000) {
    return Error{"rate_limit must be an integer in [1, 1000000]"};
  }
  return value.get<int>();
}

template <typename T>
std::optional<Error> Take(Result<T> parsed, std::optional<T>& target) {
  if (!parsed.ok()) return parsed.error();
  target = std::move(parsed).value();
  return std::nullopt;
}

std::optional<Error> ReadSetting(const std::string& key, const json& value,
                                 SettingsChange& change) {
  if (key == "other_consumers_rpm") {
    return Take(PerMinuteSetting(value, key), change.other_consumers_rpm);
  }
  if (key == "churn_per_minute") return Take(PerMinuteSetting(value, key), change.churn_per_minute);
  if (key == "device_timestamps") return Take(TimestampsSetting(value), change.device_timestamps);
  if (key == "throttle_delay") return Take(ThrottleSetting(value), change.throttle_delay);
  if (key == "rate_limit") return Take(RateLimitSetting(value), change.rate_limit);
  return Error{"unknown setting \"" + key + "\""};
}

// All of the body, or the first setting that cannot be taken: nothing changes then.
Result<SettingsChange> ReadSettingsChange(const json& body) {
  SettingsChange change;
  for (const auto& [key, value] : body.items()) {
    if (auto error = ReadSetting(key, value, change)) return *std::move(error);
  }
  return change;
}

}  // namespace

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
      const auto parsed = ParseWholeNumber<std::uint64_t>(*text);
      if (!parsed) return bad("since must be a sequence number");
      since = *parsed;
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
      const auto parsed = ParseWholeNumber<int>(*text);
      if (!parsed || *parsed < 0 || *parsed > 1'000'000) {
        return bad("events must be an integer in [0, 1000000]");
      }
      events = *parsed;
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
    const auto parsed = ReadSettingsChange(body);
    if (!parsed.ok()) return ErrorResponse(400, request.path, parsed.error().message, now_ms);
    const SettingsChange& change = parsed.value();
    if (change.other_consumers_rpm) SetOtherConsumersRpm(*change.other_consumers_rpm);
    if (change.churn_per_minute) SetChurnPerMinute(*change.churn_per_minute);
    if (change.rate_limit) {
      std::lock_guard lock(limiter_mutex_);
      limiter_.SetLimit(*change.rate_limit);
    }
    std::lock_guard lock(settings_mutex_);
    if (change.device_timestamps) settings_.device_timestamps = *change.device_timestamps;
    if (change.throttle_delay) settings_.throttle_delay = *change.throttle_delay;
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
