#include "sim/flags.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <map>

#include "common/command_line.h"
#include "common/duration.h"

namespace drmm::sim {
namespace {

using Setter = std::function<std::string(SimulatorOptions&, std::string_view)>;

template <typename T>
std::string ParseNumber(std::string_view flag, std::string_view value, T& out) {
  T parsed{};
  const auto result = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (value.empty() || result.ec != std::errc() || result.ptr != value.data() + value.size()) {
    return "--" + std::string(flag) + ": expected a number, got \"" + std::string(value) + "\"";
  }
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(parsed)) {
      return "--" + std::string(flag) + ": expected a finite number, got \"" + std::string(value) +
             "\"";
    }
  }
  out = parsed;
  return "";
}

std::string ParseDurationFlag(std::string_view flag, std::string_view value,
                              std::chrono::milliseconds& out) {
  const auto d = ParseDuration(value);
  if (!d) {
    return "--" + std::string(flag) +
           ": expected a duration such as 500ms, 2s, 5m or 100h, got \"" + std::string(value) +
           "\"";
  }
  out = *d;
  return "";
}

const std::map<std::string, Setter, std::less<>>& Setters() {
  static const std::map<std::string, Setter, std::less<>> kSetters = {
      {"port",
       [](SimulatorOptions& o, std::string_view v) { return ParseNumber("port", v, o.port); }},
      {"api-key",
       [](SimulatorOptions& o, std::string_view v) {
         o.api_key = v;
         return std::string();
       }},
      {"api-secret",
       [](SimulatorOptions& o, std::string_view v) {
         o.api_secret = v;
         return std::string();
       }},
      {"seed",
       [](SimulatorOptions& o, std::string_view v) { return ParseNumber("seed", v, o.seed); }},
      {"sites",
       [](SimulatorOptions& o, std::string_view v) { return ParseNumber("sites", v, o.sites); }},
      {"devices", [](SimulatorOptions& o,
                     std::string_view v) { return ParseNumber("devices", v, o.devices); }},
      {"alerts",
       [](SimulatorOptions& o, std::string_view v) { return ParseNumber("alerts", v, o.alerts); }},
      {"online-ratio",
       [](SimulatorOptions& o, std::string_view v) {
         return ParseNumber("online-ratio", v, o.online_ratio);
       }},
      {"token-lifetime",
       [](SimulatorOptions& o, std::string_view v) {
         return ParseDurationFlag("token-lifetime", v, o.token_lifetime);
       }},
      {"page-max", [](SimulatorOptions& o,
                      std::string_view v) { return ParseNumber("page-max", v, o.page_max); }},
      {"alerts-page-max",
       [](SimulatorOptions& o, std::string_view v) {
         return ParseNumber("alerts-page-max", v, o.alerts_page_max);
       }},
      {"rate-limit", [](SimulatorOptions& o,
                        std::string_view v) { return ParseNumber("rate-limit", v, o.rate_limit); }},
      {"rate-window",
       [](SimulatorOptions& o, std::string_view v) {
         return ParseDurationFlag("rate-window", v, o.rate_window);
       }},
      {"cutoff-ratio",
       [](SimulatorOptions& o, std::string_view v) {
         return ParseNumber("cutoff-ratio", v, o.cutoff_ratio);
       }},
      {"throttle-delay",
       [](SimulatorOptions& o, std::string_view v) {
         return ParseDurationFlag("throttle-delay", v, o.throttle_delay);
       }},
      {"block-duration",
       [](SimulatorOptions& o, std::string_view v) {
         return ParseDurationFlag("block-duration", v, o.block_duration);
       }},
      {"block-after",
       [](SimulatorOptions& o, std::string_view v) {
         return ParseNumber("block-after", v, o.block_after);
       }},
      {"other-consumers-rpm",
       [](SimulatorOptions& o, std::string_view v) {
         return ParseNumber("other-consumers-rpm", v, o.other_consumers_rpm);
       }},
      {"churn-per-minute",
       [](SimulatorOptions& o, std::string_view v) {
         return ParseNumber("churn-per-minute", v, o.churn_per_minute);
       }},
      {"device-timestamps",
       [](SimulatorOptions& o, std::string_view v) -> std::string {
         if (v == "ms") {
           o.device_timestamps = TimestampFormat::kEpochMillis;
         } else if (v == "iso") {
           o.device_timestamps = TimestampFormat::kIso8601;
         } else {
           return "--device-timestamps: expected ms or iso, got \"" + std::string(v) + "\"";
         }
         return "";
       }},
      {"scenario",
       [](SimulatorOptions& o, std::string_view v) {
         o.scenario_file = v;
         return std::string();
       }},
      {"advertised-url",
       [](SimulatorOptions& o, std::string_view v) {
         o.advertised_url = v;
         while (o.advertised_url.ends_with('/')) o.advertised_url.pop_back();
         return std::string();
       }},
      {"fault",
       [](SimulatorOptions& o, std::string_view v) -> std::string {
         FaultParse parsed = ParseFaultSpec(v);
         if (!parsed.fault) return "--fault " + std::string(v) + ": " + parsed.error;
         o.faults.push_back(std::move(*parsed.fault));
         return "";
       }},
      {"threads", [](SimulatorOptions& o,
                     std::string_view v) { return ParseNumber("threads", v, o.threads); }},
  };
  return kSetters;
}

}  // namespace

Result<CommandLine> ParseFlags(std::span<const std::string_view> args) {
  // The flag table for SplitFlags: --help, then one flag per setter. Every flag may be repeated:
  // the last value wins, and each --fault adds one.
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const auto& [name, setter] : Setters()) names.push_back("--" + name);
    return names;
  }();
  static const std::vector<FlagShape> kShapes = [] {
    std::vector<FlagShape> shapes{{"--help", "-h", /*takes_value=*/false}};
    for (const std::string& name : kNames) shapes.push_back({name, "", true, true});
    return shapes;
  }();
  auto split = SplitFlags(args, kShapes);
  if (!split.ok()) return split.error();
  CommandLine command_line;
  for (const FlagArgument& argument : split.value()) {
    if (argument.flag == 0) {
      command_line.help = true;
      continue;
    }
    const auto& setter = Setters().find(kShapes[argument.flag].name.substr(2))->second;
    if (std::string error = setter(command_line.options, argument.value); !error.empty()) {
      return Error{std::move(error)};
    }
  }
  if (command_line.help) return command_line;
  if (std::string error = ValidateOptions(command_line.options); !error.empty()) {
    return Error{std::move(error)};
  }
  return command_line;
}

std::string UsageText() {
  return R"(Usage: datto-rmm-sim [flags]

Serves the Datto RMM REST API v2 on 127.0.0.1, as the real API behaves, over a generated or
scripted account. The first line on stdout is "datto-rmm-sim listening on http://127.0.0.1:PORT".
Flags take --name=value or --name value; a later value wins. Durations: 500ms, 2s, 5m, 100h,
1h30m.

Server
  --port N                  port on 127.0.0.1; 0 picks a free one (default 8780)
  --api-key KEY             API key the token endpoint accepts (default demo-key)
  --api-secret SECRET       API secret the token endpoint accepts (default demo-secret)
  --token-lifetime D        access token lifetime (default 100h)
  --advertised-url URL      origin written in nextPageUrl (default http://127.0.0.1:PORT)
  --threads N               HTTP worker threads (default 16)

Account
  --seed N                  random seed of the account and its churn (default 1)
  --sites N                 sites, "Deleted Devices" and on-demand sites included (default 20)
  --devices N               devices (default 400)
  --alerts N                open alerts (default 60)
  --online-ratio R          share of devices online, 0..1 (default 0.85)
  --scenario FILE           load the account from a scenario file (JSON) instead
  --churn-per-minute N      changes per minute: devices on/offline, alerts, sites (default 30;
                            0 freezes the account)
  --device-timestamps F     ms (epoch milliseconds) or iso (ISO-8601 strings) (default ms)

Pagination and rate limits
  --page-max N              default and maximum page size (default 250)
  --alerts-page-max N       the same for open alerts (default 250)
  --rate-limit N            requests per window for the account (default 600)
  --rate-window D           sliding window (default 60s)
  --cutoff-ratio R          above this share of the limit responses are delayed (default 0.9)
  --throttle-delay D        that delay (default 1s)
  --block-after N           requests during a 429's Retry-After that start a block (default 10)
  --block-duration D        403 IP block length (default 5m)
  --other-consumers-rpm N   other integrations' requests per minute (per window) (default 0)

Faults (repeatable): --fault KIND[:key=value,...]
  kinds: server_error (status), slow (delay), malformed_json, truncated_json, drop_connection,
  foreign_next_page (origin), repeat_items (items), revoke_token (after_pages),
  rate_limit (retry_after), block (duration), forbidden; every kind takes count and path (a
  prefix).
  Example: --fault server_error:count=3,status=503,path=/api/v2/account/devices

Admin endpoints (never rate-limited or logged): GET /__sim/ground-truth,
GET /__sim/requests[?since=SEQ], POST /__sim/requests/reset, GET|POST|DELETE /__sim/faults,
POST /__sim/churn?events=N, POST /__sim/tokens/revoke, GET|PUT /__sim/settings.
See docs/simulator.md.
)";
}

}  // namespace drmm::sim
