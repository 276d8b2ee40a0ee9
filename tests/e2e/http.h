// Plain HTTP requests to a process under test on 127.0.0.1, with explicit timeouts. A transport
// failure is a response with status 0 and `error` set, so callers can poll a server that is not
// listening yet. (cpp-httplib stays out of this header, as everywhere in the project.)
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drmm::e2e {

using HttpFields = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;  // 0: no response
  std::string body;
  HttpFields headers;
  std::string error;  // why there is no response

  // The first header named `name` (case-insensitive); "" when absent.
  std::string Header(std::string_view name) const;
};

struct HttpGetOptions {
  HttpFields headers;
  // Let the client ask for and undo compression. Off: the body is returned as sent, and
  // Accept-Encoding is only sent when `headers` carries it.
  bool decompress = false;
};

HttpResponse HttpGet(int port, const std::string& path, const HttpGetOptions& options = {});
HttpResponse HttpPost(int port, const std::string& path, const std::string& body,
                      const std::string& content_type = "application/json");
// An application/x-www-form-urlencoded POST (Prometheus's query API).
HttpResponse HttpPostForm(int port, const std::string& path, const HttpFields& form);
HttpResponse HttpPut(int port, const std::string& path, const std::string& body,
                     const std::string& content_type = "application/json");

}  // namespace drmm::e2e
