#include "prometheus_api.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "http.h"

namespace drmm::e2e {
namespace {

using nlohmann::json;

// Prometheus writes sample values as strings ("1", "0.25", "NaN", "+Inf").
std::optional<double> ParseValue(const json& pair) {
  if (!pair.is_array() || pair.size() != 2 || !pair[1].is_string()) return std::nullopt;
  try {
    return std::stod(pair[1].get<std::string>());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

PromQueryResult ParsePromQueryResponse(int http_status, std::string_view body) {
  PromQueryResult result;
  const json answer = json::parse(body, nullptr, false);
  if (!answer.is_object()) {
    result.error =
        "HTTP " + std::to_string(http_status) + ", not JSON: " + std::string(body.substr(0, 200));
    return result;
  }
  if (answer.value("status", "") != "success") {
    result.error = answer.value("errorType", "?") + ": " + answer.value("error", "?");
    return result;
  }
  for (const auto& warning : answer.value("warnings", json::array())) {
    result.warnings.push_back(warning.is_string() ? warning.get<std::string>() : warning.dump());
  }
  const json data = answer.value("data", json::object());
  const std::string type = data.value("resultType", "");
  const json values = data.value("result", json());
  if (type == "scalar") {
    const auto value = ParseValue(values);
    if (!value) {
      result.error = "unreadable scalar: " + values.dump();
      return result;
    }
    result.samples.push_back({{}, *value});
  } else if (type == "vector" && values.is_array()) {
    for (const auto& item : values) {
      if (!item.is_object()) {
        result.error = "unreadable sample: " + item.dump();
        return result;
      }
      PromSample sample;
      const json metric = item.value("metric", json::object());
      for (const auto& [name, label] : metric.items()) {
        sample.labels[name] = label.is_string() ? label.get<std::string>() : label.dump();
      }
      const auto value = ParseValue(item.value("value", json()));
      if (!value) {
        result.error = "unreadable sample: " + item.dump();
        return result;
      }
      sample.value = *value;
      result.samples.push_back(std::move(sample));
    }
  } else {
    result.error = "unexpected result type \"" + type + "\"";
    return result;
  }
  result.ok = true;
  return result;
}

PromQueryResult PrometheusApi::Query(const std::string& expr,
                                     std::optional<double> at_unix_seconds) const {
  HttpFields form = {{"query", expr}};
  if (at_unix_seconds) {
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%.3f", *at_unix_seconds);
    form.emplace_back("time", text.data());
  }
  const HttpResponse response = HttpPostForm(port_, "/api/v1/query", form);
  if (response.status == 0) {
    PromQueryResult result;
    result.error = "no answer from Prometheus: " + response.error;
    return result;
  }
  return ParsePromQueryResponse(response.status, response.body);
}

std::optional<nlohmann::json> PrometheusApi::GetData(const std::string& path) const {
  const HttpResponse response = HttpGet(port_, path);
  if (response.status != 200) return std::nullopt;
  const json answer = json::parse(response.body, nullptr, false);
  if (!answer.is_object() || answer.value("status", "") != "success") return std::nullopt;
  return answer.value("data", json());
}

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string FormatLabels(const std::map<std::string, std::string>& labels) {
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ", ";
    out += name + "=\"" + value + "\"";
  }
  return out + "}";
}

}  // namespace drmm::e2e
