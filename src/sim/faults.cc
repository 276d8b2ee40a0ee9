#include "sim/faults.h"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/duration.h"
#include "common/text.h"

namespace drmm::sim {
namespace {

struct KindInfo {
  FaultKind kind;
  std::string_view name;
  std::string_view keys;  // the kind-specific keys it accepts, space separated
};

constexpr std::array<KindInfo, 11> kKinds{{
    {FaultKind::kServerError, "server_error", "status"},
    {FaultKind::kSlow, "slow", "delay"},
    {FaultKind::kMalformedJson, "malformed_json", ""},
    {FaultKind::kTruncatedJson, "truncated_json", ""},
    {FaultKind::kDropConnection, "drop_connection", ""},
    {FaultKind::kForeignNextPage, "foreign_next_page", "origin"},
    {FaultKind::kRepeatItems, "repeat_items", "items"},
    {FaultKind::kRevokeToken, "revoke_token", "after_pages"},
    {FaultKind::kRateLimit, "rate_limit", "retry_after"},
    {FaultKind::kBlock, "block", "duration"},
    {FaultKind::kForbidden, "forbidden", ""},
}};

const KindInfo& Info(FaultKind kind) {
  for (const auto& info : kKinds) {
    if (info.kind == kind) return info;
  }
  return kKinds[0];
}

bool Accepts(FaultKind kind, std::string_view key) {
  if (key == "count" || key == "path") return true;
  std::string_view keys = Info(kind).keys;
  while (!keys.empty()) {
    const auto space = keys.find(' ');
    if (keys.substr(0, space) == key) return true;
    if (space == std::string_view::npos) break;
    keys.remove_prefix(space + 1);
  }
  return false;
}

// `fault` with one key=value (value as text) applied, or why it cannot be.
Result<FaultSpec> WithKey(FaultSpec fault, std::string_view key, std::string_view value) {
  if (!Accepts(fault.kind, key)) {
    return Error{"key \"" + std::string(key) + "\" does not apply to " +
                 std::string(FaultKindName(fault.kind))};
  }
  auto int_in = [&](int lo, int hi, int FaultSpec::*field) -> Result<FaultSpec> {
    const auto v = ParseWholeNumber<int>(value);
    if (!v || *v < lo || *v > hi) {
      return Error{std::string(key) + " must be an integer in [" + std::to_string(lo) + ", " +
                   std::to_string(hi) + "], got \"" + std::string(value) + "\""};
    }
    fault.*field = *v;
    return fault;
  };
  auto duration_in = [&](std::chrono::milliseconds FaultSpec::*field) -> Result<FaultSpec> {
    const auto d = ParseDuration(value);
    if (!d) {
      return Error{std::string(key) + " must be a duration such as 1500ms or 2s, got \"" +
                   std::string(value) + "\""};
    }
    fault.*field = *d;
    return fault;
  };
  if (key == "count") return int_in(1, 1'000'000, &FaultSpec::count);
  if (key == "path") {
    if (!value.empty() && value.front() != '/') return Error{"path must start with \"/\""};
    fault.path_prefix = std::string(value);
    return fault;
  }
  if (key == "status") return int_in(500, 599, &FaultSpec::status);
  if (key == "delay") return duration_in(&FaultSpec::delay);
  if (key == "duration") return duration_in(&FaultSpec::duration);
  if (key == "retry_after") return int_in(0, 86'400, &FaultSpec::retry_after_seconds);
  if (key == "after_pages") return int_in(0, 1'000'000, &FaultSpec::after_pages);
  if (key == "items") return int_in(0, 1'000'000, &FaultSpec::items);
  if (key == "origin") {
    if (!(value.starts_with("http://") || value.starts_with("https://")) || value.size() < 9) {
      return Error{"origin must look like http://host[:port]"};
    }
    fault.origin = std::string(value);
    while (!fault.origin.empty() && fault.origin.back() == '/') fault.origin.pop_back();
    return fault;
  }
  return Error{"unknown key \"" + std::string(key) + "\""};
}

std::string KindList() {
  std::string out;
  for (const auto& info : kKinds) {
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out;
}

}  // namespace

std::string_view FaultKindName(FaultKind kind) { return Info(kind).name; }

std::optional<FaultKind> ParseFaultKind(std::string_view name) {
  for (const auto& info : kKinds) {
    if (info.name == name) return info.kind;
  }
  return std::nullopt;
}

Result<FaultSpec> ParseFaultSpec(std::string_view spec) {
  const auto colon = spec.find(':');
  const std::string_view kind_name = spec.substr(0, colon);
  const auto kind = ParseFaultKind(kind_name);
  if (!kind) {
    return Error{"unknown fault kind \"" + std::string(kind_name) + "\" (one of " + KindList() +
                 ")"};
  }
  FaultSpec fault;
  fault.kind = *kind;
  std::string_view rest =
      colon == std::string_view::npos ? std::string_view{} : spec.substr(colon + 1);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view pair = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return Error{"expected key=value, got \"" + std::string(pair) + "\""};
    }
    auto applied = WithKey(std::move(fault), pair.substr(0, eq), pair.substr(eq + 1));
    if (!applied.ok()) return applied.error();
    fault = std::move(applied).value();
  }
  return fault;
}

Result<FaultSpec> FaultFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return Error{"a fault must be a JSON object"};
  const auto kind_it = json.find("kind");
  if (kind_it == json.end() || !kind_it->is_string()) {
    return Error{"a fault needs \"kind\" (one of " + KindList() + ")"};
  }
  const auto kind = ParseFaultKind(kind_it->get<std::string>());
  if (!kind) {
    return Error{"unknown fault kind \"" + kind_it->get<std::string>() + "\" (one of " +
                 KindList() + ")"};
  }
  FaultSpec fault;
  fault.kind = *kind;
  for (const auto& [key, value] : json.items()) {
    if (key == "kind") continue;
    std::string text;
    if (value.is_string()) {
      text = value.get<std::string>();
    } else if (value.is_number_integer()) {
      // Durations given as numbers are milliseconds.
      text = std::to_string(value.get<std::int64_t>());
      if (key == "delay" || key == "duration") text += "ms";
    } else {
      return Error{"\"" + key + "\" must be a string or an integer"};
    }
    auto applied = WithKey(std::move(fault), key, text);
    if (!applied.ok()) return applied.error();
    fault = std::move(applied).value();
  }
  return fault;
}

nlohmann::json FaultToJson(const FaultSpec& fault) {
  nlohmann::json j = {
      {"kind", FaultKindName(fault.kind)}, {"count", fault.count}, {"path", fault.path_prefix}};
  switch (fault.kind) {
    case FaultKind::kServerError:
      j["status"] = fault.status;
      break;
    case FaultKind::kSlow:
      j["delay"] = FormatDuration(fault.delay);
      break;
    case FaultKind::kForeignNextPage:
      j["origin"] = fault.origin;
      break;
    case FaultKind::kRepeatItems:
      j["items"] = fault.items;
      break;
    case FaultKind::kRevokeToken:
      j["after_pages"] = fault.after_pages;
      break;
    case FaultKind::kRateLimit:
      j["retry_after"] = fault.retry_after_seconds;
      break;
    case FaultKind::kBlock:
      j["duration"] = FormatDuration(fault.duration);
      break;
    case FaultKind::kMalformedJson:
    case FaultKind::kTruncatedJson:
    case FaultKind::kDropConnection:
    case FaultKind::kForbidden:
      break;
  }
  return j;
}

}  // namespace drmm::sim
