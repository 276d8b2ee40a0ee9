#include "http.h"

#include <httplib.h>

#include <algorithm>
#include <string_view>

#include "common/ascii.h"

namespace drmm::e2e {
namespace {

std::unique_ptr<httplib::Client> ClientFor(int port) {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
  // Everything is local: a connect either works at once or the server is not listening yet.
  client->set_connection_timeout(std::chrono::seconds(2));
  // Generous for sanitizer builds, where a Prometheus query or a /metrics render is slower.
  client->set_read_timeout(std::chrono::seconds(30));
  client->set_write_timeout(std::chrono::seconds(10));
  client->set_keep_alive(false);
  return client;
}

HttpResponse From(const httplib::Result& result) {
  HttpResponse response;
  if (!result) {
    response.error = httplib::to_string(result.error());
    return response;
  }
  response.status = result->status;
  response.body = result->body;
  for (const auto& [name, value] : result->headers) response.headers.emplace_back(name, value);
  return response;
}

httplib::Headers ToHeaders(const HttpFields& fields) {
  httplib::Headers headers;
  for (const auto& [name, value] : fields) headers.emplace(name, value);
  return headers;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoringAsciiCase(key, name)) return value;
  }
  return "";
}

HttpResponse HttpGet(int port, const std::string& path, const HttpGetOptions& options) {
  auto client = ClientFor(port);
  client->set_decompress(options.decompress);
  auto headers = ToHeaders(options.headers);
  // Newer cpp-httplib (Debian 13's) asks for gzip on its own when built with zlib, even with
  // decompression off (yhirose/cpp-httplib#1975); a test that wants gzip says so itself.
  const bool asked_for_an_encoding = std::any_of(
      headers.begin(), headers.end(),
      [](const auto& header) { return EqualsIgnoringAsciiCase(header.first, "Accept-Encoding"); });
  if (!asked_for_an_encoding) headers.emplace("Accept-Encoding", "identity");
  return From(client->Get(path, headers));
}

HttpResponse HttpPost(int port, const std::string& path, const std::string& body,
                      const std::string& content_type) {
  return From(ClientFor(port)->Post(path, body, content_type));
}

HttpResponse HttpPostForm(int port, const std::string& path, const HttpFields& form) {
  httplib::Params params;
  for (const auto& [name, value] : form) params.emplace(name, value);
  return From(ClientFor(port)->Post(path, params));
}

HttpResponse HttpPut(int port, const std::string& path, const std::string& body,
                     const std::string& content_type) {
  return From(ClientFor(port)->Put(path, body, content_type));
}

}  // namespace drmm::e2e
