#include "exporter/web/http_rules.h"

#include "common/ascii.h"
#include "common/http_status.h"

namespace drmm {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Whether the parameters of a coding (";q=0.5;x=y") set q to zero.
bool QualityZero(std::string_view parameters) {
  while (!parameters.empty()) {
    const auto semicolon = parameters.find(';');
    const std::string_view parameter = Trim(parameters.substr(0, semicolon));
    parameters = semicolon == std::string_view::npos ? "" : parameters.substr(semicolon + 1);
    if (parameter.size() < 2 || (parameter[0] != 'q' && parameter[0] != 'Q') ||
        parameter[1] != '=') {
      continue;
    }
    const std::string_view value = Trim(parameter.substr(2));
    return !value.empty() && value.find_first_not_of("0.") == std::string_view::npos;
  }
  return false;
}

}  // namespace

RouteDecision RouteRequest(std::string_view method, std::string_view target,
                           std::string_view telemetry_path, bool lifecycle) {
  const std::string_view path = target.substr(0, target.find('?'));
  const bool read = method == "GET" || method == "HEAD";
  RouteDecision decision;
  if (path == "/-/reload") {
    if (method == "POST" || method == "PUT") {
      if (lifecycle) {
        decision.route = Route::kReload;
      } else {
        decision.status = 403;
        decision.body = "Lifecycle API is not enabled.\n";
      }
    } else {
      decision.status = 405;
      decision.allow = "POST, PUT";
      decision.body = "Only POST or PUT requests allowed.\n";
    }
    return decision;
  }
  Route route = Route::kRefused;
  if (path == telemetry_path) {
    route = Route::kMetrics;
  } else if (path == "/") {
    route = Route::kLanding;
  } else if (path == "/-/healthy") {
    route = Route::kHealthy;
  } else if (path == "/-/ready") {
    route = Route::kReady;
  } else {
    decision.status = 404;
    decision.body = "not found\n";
    return decision;
  }
  if (!read) {
    decision.status = 405;
    decision.allow = "GET, HEAD";
    decision.body = "method not allowed\n";
    return decision;
  }
  decision.route = route;
  return decision;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const std::string_view part = Trim(accept_encoding.substr(0, comma));
    accept_encoding = comma == std::string_view::npos ? "" : accept_encoding.substr(comma + 1);
    const auto semicolon = part.find(';');
    const std::string_view coding = Trim(part.substr(0, semicolon));
    if (!EqualsIgnoringAsciiCase(coding, "gzip")) continue;
    if (semicolon != std::string_view::npos && QualityZero(part.substr(semicolon + 1))) continue;
    return true;
  }
  return false;
}

std::string FormatResponseHead(const ResponseHead& head) {
  std::string out;
  out.reserve(256);
  out += "HTTP/1.1 ";
  out += std::to_string(head.status);
  out += ' ';
  out += HttpReasonPhrase(head.status);
  out += "\r\n";
  if (!head.content_type.empty()) out += "Content-Type: " + head.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(head.content_length) + "\r\n";
  if (head.gzip) out += "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n";
  for (const auto& [name, value] : head.headers)
    out.append(name).append(": ").append(value) += "\r\n";
  if (head.close) out += "Connection: close\r\n";
  out += "\r\n";
  return out;
}

}  // namespace drmm
