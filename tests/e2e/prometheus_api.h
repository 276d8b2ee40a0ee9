// The parts of Prometheus's HTTP API the end-to-end tests use: instant queries (at now or at a
// given time) and the rules and alerts lists. The parsing of a query answer is a pure function,
// tested on literal JSON.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drmm::e2e {

struct PromSample {
  std::map<std::string, std::string> labels;  // __name__ included when the result keeps it
  double value = 0;
};

struct PromQueryResult {
  bool ok = false;
  std::string error;                // errorType: error, or why the answer could not be read
  std::vector<PromSample> samples;  // a scalar result is one sample without labels
  std::vector<std::string> warnings;
};

// Reads the answer of /api/v1/query (any HTTP status: errors come as JSON too).
PromQueryResult ParsePromQueryResponse(int http_status, std::string_view body);

class PrometheusApi {
 public:
  explicit PrometheusApi(int port) : port_(port) {}

  // An instant query at `at_unix_seconds`, or at Prometheus's now.
  PromQueryResult Query(const std::string& expr,
                        std::optional<double> at_unix_seconds = std::nullopt) const;
  // The `data` member of a successful GET of an API path (/api/v1/rules, /api/v1/alerts, ...);
  // nullopt when the request or the answer failed.
  std::optional<nlohmann::json> GetData(const std::string& path) const;

  int port() const { return port_; }

 private:
  int port_;
};

// Unix time now, with sub-second precision (the same clock Prometheus and the exporter read).
double UnixNow();

// A label set as PromQL writes it: {a="1", b="2"}.
std::string FormatLabels(const std::map<std::string, std::string>& labels);

}  // namespace drmm::e2e
