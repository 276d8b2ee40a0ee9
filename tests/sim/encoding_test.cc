#include "sim/encoding.h"

#include <gtest/gtest.h>

#include "sim/pagination.h"
#include "sim/time_format.h"

namespace drmm::sim {
namespace {

TEST(SimEncoding, Base64) {
  EXPECT_EQ(Base64Encode("public-client:public"), "cHVibGljLWNsaWVudDpwdWJsaWM=");
  EXPECT_EQ(Base64Decode("cHVibGljLWNsaWVudDpwdWJsaWM="), "public-client:public");
  EXPECT_EQ(Base64Encode("a"), "YQ==");
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(Base64Decode("not base64!"));
}

TEST(SimEncoding, FormUrlEncoded) {
  const Params p = ParseFormUrlEncoded("grant_type=password&username=a%2Bb+c&password=x%3D%26y&&e");
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(FindParam(p, "username"), "a+b c");
  EXPECT_EQ(FindParam(p, "password"), "x=&y");
  EXPECT_EQ(FindParam(p, "e"), "");
  EXPECT_FALSE(FindParam(p, "missing"));
  EXPECT_TRUE(ParseFormUrlEncoded("a=%zz&b=%4").empty());  // malformed escapes are dropped
}

TEST(SimTimeFormat, IsoRoundTripAndNever) {
  EXPECT_EQ(FormatIsoMillis(1767225600500), "2026-01-01T00:00:00.500Z");
  EXPECT_EQ(FormatIsoMillis(kNeverMillis), "0001-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIsoMillis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(ParseIsoMillis("2026-01-01T00:00:00.5Z"), 1767225600500);
  EXPECT_EQ(ParseIsoMillis("2026-01-01T00:00:00+00:00"), 1767225600000);
  EXPECT_EQ(ParseIsoMillis("0001-01-01T00:00:00Z"), kNeverMillis);
  EXPECT_FALSE(ParseIsoMillis("2026-01-01 00:00:00Z"));
  EXPECT_FALSE(ParseIsoMillis("2026-01-01T00:00:00+02:00"));
  for (std::int64_t t :
       {std::int64_t{0}, std::int64_t{951782400123}, std::int64_t{4102444799999}}) {
    EXPECT_EQ(ParseIsoMillis(FormatIsoMillis(t)), t);
  }
}

TEST(SimPagination, ParsesPageAndCapsMax) {
  auto parse = [](std::string_view query) {
    return ParsePageRequest(ParseFormUrlEncoded(query), 250);
  };
  auto page = parse("").value();
  EXPECT_EQ(page.page, 0);
  EXPECT_EQ(page.max, 250);
  page = parse("max=1000&page=3").value();
  EXPECT_EQ(page.page, 3);
  EXPECT_EQ(page.max, 250);  // silently capped
  page = parse("max=10").value();
  EXPECT_EQ(page.max, 10);
  EXPECT_EQ(parse("page=-1").error().message, "page must be an integer >= 0, got \"-1\"");
  EXPECT_EQ(parse("max=0").error().message, "max must be an integer >= 1, got \"0\"");
  EXPECT_EQ(parse("max=ten").error().message, "max must be an integer >= 1, got \"ten\"");
  EXPECT_EQ(PageUrl("http://h:1", "/api/v2/account/devices", 250, 2),
            "http://h:1/api/v2/account/devices?max=250&page=2");
}

}  // namespace
}  // namespace drmm::sim
