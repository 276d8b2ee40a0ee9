#include "exporter/config/platform.h"

#include <gtest/gtest.h>

namespace drmm {
namespace {

std::string Origin(std::string_view url) {
  auto parsed = ParseApiUrl(url);
  if (!parsed.ok()) {
    ADD_FAILURE() << url << ": " << parsed.error().message;
    return "";
  }
  return parsed.value().url;
}

std::string Problem(std::string_view url) {
  auto parsed = ParseApiUrl(url);
  if (!parsed.ok()) return parsed.error().message;
  ADD_FAILURE() << url << " was accepted";
  return "";
}

TEST(ParseApiUrl, AcceptsBareOrigins) {
  EXPECT_EQ(Origin("http://127.0.0.1:8780"), "http://127.0.0.1:8780");
  EXPECT_EQ(Origin("http://127.0.0.1:8780/"), "http://127.0.0.1:8780");
  EXPECT_EQ(Origin("https://merlot-api.centrastage.net"), "https://merlot-api.centrastage.net");
  EXPECT_EQ(Origin("https://proxy.internal_lan:443/"), "https://proxy.internal_lan:443");
  EXPECT_EQ(Origin("http://[::1]:8780"), "http://[::1]:8780");
  EXPECT_EQ(Origin("http://[::1]"), "http://[::1]");
}

TEST(ParseApiUrl, RejectsAnythingButAnOrigin) {
  EXPECT_EQ(Problem("127.0.0.1:8780"),
            "must start with http:// or https:// (give only scheme://host[:port])");
  EXPECT_EQ(Problem("HTTP://x"), "has the scheme \"HTTP\"; it must start with http:// or https://");
  EXPECT_EQ(Problem("http://"), "has no host");
  EXPECT_EQ(Problem("http://:80"), "has no host");
  EXPECT_EQ(Problem("http://a b"), "has an invalid host \"a b\"");
  EXPECT_EQ(Problem("http://h:0"), "has an invalid port \"0\" (1..65535)");
  EXPECT_EQ(Problem("http://h:"), "has an invalid port \"\" (1..65535)");
  EXPECT_EQ(Problem("http://h:80x"), "has an invalid port \"80x\" (1..65535)");
  EXPECT_EQ(Problem("http://[::1"), "has an unclosed [ in the host");
  EXPECT_EQ(Problem("http://[zz]:1"), "has an invalid IPv6 host \"[zz]\"");
  EXPECT_EQ(Problem("http://[::1]x"), "has text after the IPv6 host: \"x\"");
  EXPECT_EQ(Problem("http://h/api"),
            "has a path (\"/api\"); give only scheme://host[:port] (the exporter adds /api/v2 "
            "itself)");
  EXPECT_EQ(Problem("http://h//"),
            "has a path (\"//\"); give only scheme://host[:port] (the exporter adds /api/v2 "
            "itself)");
  EXPECT_EQ(Problem("http://h?x"), "has a query string (?...); give only scheme://host[:port]");
  EXPECT_EQ(Problem("http://h/#f"),
            "has a path and a query string or fragment; give only "
            "scheme://host[:port] (the exporter adds /api/v2 itself)");
  EXPECT_EQ(Problem("http://h#f"), "has a fragment (#...); give only scheme://host[:port]");
}

TEST(ParseApiUrl, NeverQuotesUserInfoOrQueries) {
  for (const std::string_view url :
       {"http://u:pa55word@h", "https://pa55word@h:1/", "http://h?key=pa55word",
        "ftp://u:pa55word@h", "u:pa55word@h"}) {
    SCOPED_TRACE(url);
    EXPECT_EQ(Problem(url).find("pa55word"), std::string::npos) << Problem(url);
  }
}

TEST(PlatformBaseUrl, KnowsTheSixPlatforms) {
  EXPECT_EQ(PlatformBaseUrl("pinotage"), "https://pinotage-api.centrastage.net");
  EXPECT_EQ(PlatformBaseUrl("merlot"), "https://merlot-api.centrastage.net");
  EXPECT_EQ(PlatformBaseUrl("concord"), "https://concord-api.centrastage.net");
  EXPECT_EQ(PlatformBaseUrl("vidal"), "https://vidal-api.centrastage.net");
  EXPECT_EQ(PlatformBaseUrl("zinfandel"), "https://zinfandel-api.centrastage.net");
  EXPECT_EQ(PlatformBaseUrl("syrah"), "https://syrah-api.centrastage.net");
  EXPECT_EQ(PlatformBaseUrl("shiraz"), std::nullopt);
  EXPECT_EQ(PlatformBaseUrl(""), std::nullopt);
  EXPECT_EQ(PlatformBaseUrl("merlot "), std::nullopt);
  EXPECT_EQ(PlatformBaseUrl("Merlot"), std::nullopt);
  EXPECT_EQ(PlatformList(), "pinotage, merlot, concord, vidal, zinfandel, syrah");
}

}  // namespace
}  // namespace drmm
