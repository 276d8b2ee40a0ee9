#include "datto/retry_policy.h"

#include <gtest/gtest.h>

namespace drmm::datto {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(BackoffDelay, DoublesFromTheInitialBackoffUpToTheCap) {
  RetryOptions options;
  options.initial_backoff = milliseconds(500);
  options.max_backoff = milliseconds(3000);
  options.jitter = 0;
  EXPECT_EQ(BackoffDelay(options, 1, 0.7), milliseconds(500));
  EXPECT_EQ(BackoffDelay(options, 2, 0.7), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(options, 3, 0.7), milliseconds(2000));
  EXPECT_EQ(BackoffDelay(options, 4, 0.7), milliseconds(3000));
  EXPECT_EQ(BackoffDelay(options, 400, 0.7), milliseconds(3000));
}

TEST(BackoffDelay, JitterSpreadsSymmetricallyAroundTheCappedDelay) {
  RetryOptions options;
  options.initial_backoff = milliseconds(1000);
  options.max_backoff = milliseconds(30'000);
  options.jitter = 0.2;
  EXPECT_EQ(BackoffDelay(options, 1, 0.0), milliseconds(800));
  EXPECT_EQ(BackoffDelay(options, 1, 0.5), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(options, 2, 0.75), milliseconds(2200));
}

TEST(JitterSource, IsReproducibleForASeedAndInRange) {
  JitterSource a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const double x = a.Next();
    EXPECT_EQ(x, b.Next());
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
}

TEST(ParseRetryAfter, ReadsDeltaSeconds) {
  const WallTime now{seconds(1'700'000'000)};
  EXPECT_EQ(ParseRetryAfter("120", now), seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), seconds(0));
  EXPECT_EQ(ParseRetryAfter("99999999999999", now), kRetryAfterCeiling);
  EXPECT_EQ(ParseRetryAfter("999999999", now), kRetryAfterCeiling);
  // Longer than an hour is passed on: the cap is the governor's (rate_limit.max_pause).
  EXPECT_EQ(ParseRetryAfter("7200", now), seconds(7200));
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("1.5", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
}

TEST(ParseRetryAfter, ReadsTheThreeHttpDateForms) {
  // Sun, 06 Nov 1994 08:49:37 GMT is 784111777.
  const WallTime now{seconds(784'111'777 - 90)};
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), seconds(90));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now), seconds(90));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", now), seconds(90));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:48:00 GMT", now), seconds(0));  // past
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 CET", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Foo 1994 08:49:37 GMT", now), std::nullopt);
  // A year ahead is read as it is; rate_limit.max_pause cuts it later.
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1995 08:49:37 GMT", now), seconds(365 * 86400 + 90));
}

TEST(ParseRetryAfter, FarDatesSaturateInsteadOfOverflowing) {
  const WallTime now = WallTime{} + seconds(784111687);  // 1994-11-06 08:48:07
  // system_clock's nanoseconds end in 2262: these years used to wrap to a date in the past.
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 2300 08:49:37 GMT", now), kRetryAfterCeiling);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 999999999 08:49:37 GMT", now), kRetryAfterCeiling);
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 99999", now), kRetryAfterCeiling);
}

TEST(BodyMentionsRateLimit, FindsRateLimitAndBlockPhrasesInAnyCaseAndPunctuation) {
  EXPECT_TRUE(BodyMentionsRateLimit("Rate limit exceeded"));
  EXPECT_TRUE(BodyMentionsRateLimit("{\"message\":\"Your IP is temporarily BLOCKED\"}"));
  EXPECT_TRUE(BodyMentionsRateLimit("too many requests: limits apply"));
  EXPECT_TRUE(BodyMentionsRateLimit("rate-limited"));
  EXPECT_TRUE(BodyMentionsRateLimit("RATE_LIMIT_EXCEEDED"));
  EXPECT_TRUE(BodyMentionsRateLimit("You have exceeded the request limit"));
  EXPECT_TRUE(BodyMentionsRateLimit("IP blocked"));
  EXPECT_TRUE(BodyMentionsRateLimit("Your IP address has been blocked for 5 minutes"));
  EXPECT_TRUE(BodyMentionsRateLimit("<h1>IP block in effect</h1>"));
  EXPECT_TRUE(BodyMentionsRateLimit("Your IP is blocked"));
  // Datto's rule is "mentions a rate limit or block": a block may also be worded this way, and
  // going on through a real block only makes it longer.
  EXPECT_TRUE(BodyMentionsRateLimit("Request blocked by policy"));
}

TEST(BodyMentionsRateLimit, FindsTheBodiesOfTheSimulatorAndTheApiNotes) {
  // src/sim/service.cc: the 429 and the 403 block, in the Spring error shape.
  EXPECT_TRUE(BodyMentionsRateLimit(
      R"({"timestamp":1767225600000,"status":429,"error":"Too Many Requests",)"
      R"("message":"Request rate limit exceeded","path":"/api/v2/account/devices"})"));
  EXPECT_TRUE(BodyMentionsRateLimit(
      R"({"timestamp":1767225600000,"status":403,"error":"Forbidden","message":"Access denied: )"
      R"(IP address temporarily blocked because the request rate limit was exceeded",)"
      R"("path":"/api/v2/account/devices"})"));
  // shared/datto-api/README.md: "a body that mentions a rate limit or block".
  EXPECT_TRUE(BodyMentionsRateLimit("Account rate limit exceeded, IP block of 5 minutes"));
  EXPECT_TRUE(BodyMentionsRateLimit(R"({"message":"Rate limit exceeded, IP blocked"})"));
}

TEST(BodyMentionsRateLimit, PermissionMessagesAreNotRateLimits) {
  EXPECT_FALSE(BodyMentionsRateLimit("Access is denied"));
  EXPECT_FALSE(BodyMentionsRateLimit("Forbidden"));
  EXPECT_FALSE(BodyMentionsRateLimit("You may not operate on this moderate resource"));
  EXPECT_FALSE(BodyMentionsRateLimit("You have limited permissions"));
  EXPECT_FALSE(BodyMentionsRateLimit(
      R"({"status":403,"error":"Forbidden","message":"Access to this site is denied for your )"
      R"(user; the API user's security level limits what it may read"})"));
  EXPECT_FALSE(BodyMentionsRateLimit("The accurate limit of this role was reached"));
  EXPECT_FALSE(BodyMentionsRateLimit("Unblockable: a limitation of this role"));
  EXPECT_FALSE(BodyMentionsRateLimit(""));
}

// Found by retry_after_fuzz: a year past 2262 overflowed the nanosecond WallTime (undefined
// behaviour; in practice a date far in the past, so no wait at all). Such dates read as the
// parser's ceiling; rate_limit.max_pause cuts the pause taken.
TEST(ParseRetryAfter, DatesBeyondTheClockRangeSaturate) {
  const WallTime now{std::chrono::seconds(1'767'225'600)};  // 2026-01-01
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now),
            std::chrono::duration_cast<std::chrono::seconds>(kRetryAfterCeiling));
  EXPECT_EQ(ParseRetryAfter("Wed Dec 31 23:59:59 99999", now),
            std::chrono::duration_cast<std::chrono::seconds>(kRetryAfterCeiling));
  EXPECT_EQ(ParseRetryAfter("Mon, 01 Jan 0001 00:00:00 GMT", now), seconds(0));
}

TEST(ClassifyStatus, MapsStatusCodesToVerdicts) {
  EXPECT_EQ(ClassifyStatus(0), Verdict::kTransport);
  EXPECT_EQ(ClassifyStatus(200), Verdict::kSuccess);
  EXPECT_EQ(ClassifyStatus(204), Verdict::kSuccess);
  EXPECT_EQ(ClassifyStatus(500), Verdict::kServer);
  EXPECT_EQ(ClassifyStatus(503), Verdict::kServer);
  EXPECT_EQ(ClassifyStatus(429), Verdict::kRateLimited);
  EXPECT_EQ(ClassifyStatus(401), Verdict::kUnauthorized);
  EXPECT_EQ(ClassifyStatus(403), Verdict::kForbidden);
  EXPECT_EQ(ClassifyStatus(404), Verdict::kOther);
  EXPECT_EQ(ClassifyStatus(301), Verdict::kOther);
}

}  // namespace
}  // namespace drmm::datto
