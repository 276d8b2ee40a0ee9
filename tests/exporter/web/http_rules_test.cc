// Routing, promhttp's gzip decision and the response head, on literal requests.
#include "exporter/web/http_rules.h"

#include <gtest/gtest.h>

namespace drmm {
namespace {

TEST(RouteRequest, ReadsGoToTheirHandlers) {
  EXPECT_EQ(RouteRequest("GET", "/metrics", "/metrics", false).route, Route::kMetrics);
  EXPECT_EQ(RouteRequest("HEAD", "/metrics", "/metrics", false).route, Route::kMetrics);
  EXPECT_EQ(RouteRequest("GET", "/metrics?collect[]=x", "/metrics", false).route, Route::kMetrics)
      << "a scrape config's params must not change the route";
  EXPECT_EQ(RouteRequest("GET", "/", "/metrics", false).route, Route::kLanding);
  EXPECT_EQ(RouteRequest("GET", "/-/healthy", "/metrics", false).route, Route::kHealthy);
  EXPECT_EQ(RouteRequest("GET", "/-/ready", "/metrics", false).route, Route::kReady);
  EXPECT_EQ(RouteRequest("GET", "/custom", "/custom", false).route, Route::kMetrics);
}

TEST(RouteRequest, TheTelemetryPathIsLiteral) {
  const auto lookalike = RouteRequest("GET", "/v1x0/metrics", "/v1.0/metrics", false);
  EXPECT_EQ(lookalike.route, Route::kRefused);
  EXPECT_EQ(lookalike.status, 404);
  EXPECT_EQ(RouteRequest("GET", "/v1.0/metrics", "/v1.0/metrics", false).route, Route::kMetrics);
  EXPECT_EQ(RouteRequest("GET", "/metrics", "/custom", false).status, 404);
  EXPECT_EQ(RouteRequest("GET", "/metrics/", "/metrics", false).status, 404);
}

TEST(RouteRequest, OtherMethodsAre405WithAllow) {
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"}) {
    SCOPED_TRACE(method);
    const auto decision = RouteRequest(method, "/metrics", "/metrics", true);
    EXPECT_EQ(decision.route, Route::kRefused);
    EXPECT_EQ(decision.status, 405);
    EXPECT_EQ(decision.allow, "GET, HEAD");
  }
}

TEST(RouteRequest, ReloadIsPostOrPutAndOnlyWithTheLifecycleApi) {
  EXPECT_EQ(RouteRequest("POST", "/-/reload", "/metrics", true).route, Route::kReload);
  EXPECT_EQ(RouteRequest("PUT", "/-/reload", "/metrics", true).route, Route::kReload);
  const auto disabled = RouteRequest("POST", "/-/reload", "/metrics", false);
  EXPECT_EQ(disabled.route, Route::kRefused);
  EXPECT_EQ(disabled.status, 403);
  EXPECT_EQ(disabled.body, "Lifecycle API is not enabled.\n");
  for (const bool lifecycle : {true, false}) {
    const auto get = RouteRequest("GET", "/-/reload", "/metrics", lifecycle);
    EXPECT_EQ(get.status, 405);
    EXPECT_EQ(get.allow, "POST, PUT");
    EXPECT_EQ(get.body, "Only POST or PUT requests allowed.\n");
  }
}

TEST(AcceptsGzip, FollowsPromhttp) {
  for (const char* header : {"gzip", "gzip, deflate", "deflate, gzip", " gzip ", "gzip;q=1.0",
                             "br;q=1.0, gzip;q=0.8, *;q=0.1", "GZIP", "identity, gzip;q=0.5"}) {
    EXPECT_TRUE(AcceptsGzip(header)) << header;
  }
  for (const char* header :
       {"", "identity", "deflate", "br", "x-gzip", "gzipped", "gzip;q=0", "gzip; q=0.0", "*"}) {
    EXPECT_FALSE(AcceptsGzip(header)) << header;
  }
}

TEST(FormatResponseHead, WritesTheHeadersInOrder) {
  ResponseHead head;
  head.status = 200;
  head.content_type = "text/plain; version=0.0.4; charset=utf-8";
  head.content_length = 1234;
  head.gzip = true;
  head.headers = {{"X-Frame-Options", "deny"}};
  EXPECT_EQ(FormatResponseHead(head),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            "Content-Length: 1234\r\n"
            "Content-Encoding: gzip\r\n"
            "Vary: Accept-Encoding\r\n"
            "X-Frame-Options: deny\r\n"
            "\r\n");
  ResponseHead refusal;
  refusal.status = 431;
  refusal.content_type = "text/plain; charset=utf-8";
  refusal.content_length = 0;
  refusal.close = true;
  EXPECT_EQ(FormatResponseHead(refusal),
            "HTTP/1.1 431 Request Header Fields Too Large\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 0\r\n"
            "Connection: close\r\n"
            "\r\n");
}

}  // namespace
}  // namespace drmm
