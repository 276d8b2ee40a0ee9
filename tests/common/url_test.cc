#include "common/url.h"

#include <gtest/gtest.h>

namespace drmm {
namespace {

TEST(ParseUrl, SplitsSchemeHostPortAndTarget) {
  const auto url =
      ParseUrl("https://Concord-API.centrastage.net/api/v2/account/alerts/open?max=250&page=1");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "concord-api.centrastage.net");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/api/v2/account/alerts/open?max=250&page=1");
  EXPECT_EQ(url->Origin(), "https://concord-api.centrastage.net");
}

TEST(ParseUrl, DefaultsAndExplicitPorts) {
  EXPECT_EQ(ParseUrl("http://127.0.0.1")->port, 80);
  EXPECT_EQ(ParseUrl("http://127.0.0.1")->target, "/");
  EXPECT_EQ(ParseUrl("HTTP://127.0.0.1:8780?x=1")->target, "/?x=1");
  const auto url = ParseUrl("http://127.0.0.1:8780/a#frag");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, 8780);
  EXPECT_EQ(url->target, "/a");
  EXPECT_EQ(url->Origin(), "http://127.0.0.1:8780");
  EXPECT_EQ(ParseUrl("https://h:443/x")->Origin(), "https://h");
  EXPECT_EQ(ParseUrl("http://[::1]:9000/x")->host, "[::1]");
}

TEST(ParseUrl, RejectsWhatIsNotAnAbsoluteHttpUrl) {
  for (const char* text :
       {"", "/api/v2/account", "ftp://host/x", "https://", "https:///x", "https://host:/x",
        "https://host:0/", "https://host:65536/", "https://host:8o/", "https://user@evil.example/",
        "https://merlot-api.centrastage.net@evil.example/", "https://ho st/", "https://host/a b",
        "https://host/a\nb", "https://[::1/", "https://ho%73t/"}) {
    EXPECT_FALSE(ParseUrl(text)) << text;
  }
}

TEST(SameOrigin, ComparesSchemeHostCaseInsensitivelyAndEffectivePort) {
  EXPECT_TRUE(SameOrigin("https://merlot-api.centrastage.net/a",
                         "https://MERLOT-api.centrastage.net:443/b?c"));
  EXPECT_TRUE(SameOrigin("http://127.0.0.1:80/", "http://127.0.0.1/x"));
  EXPECT_FALSE(
      SameOrigin("https://merlot-api.centrastage.net/", "http://merlot-api.centrastage.net/"));
  EXPECT_FALSE(SameOrigin("https://merlot-api.centrastage.net/",
                          "https://merlot-api.centrastage.net:8443/"));
  EXPECT_FALSE(SameOrigin("https://merlot-api.centrastage.net/", "https://evil.example/"));
  EXPECT_FALSE(SameOrigin("https://merlot-api.centrastage.net/",
                          "https://merlot-api.centrastage.net.evil.example/"));
  EXPECT_FALSE(SameOrigin("https://merlot-api.centrastage.net/", "not a url"));
}

TEST(UrlEncode, KeepsUnreservedAndEncodesEverythingElse) {
  EXPECT_EQ(UrlEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(UrlEncode("a+b&c=d%e f"), "a%2Bb%26c%3Dd%25e%20f");
  EXPECT_EQ(UrlEncode("/?#\n"), "%2F%3F%23%0A");
  EXPECT_EQ(UrlEncode("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(UrlEncode(""), "");
}

TEST(ParseAuthority, NamesWhatIsWrong) {
  auto problem = [](std::string_view text) {
    const auto parsed = ParseAuthority(text);
    return parsed.ok() ? std::string() : parsed.error().message;
  };
  EXPECT_EQ(problem("example.com:8080"), "");
  EXPECT_EQ(problem("[::1]:9768"), "");
  EXPECT_EQ(problem(""), "has no host");
  EXPECT_EQ(problem("exa mple"), "has an invalid host \"exa mple\"");
  EXPECT_EQ(problem("host:0"), "has an invalid port \"0\" (1..65535)");
  EXPECT_EQ(problem("host:"), "has an invalid port \"\" (1..65535)");
  EXPECT_EQ(problem("[::1"), "has an unclosed [ in the host");
  EXPECT_EQ(problem("[zz]"), "has an invalid IPv6 host \"[zz]\"");
  EXPECT_EQ(problem("[::1]x"), "has text after the IPv6 host: \"x\"");
  const auto parsed = ParseAuthority("[::1]:9768").value();
  EXPECT_EQ(parsed.host, "[::1]");
  EXPECT_EQ(parsed.port, 9768);
}

}  // namespace
}  // namespace drmm
