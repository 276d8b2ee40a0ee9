#include "sim/flags.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/command_line.h"
#include "common/duration.h"

namespace drmm::sim {
namespace {

// Sets one option from a flag's value, or says what is wrong with the value, naming the flag:
// `flag` is the table row's name (without "--"), so a row spells its name once.
using Setter = std::function<std::optional<Error>(SimulatorOptions&, std::string_view flag,
                                                  std::string_view value)>;

template <typename T>
std::optional<Error> ParseNumber(std::string_view flag, std::string_view value, T& out) {
  T parsed{};
  const auto result = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (value.empty() || result.ec != std::errc() || result.ptr != value.data() + value.size()) {
    return Error{"--" + std::string(flag) + ": expected a number, got \"" + std::string(value) +
                 "\""};
  }
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(parsed)) {
      return Error{"--" + std::string(flag) + ": expected a finite number, got \"" +
                   std::string(value) + "\""};
    }
  }
  out = parsed;
  return std::nullopt;
}

std::optional<Error> ParseDurationFlag(std::string_view flag, std::string_view value,
                                       std::chrono::milliseconds& out) {
  const auto d = ParseDuration(value);
  if (!d) {
    return Error{"--" + std::string(flag) +
                 ": expected a duration such as 500ms, 2s, 5m or 100h, got \"" +
                 std::string(value) + "\""};
  }
  out = *d;
  return std::nullopt;
}

// A flag whose value is a number, a duration or text stored in one field of the options.
template <typename T>
Setter NumberInto(T SimulatorOptions::*field) {
  return [field](SimulatorOptions& o, std::string_view flag, std::string_view v) {
    return ParseNumber(flag, v, o.*field);
  };
}
Setter DurationInto(std::chrono::milliseconds SimulatorOptions::*field) {
  return [field](SimulatorOptions& o, std::string_view flag, std::string_view v) {
    return ParseDurationFlag(flag, v, o.*field);
  };
}
Setter TextInto(std::string SimulatorOptions::*field) {
  return [field](SimulatorOptions& o, std::string_view /*flag*/,
                 std::string_view v) -> std::optional<Error> {
    o.*field = v;
    return std::nullopt;
  };
}

struct SimFlag {
  std::string_view name;  // without the leading "--"
  Setter set;
};

// Every flag but --help, in the order of the usage text. Every flag may be repeated: the last
// value wins, and each --fault adds one.
const std::vector<SimFlag>& SimFlags() {
  using O = SimulatorOptions;
  static const std::vector<SimFlag> kFlags = {
      {"port", NumberInto(&O::port)},
      {"api-key", TextInto(&O::api_key)},
      {"api-secret", TextInto(&O::api_secret)},
      {"token-lifetime", DurationInto(&O::token_lifetime)},
      {"advertised-url",
       [](O& o, std::string_view /*flag*/, std::string_view v) -> std::optional<Error> {
         o.advertised_url = v;
         while (o.advertised_url.ends_with('/')) o.advertised_url.pop_back();
         return std::nullopt;
       }},
      {"threads", NumberInto(&O::threads)},
      {"seed", NumberInto(&O::seed)},
      {"sites", NumberInto(&O::sites)},
      {"devices", NumberInto(&O::devices)},
      {"alerts", NumberInto(&O::alerts)},
      {"online-ratio", NumberInto(&O::online_ratio)},
      {"scenario", TextInto(&O::scenario_file)},
      {"churn-per-minute", NumberInto(&O::churn_per_minute)},
      {"device-timestamps",
       [](O& o, std::string_view flag, std::string_view v) -> std::optional<Error> {
         if (v == "ms") {
           o.device_timestamps = TimestampFormat::kEpochMillis;
         } else if (v == "iso") {
           o.device_timestamps = TimestampFormat::kIso8601;
         } else {
           return Error{"--" + std::string(flag) + ": expected ms or iso, got \"" + std::string(v) +
                        "\""};
         }
         return std::nullopt;
       }},
      {"page-max", NumberInto(&O::page_max)},
      {"alerts-page-max", NumberInto(&O::alerts_page_max)},
      {"rate-limit", NumberInto(&O::rate_limit)},
      {"rate-window", DurationInto(&O::rate_window)},
      {"cutoff-ratio", NumberInto(&O::cutoff_ratio)},
      {"throttle-delay", DurationInto(&O::throttle_delay)},
      {"block-after", NumberInto(&O::block_after)},
      {"block-duration", DurationInto(&O::block_duration)},
      {"other-consumers-rpm", NumberInto(&O::other_consumers_rpm)},
      {"fault",
       [](O& o, std::string_view flag, std::string_view v) -> std::optional<Error> {
         auto parsed = ParseFaultSpec(v);
         if (!parsed.ok()) {
           return Error{"--" + std::string(flag) + " " + std::string(v) + ": " +
                        parsed.error().message};
         }
         o.faults.push_back(std::move(parsed).value());
         return std::nullopt;
       }},
  };
  return kFlags;
}

}  // namespace

Result<CommandLine> ParseFlags(std::span<const std::string_view> args) {
  // The table for SplitFlags: --help first, then SimFlags() in order (shape i + 1 is flag i).
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const SimFlag& flag : SimFlags()) names.push_back("--" + std::string(flag.name));
    return names;
  }();
  static const std::vector<FlagShape> kShapes = [] {
    std::vector<FlagShape> shapes{{"--help", "-h", /*takes_value=*/false}};
    for (const std::string& name : kNames) {
      shapes.push_back({name, "", /*takes_value=*/true, /*repeatable=*/true});
    }
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
    const SimFlag& flag = SimFlags()[argument.flag - 1];
    if (auto error = flag.set(command_line.options, flag.name, argument.value)) {
      return *std::move(error);
    }
  }
  if (command_line.help) return command_line;
  if (auto error = ValidateOptions(command_line.options)) return *std::move(error);
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
  --threads N               HTTP worker threads, at least the client's requests in flight
                            (default 32)

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
