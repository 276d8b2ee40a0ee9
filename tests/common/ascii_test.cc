#include "common/ascii.h"

#include <gtest/gtest.h>

#include "common/http_status.h"

namespace drmm {
namespace {

TEST(Ascii, FoldsOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLowerCopy("Content-TYPE: Z@[`{"), "content-type: z@[`{");
  // Bytes of UTF-8 text pass unchanged: protocol tokens are ASCII, and a locale must not matter.
  EXPECT_EQ(AsciiLowerCopy("\xC3\x89T\xC3\xA9"), "\xC3\x89t\xC3\xA9");
}

TEST(Ascii, ComparesIgnoringCase) {
  EXPECT_TRUE(EqualsIgnoringAsciiCase("Retry-After", "retry-after"));
  EXPECT_FALSE(EqualsIgnoringAsciiCase("Retry-After", "retry-afte"));
  EXPECT_FALSE(EqualsIgnoringAsciiCase("@", "`"));  // 0x40 and 0x60 differ by the case bit only
  EXPECT_TRUE(StartsWithIgnoringAsciiCase("Bearer abc", "bearer "));
  EXPECT_FALSE(StartsWithIgnoringAsciiCase("Bear", "bearer "));
  EXPECT_FALSE(StartsWithIgnoringAsciiCase("Basic abc", "bearer "));
}

TEST(HttpStatus, NamesTheStatusesSentAndCallsTheRestUnknown) {
  EXPECT_EQ(HttpReasonPhrase(200), "OK");
  EXPECT_EQ(HttpReasonPhrase(429), "Too Many Requests");
  EXPECT_EQ(HttpReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(HttpReasonPhrase(504), "Gateway Timeout");
  EXPECT_EQ(HttpReasonPhrase(418), "Unknown");
}

}  // namespace
}  // namespace drmm
