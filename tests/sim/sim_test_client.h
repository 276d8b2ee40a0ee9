// Helpers for the simulator's HTTP tests: a small client over cpp-httplib (tests may include it),
// test options (port 0, frozen account), and a page walker that follows nextPageUrl.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/options.h"

namespace drmm::sim::testing {

inline SimulatorOptions TestOptions() {
  SimulatorOptions o;
  o.port = 0;
  o.churn_per_minute = 0;
  o.seed = 42;
  o.sites = 12;
  o.devices = 300;
  o.alerts = 40;
  return o;
}

struct Reply {
  int status = 0;  // 0: no response (transport error)
  std::string body;
  httplib::Headers headers;

  nlohmann::json Json() const { return nlohmann::json::parse(body); }
  std::string Header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Minimal encoders of our own, so requests do not depend on the code under test.
inline std::string TestBase64(const std::string& in) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += {kChars[(v >> 18) & 63], kChars[(v >> 12) & 63], kChars[(v >> 6) & 63], kChars[v & 63]};
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {kChars[(v >> 18) & 63], kChars[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {kChars[(v >> 18) & 63], kChars[(v >> 12) & 63], kChars[(v >> 6) & 63], '='};
  }
  return out;
}

inline std::string TestUrlEncode(const std::string& in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

class TestClient {
 public:
  explicit TestClient(int port) : port_(port), client_("127.0.0.1", port) {
    client_.set_connection_timeout(5, 0);
    client_.set_read_timeout(10, 0);
    client_.set_write_timeout(5, 0);
  }

  Reply Get(const std::string& target, const std::string& token = "") {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return Convert(client_.Get(target, headers));
  }
  Reply Send(const std::string& method, const std::string& target, const std::string& body = "",
             const std::string& content_type = "application/json", httplib::Headers headers = {}) {
    if (method == "POST") return Convert(client_.Post(target, headers, body, content_type));
    if (method == "PUT") return Convert(client_.Put(target, headers, body, content_type));
    if (method == "DELETE") return Convert(client_.Delete(target, headers, body, content_type));
    if (method == "PATCH") return Convert(client_.Patch(target, headers, body, content_type));
    return Get(target);
  }
  Reply RequestToken(const std::string& key, const std::string& secret,
                     const std::string& basic = "public-client:public") {
    httplib::Headers headers = {{"Authorization", "Basic " + TestBase64(basic)}};
    const std::string form =
        "grant_type=password&username=" + TestUrlEncode(key) + "&password=" + TestUrlEncode(secret);
    return Convert(
        client_.Post("/auth/oauth/token", headers, form, "application/x-www-form-urlencoded"));
  }
  std::string Token(const std::string& key = "demo-key",
                    const std::string& secret = "demo-secret") {
    const Reply reply = RequestToken(key, secret);
    EXPECT_EQ(reply.status, 200) << reply.body;
    if (reply.status != 200) return "";
    return reply.Json().at("access_token").get<std::string>();
  }

  // Follows nextPageUrl from `first` (a path with query), collecting the items under `key`.
  // Stops after `max_pages` (a test bug must not loop forever). Every page must be 200.
  std::vector<nlohmann::json> Walk(const std::string& first, const std::string& key,
                                   const std::string& token, int* pages = nullptr,
                                   int max_pages = 1000) {
    std::vector<nlohmann::json> items;
    std::string target = first;
    int count = 0;
    const std::string origin = "http://127.0.0.1:" + std::to_string(port_);
    while (count < max_pages) {
      const Reply reply = Get(target, token);
      ++count;
      EXPECT_EQ(reply.status, 200) << target << ": " << reply.body;
      if (reply.status != 200) break;
      const nlohmann::json page = reply.Json();
      for (const auto& item : page.at(key)) items.push_back(item);
      const auto& next = page.at("pageDetails").at("nextPageUrl");
      if (next.is_null()) break;
      const std::string url = next.get<std::string>();
      EXPECT_TRUE(url.starts_with(origin)) << url;
      if (!url.starts_with(origin)) break;
      target = url.substr(origin.size());
    }
    if (pages) *pages = count;
    return items;
  }

 private:
  static Reply Convert(const httplib::Result& result) {
    Reply reply;
    if (!result) return reply;
    reply.status = result->status;
    reply.body = result->body;
    reply.headers = result->headers;
    return reply;
  }

  int port_;
  httplib::Client client_;
};

}  // namespace drmm::sim::testing
