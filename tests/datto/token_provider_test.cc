#include "datto/token_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "api_fixtures.h"
#include "common/log.h"
#include "recording_gate.h"
#include "recording_observer.h"
#include "support/fake_clock.h"
#include "support/log_capture.h"
#include "support/scripted_transport.h"

namespace drmm::datto {
namespace {

using std::chrono::seconds;
using testing::FakeClock;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScriptedTransport;

constexpr auto kWaitLimit = std::chrono::seconds(10);

class TokenProviderTest : public ::testing::Test {
 protected:
  TokenProviderTest() { retry_.jitter = 0; }

  TokenProvider& Provider(std::string key = "key-1234", std::string secret = "secret-5678") {
    TokenOptions options;
    options.base_url = "https://merlot-api.centrastage.net";
    options.api_key = std::move(key);
    options.api_secret = std::move(secret);
    options.renew_margin = seconds(300);
    options.credentials_backoff = seconds(300);
    provider_ = std::make_unique<TokenProvider>(options, executor_, observer_, clock_);
    return *provider_;
  }

  // Every token request waits until the returned promise is set, then gets `response`: the first
  // caller's request stays in flight while the test lines up others behind it.
  std::promise<void> HoldTokenRequestsThenAnswer(HttpResponse response) {
    std::promise<void> release;
    transport_.SetHandler([released = release.get_future().share(), response](const HttpRequest&) {
      released.wait_for(kWaitLimit);
      return response;
    });
    return release;
  }

  static void WaitForWaiters(const TokenProvider& provider, int count) {
    const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (provider.Waiters() < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
  }

  RetryOptions retry_;
  ScriptedTransport transport_;
  testing::RecordingGate gate_;
  testing::RecordingObserver observer_;
  FakeClock clock_;
  RequestExecutor executor_{transport_, gate_, observer_, clock_, retry_, 1};
  std::unique_ptr<TokenProvider> provider_;
};

TEST_F(TokenProviderTest, SendsThePasswordGrantWithTheFixedClientPair) {
  transport_.Enqueue(ScriptedTransport::Json(testing::TokenJson("tok-1", 360000)));
  auto& provider = Provider("my key+&=%", "s3cret +&=%/");
  auto token = provider.Get({});
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_EQ(token.value(), "tok-1");

  const auto requests = transport_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const HttpRequest& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://merlot-api.centrastage.net/auth/oauth/token");
  EXPECT_THAT(r.headers, ::testing::Contains(std::pair<std::string, std::string>(
                             "Authorization", "Basic cHVibGljLWNsaWVudDpwdWJsaWM=")));
  EXPECT_THAT(r.headers, ::testing::Contains(std::pair<std::string, std::string>(
                             "Content-Type", "application/x-www-form-urlencoded")));
  EXPECT_EQ(r.body,
            "grant_type=password&username=my%20key%2B%26%3D%25"
            "&password=s3cret%20%2B%26%3D%25%2F");
  EXPECT_EQ(gate_.acquired(), std::vector<RequestPriority>{RequestPriority::kAuth});
  ASSERT_EQ(observer_.requests().size(), 1u);
  EXPECT_EQ(observer_.requests()[0].endpoint, "/auth/oauth/token");
  EXPECT_EQ(observer_.requests()[0].code, "200");
  ASSERT_EQ(observer_.token_expiries().size(), 1u);
  EXPECT_EQ(observer_.token_expiries()[0], clock_.WallNow() + seconds(360000));
  EXPECT_EQ(provider.Expiry(), clock_.WallNow() + seconds(360000));
}

TEST_F(TokenProviderTest, CachesTheTokenAndRenewsItBeforeExpiry) {
  transport_.Enqueue(ScriptedTransport::Json(testing::TokenJson("tok-1", 3600)));
  transport_.Enqueue(ScriptedTransport::Json(testing::TokenJson("tok-2", 400)));
  transport_.Enqueue(ScriptedTransport::Json(testing::TokenJson("tok-3", 3600)));
  auto& provider = Provider();
  EXPECT_EQ(provider.Expiry(), std::nullopt);
  EXPECT_EQ(provider.Get({}).value(), "tok-1");
  // 3600 s lifetime: renewed 300 s (the margin, less than a quarter) before expiry.
  clock_.Advance(seconds(3299));
  EXPECT_EQ(provider.Get({}).value(), "tok-1");
  EXPECT_EQ(transport_.RequestCount(), 1u);
  clock_.Advance(seconds(1));
  EXPECT_EQ(provider.Get({}).value(), "tok-2");
  EXPECT_EQ(transport_.RequestCount(), 2u);
  // 400 s lifetime: a quarter (100 s) is less than the margin, so renewal comes at 300 s.
  clock_.Advance(seconds(299));
  EXPECT_EQ(provider.Get({}).value(), "tok-2");
  clock_.Advance(seconds(1));
  EXPECT_EQ(provider.Get({}).value(), "tok-3");
  EXPECT_EQ(transport_.RequestCount(), 3u);
  EXPECT_EQ(observer_.token_expiries().size(), 3u);
}

TEST_F(TokenProviderTest, AHugeExpiresInIsCappedInsteadOfOverflowing) {
  // 1e10 s in the clock's nanoseconds overflows 64 bits: before the cap every call sent a
  // token request and the expiry read as a date 200 years in the past.
  transport_.SetHandler([](const HttpRequest&) {
    return ScriptedTransport::Json(R"({"access_token":"tok-big","expires_in":1e10})");
  });
  auto& provider = Provider();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(provider.Get({}).value(), "tok-big");
  EXPECT_EQ(transport_.RequestCount(), 1u);
  EXPECT_EQ(provider.Expiry(), clock_.WallNow() + kMaxTokenLifetime);
  // Renewed one margin before the capped expiry, not never.
  clock_.Advance(kMaxTokenLifetime - seconds(301));
  EXPECT_EQ(provider.Get({}).value(), "tok-big");
  EXPECT_EQ(transport_.RequestCount(), 1u);
  clock_.Advance(seconds(1));
  EXPECT_EQ(provider.Get({}).value(), "tok-big");
  EXPECT_EQ(transport_.RequestCount(), 2u);
}

TEST_F(TokenProviderTest, AZeroOrNegativeExpiresInLastsTheMinimum) {
  transport_.SetHandler([](const HttpRequest&) {
    return ScriptedTransport::Json(R"({"access_token":"tok-neg","expires_in":-5})");
  });
  auto& provider = Provider();
  EXPECT_EQ(provider.Get({}).value(), "tok-neg");
  EXPECT_EQ(provider.Get({}).value(), "tok-neg");
  EXPECT_EQ(transport_.RequestCount(), 1u);
  EXPECT_EQ(provider.Expiry(), clock_.WallNow() + kMinTokenLifetime);
}

TEST_F(TokenProviderTest, KeepsUsingAValidTokenWhenRenewalFails) {
  transport_.Enqueue(ScriptedTransport::Json(testing::TokenJson("tok-1", 3600)));
  auto& provider = Provider();
  EXPECT_EQ(provider.Get({}).value(), "tok-1");
  clock_.Advance(seconds(3400));
  transport_.SetHandler([](const HttpRequest&) { return ScriptedTransport::Response(503); });
  auto token = provider.Get({});
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token.value(), "tok-1");
  EXPECT_EQ(transport_.RequestCount(), 1u + static_cast<std::size_t>(retry_.max_attempts));
  // Once it has expired there is nothing left to fall back on.
  clock_.Advance(seconds(3600));
  auto expired = provider.Get({});
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().kind(), ErrorKind::kServer);
}

TEST_F(TokenProviderTest, AFailedRenewalBacksOffInsteadOfRetryingOnEveryCall) {
  transport_.Enqueue(ScriptedTransport::Json(testing::TokenJson("tok-1", 3600)));
  auto& provider = Provider();
  EXPECT_EQ(provider.Get({}).value(), "tok-1");
  transport_.SetHandler([](const HttpRequest&) { return ScriptedTransport::Response(503); });
  const auto attempts = static_cast<std::size_t>(retry_.max_attempts);  // per password grant
  // Into the renewal window (300 s before expiry): one failed renewal, then N calls in a row.
  clock_.Advance(seconds(3300));
  const SteadyTime first_failure_start = clock_.Now();
  EXPECT_EQ(provider.Get({}).value(), "tok-1");
  EXPECT_EQ(transport_.RequestCount(), 1 + attempts);
  const SteadyTime failed_at = clock_.Now();  // after the retries' back-offs
  EXPECT_GT(failed_at, first_failure_start);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(provider.Get({}).value(), "tok-1");
  clock_.Advance(failed_at + kRenewalBackoff - seconds(1) - clock_.Now());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(provider.Get({}).value(), "tok-1");
  EXPECT_EQ(transport_.RequestCount(), 1 + attempts);
  // The back-off has passed: exactly one more renewal, then quiet for twice as long.
  clock_.Advance(seconds(1));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(provider.Get({}).value(), "tok-1");
  EXPECT_EQ(transport_.RequestCount(), 1 + 2 * attempts);
  const SteadyTime failed_again_at = clock_.Now();
  clock_.Advance(failed_again_at + 2 * kRenewalBackoff - seconds(1) - clock_.Now());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(provider.Get({}).value(), "tok-1");
  EXPECT_EQ(transport_.RequestCount(), 1 + 2 * attempts);
  // A working token endpoint is picked up at the next try, and the back-off starts over.
  transport_.SetHandler([](const HttpRequest&) {
    return ScriptedTransport::Json(testing::TokenJson("tok-2", 3600));
  });
  clock_.Advance(seconds(1));
  EXPECT_EQ(provider.Get({}).value(), "tok-2");
  EXPECT_EQ(provider.Get({}).value(), "tok-2");
  EXPECT_EQ(transport_.RequestCount(), 2 + 2 * attempts);
}

TEST_F(TokenProviderTest, RenewalBackoffNeverOutlastsTheToken) {
  transport_.Enqueue(ScriptedTransport::Json(testing::TokenJson("tok-1", 3600)));
  auto& provider = Provider();
  EXPECT_EQ(provider.Get({}).value(), "tok-1");
  const SteadyTime expires_at = clock_.Now() + seconds(3600);
  transport_.SetHandler([](const HttpRequest&) { return ScriptedTransport::Response(503); });
  // Fail renewals from the window's start until expiry, calling once a second: the tries are
  // spaced by the doubling back-off (30, 60, 120 s), the last one kLastRenewalMargin before
  // expiry, and the token never outlives its expiry.
  clock_.Advance(seconds(3300));
  std::vector<std::size_t> counts;
  while (clock_.Now() < expires_at) {
    auto token = provider.Get({});
    ASSERT_TRUE(token.ok());
    EXPECT_EQ(token.value(), "tok-1");
    counts.push_back(transport_.RequestCount());
    clock_.Advance(seconds(1));
  }
  const std::size_t renewals = (counts.back() - 1) / static_cast<std::size_t>(retry_.max_attempts);
  EXPECT_EQ(renewals, 5u);  // about 300, 265, 200, 75 and 30 s before expiry
  auto expired = provider.Get({});
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().kind(), ErrorKind::kServer);
}

TEST_F(TokenProviderTest, InvalidateDropsOnlyTheCurrentToken) {
  transport_.Enqueue(ScriptedTransport::Json(testing::TokenJson("tok-1")));
  transport_.Enqueue(ScriptedTransport::Json(testing::TokenJson("tok-2")));
  auto& provider = Provider();
  EXPECT_EQ(provider.Get({}).value(), "tok-1");
  provider.Invalidate("tok-0");  // a stale token some other thread saw rejected
  EXPECT_EQ(provider.Get({}).value(), "tok-1");
  provider.Invalidate("tok-1");
  EXPECT_EQ(provider.Get({}).value(), "tok-2");
  EXPECT_EQ(transport_.RequestCount(), 2u);
}

TEST_F(TokenProviderTest, WrongCredentialsAreReportedAndNotRetriedDuringTheBackoff) {
  transport_.SetHandler([](const HttpRequest&) {
    return ScriptedTransport::Response(
        401, R"({"error":"unauthorized","error_description":"Bad credentials"})");
  });
  auto& provider = Provider();
  auto first = provider.Get({});
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().kind(), ErrorKind::kCredentials);
  EXPECT_EQ(transport_.RequestCount(), 1u);  // a 401 is not retried
  clock_.Advance(seconds(299));
  auto second = provider.Get({});
  EXPECT_EQ(second.status().kind(), ErrorKind::kCredentials);
  EXPECT_THAT(second.status().message(), HasSubstr("1s"));
  EXPECT_EQ(transport_.RequestCount(), 1u);
  clock_.Advance(seconds(1));
  EXPECT_EQ(provider.Get({}).status().kind(), ErrorKind::kCredentials);
  EXPECT_EQ(transport_.RequestCount(), 2u);
  // Fixed credentials are picked up after the back-off.
  transport_.SetHandler(
      [](const HttpRequest&) { return ScriptedTransport::Json(testing::TokenJson("tok-ok")); });
  clock_.Advance(seconds(300));
  EXPECT_EQ(provider.Get({}).value(), "tok-ok");
}

TEST_F(TokenProviderTest, InvalidGrantIsACredentialsErrorToo) {
  transport_.Enqueue(ScriptedTransport::Response(
      400, R"({"error":"invalid_grant","error_description":"Bad credentials"})"));
  auto& provider = Provider();
  EXPECT_EQ(provider.Get({}).status().kind(), ErrorKind::kCredentials);
  EXPECT_EQ(provider.Get({}).status().kind(), ErrorKind::kCredentials);
  EXPECT_EQ(transport_.RequestCount(), 1u);
}

TEST_F(TokenProviderTest, ConcurrentFirstUseSendsOneTokenRequest) {
  auto release = HoldTokenRequestsThenAnswer(ScriptedTransport::Json(testing::TokenJson("tok-1")));
  auto& provider = Provider();
  auto first = std::async(std::launch::async, [&] { return provider.Get({}); });
  ASSERT_TRUE(transport_.WaitForRequests(1, kWaitLimit));
  auto second = std::async(std::launch::async, [&] { return provider.Get({}); });
  auto third = std::async(std::launch::async, [&] { return provider.Get({}); });
  WaitForWaiters(provider, 2);
  EXPECT_EQ(provider.Waiters(), 2);
  release.set_value();
  EXPECT_EQ(first.get().value(), "tok-1");
  EXPECT_EQ(second.get().value(), "tok-1");
  EXPECT_EQ(third.get().value(), "tok-1");
  EXPECT_EQ(transport_.RequestCount(), 1u);
}

TEST_F(TokenProviderTest, WaitersGetTheFailureOfTheSharedRequest) {
  auto release = HoldTokenRequestsThenAnswer(ScriptedTransport::Response(404, "not here"));
  auto& provider = Provider();
  auto first = std::async(std::launch::async, [&] { return provider.Get({}); });
  ASSERT_TRUE(transport_.WaitForRequests(1, kWaitLimit));
  auto second = std::async(std::launch::async, [&] { return provider.Get({}); });
  WaitForWaiters(provider, 1);
  release.set_value();
  EXPECT_EQ(first.get().status().kind(), ErrorKind::kHttp);
  EXPECT_EQ(second.get().status().kind(), ErrorKind::kHttp);
  EXPECT_EQ(transport_.RequestCount(), 1u);
}

TEST_F(TokenProviderTest, AWaiterCanBeCancelled) {
  auto release = HoldTokenRequestsThenAnswer(ScriptedTransport::Json(testing::TokenJson("tok-1")));
  auto& provider = Provider();
  auto first = std::async(std::launch::async, [&] { return provider.Get({}); });
  ASSERT_TRUE(transport_.WaitForRequests(1, kWaitLimit));
  std::stop_source stop;
  auto second = std::async(std::launch::async, [&] { return provider.Get(stop.get_token()); });
  WaitForWaiters(provider, 1);
  stop.request_stop();
  EXPECT_EQ(second.get().status().kind(), ErrorKind::kCancelled);
  release.set_value();
  EXPECT_EQ(first.get().value(), "tok-1");
}

TEST_F(TokenProviderTest, SecretsAndTokensNeverReachTheLog) {
  const testing::LogCapture log;
  transport_.Enqueue(ScriptedTransport::Json(testing::TokenJson("eyJhbGciOi.token.sig")));
  auto& provider = Provider("KEY-abcdef", "SECRET-ghijkl");
  ASSERT_TRUE(provider.Get({}).ok());
  LogWarn("careless",
          {{"k", "KEY-abcdef"}, {"s", "SECRET-ghijkl"}, {"t", "Bearer eyJhbGciOi.token.sig"}});
  const auto lines = log.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], Not(HasSubstr("KEY-abcdef")));
  EXPECT_THAT(lines[0], Not(HasSubstr("SECRET-ghijkl")));
  EXPECT_THAT(lines[0], Not(HasSubstr("eyJhbGciOi.token.sig")));
}

TEST_F(TokenProviderTest, AnUndecodableTokenResponseIsRetriedAndNeverLogged) {
  const testing::LogCapture log;
  transport_.Enqueue(ScriptedTransport::Json(R"({"access_token":"half-a-token-xyz)"));
  transport_.Enqueue(ScriptedTransport::Json(testing::TokenJson("tok-1")));
  auto& provider = Provider();
  auto token = provider.Get({});
  const auto lines = log.lines();
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token.value(), "tok-1");
  EXPECT_EQ(observer_.retries(), std::vector<std::string>{"decode"});
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) EXPECT_THAT(line, Not(HasSubstr("half-a-token"))) << line;
}

}  // namespace
}  // namespace drmm::datto
