#include "datto/request_executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "datto/rate_governor.h"
#include "recording_gate.h"
#include "recording_observer.h"
#include "support/fake_clock.h"
#include "support/log_capture.h"
#include "support/scripted_transport.h"

namespace drmm::datto {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::ElementsAre;
using testing::FakeClock;
using ::testing::HasSubstr;
using testing::LogCapture;
using testing::ScriptedTransport;

constexpr auto kWaitLimit = std::chrono::seconds(10);

HttpRequest Get() { return {"GET", "https://merlot-api.centrastage.net/api/v2/account", {}, {}}; }

class RequestExecutorTest : public ::testing::Test {
 protected:
  RequestExecutor& Executor(RetryOptions retry = {}) {
    executor_ = std::make_unique<RequestExecutor>(transport_, gate_, observer_, clock_, retry, 7);
    return *executor_;
  }

  Status Run(const std::stop_token& stop = {}, CallOptions call = Call()) {
    if (!executor_) Executor();
    return executor_->Execute(
        call, [] { return Result<HttpRequest>(Get()); },
        [this](const HttpResponse& r) {
          accepted_.push_back(r.body);
          if (r.body == "bad") return Status(ErrorKind::kDecode, "not JSON");
          if (r.body == "wrong shape") {
            return Status(ErrorKind::kDecode, "no list", Persistence::kDeterministic);
          }
          return Status::Ok();
        },
        stop);
  }

  static CallOptions Call() {
    CallOptions call;
    call.endpoint = "/api/v2/account";
    call.priority = RequestPriority::kSites;
    return call;
  }

  ScriptedTransport transport_;
  testing::RecordingGate gate_;
  testing::RecordingObserver observer_;
  FakeClock clock_;
  std::unique_ptr<RequestExecutor> executor_;
  std::vector<std::string> accepted_;
};

TEST_F(RequestExecutorTest, RetriesAServerErrorThenSucceeds) {
  transport_.Enqueue(ScriptedTransport::Response(503, "busy"));
  transport_.Enqueue(ScriptedTransport::Json("ok"));
  EXPECT_TRUE(Run().ok());
  EXPECT_EQ(transport_.RequestCount(), 2u);
  EXPECT_EQ(accepted_, std::vector<std::string>{"ok"});
  EXPECT_EQ(observer_.retries(), std::vector<std::string>{"server_error"});
  ASSERT_EQ(observer_.requests().size(), 2u);
  EXPECT_EQ(observer_.requests()[0].code, "503");
  EXPECT_EQ(observer_.requests()[1].code, "200");
  EXPECT_EQ(gate_.acquired().size(), 2u);  // every attempt passes the gate
  EXPECT_EQ(gate_.answered(), 2);          // and reports back when its answer came
}

TEST_F(RequestExecutorTest, TheGateHearsOfEveryAnswerTransportFailuresIncluded) {
  RetryOptions retry;
  retry.max_attempts = 3;
  Executor(retry);
  transport_.SetHandler([](const HttpRequest&) { return ScriptedTransport::TransportError(); });
  EXPECT_EQ(Run().kind(), ErrorKind::kTransport);
  EXPECT_EQ(gate_.acquired().size(), 3u);
  EXPECT_EQ(gate_.answered(), 3);
}

TEST_F(RequestExecutorTest, RetriesATransportErrorThenSucceeds) {
  transport_.Enqueue(ScriptedTransport::TransportError("Read"));
  transport_.Enqueue(ScriptedTransport::Json("ok"));
  EXPECT_TRUE(Run().ok());
  EXPECT_EQ(observer_.retries(), std::vector<std::string>{"transport"});
  EXPECT_EQ(observer_.requests()[0].code, "error");
}

TEST_F(RequestExecutorTest, GivesUpAfterMaxAttemptsWithTheLastErrorKind) {
  RetryOptions retry;
  retry.max_attempts = 3;
  Executor(retry);
  transport_.SetHandler([](const HttpRequest&) { return ScriptedTransport::Response(500); });
  Status status = Run();
  EXPECT_EQ(status.kind(), ErrorKind::kServer);
  EXPECT_THAT(status.message(), HasSubstr("after 3 attempts"));
  EXPECT_EQ(transport_.RequestCount(), 3u);

  transport_.SetHandler([](const HttpRequest&) { return ScriptedTransport::TransportError(); });
  EXPECT_EQ(Run().kind(), ErrorKind::kTransport);
  EXPECT_EQ(transport_.RequestCount(), 6u);

  transport_.SetHandler([](const HttpRequest&) { return ScriptedTransport::Json("bad"); });
  EXPECT_EQ(Run().kind(), ErrorKind::kDecode);
  EXPECT_EQ(transport_.RequestCount(), 9u);
  EXPECT_EQ(observer_.decode_errors().size(), 3u);
}

TEST_F(RequestExecutorTest, BacksOffExponentiallyWithinTheJitterBounds) {
  RetryOptions retry;
  retry.max_attempts = 6;
  retry.initial_backoff = milliseconds(500);
  retry.max_backoff = milliseconds(3000);
  retry.jitter = 0.2;
  Executor(retry);
  transport_.SetHandler([](const HttpRequest&) { return ScriptedTransport::Response(502); });
  EXPECT_EQ(Run().kind(), ErrorKind::kServer);
  const auto sleeps = clock_.Sleeps();
  ASSERT_EQ(sleeps.size(), 5u);  // between six attempts
  const double expected_ms[] = {500, 1000, 2000, 3000, 3000};
  bool all_exact = true;
  for (std::size_t i = 0; i < sleeps.size(); ++i) {
    const double ms = std::chrono::duration<double, std::milli>(sleeps[i]).count();
    EXPECT_GE(ms, expected_ms[i] * 0.8) << i;
    EXPECT_LE(ms, expected_ms[i] * 1.2) << i;
    all_exact &= ms == expected_ms[i];
  }
  EXPECT_FALSE(all_exact) << "jitter should move at least one delay";
}

TEST_F(RequestExecutorTest, SameSeedSameDelays) {
  auto delays = [](std::uint64_t seed) {
    ScriptedTransport transport(
        [](const HttpRequest&) { return ScriptedTransport::Response(500); });
    testing::RecordingGate gate;
    testing::RecordingObserver observer;
    FakeClock clock;
    RequestExecutor executor(transport, gate, observer, clock, RetryOptions{}, seed);
    executor.Execute(
        CallOptions{}, [] { return Result<HttpRequest>(Get()); },
        [](const HttpResponse&) { return Status::Ok(); }, {});
    return clock.Sleeps();
  };
  EXPECT_EQ(delays(11), delays(11));
  EXPECT_NE(delays(11), delays(12));
}

TEST_F(RequestExecutorTest, ADecodeErrorIsRetried) {
  transport_.Enqueue(ScriptedTransport::Json("bad"));
  transport_.Enqueue(ScriptedTransport::Json("ok"));
  EXPECT_TRUE(Run().ok());
  EXPECT_EQ(observer_.retries(), std::vector<std::string>{"decode"});
  EXPECT_EQ(observer_.decode_errors(), std::vector<std::string>{"/api/v2/account"});
}

TEST_F(RequestExecutorTest, ADeterministicDecodeErrorIsNotRetried) {
  transport_.Enqueue(ScriptedTransport::Json("wrong shape"));
  transport_.Enqueue(ScriptedTransport::Json("ok"));
  const Status status = Run();
  EXPECT_EQ(status.kind(), ErrorKind::kDecode);
  EXPECT_TRUE(status.deterministic());  // the caller can tell too
  EXPECT_THAT(status.message(), HasSubstr("no list after 1 attempt"));
  EXPECT_EQ(transport_.RequestCount(), 1u);
  EXPECT_TRUE(observer_.retries().empty());
  EXPECT_TRUE(clock_.Sleeps().empty());
  EXPECT_EQ(observer_.decode_errors(), std::vector<std::string>{"/api/v2/account"});
}

TEST_F(RequestExecutorTest, ATransientDecodeErrorKeepsItsRetries) {
  RetryOptions retry;
  retry.max_attempts = 3;
  Executor(retry);
  transport_.SetHandler([](const HttpRequest&) { return ScriptedTransport::Json("bad"); });
  const Status status = Run();
  EXPECT_EQ(status.kind(), ErrorKind::kDecode);
  EXPECT_FALSE(status.deterministic());
  EXPECT_EQ(transport_.RequestCount(), 3u);
  EXPECT_EQ(observer_.retries(), std::vector<std::string>(2, "decode"));
}

TEST_F(RequestExecutorTest, A429ReachesTheGateWithItsRetryAfterAndIsRetried) {
  transport_.Enqueue(ScriptedTransport::Response(429, "", {{"retry-after", "17"}}));
  transport_.Enqueue(ScriptedTransport::Response(429));
  transport_.Enqueue(ScriptedTransport::Json("ok"));
  EXPECT_TRUE(Run().ok());
  EXPECT_THAT(gate_.rate_limited(),
              ElementsAre(std::optional<Duration>(seconds(17)), std::nullopt));
  EXPECT_EQ(observer_.rate_limited(), 2);
  EXPECT_EQ(observer_.retries(), (std::vector<std::string>{"rate_limited", "rate_limited"}));
  EXPECT_TRUE(clock_.Sleeps().empty());  // the gate does the waiting, not a back-off
  EXPECT_EQ(gate_.acquired().size(), 3u);
}

TEST_F(RequestExecutorTest, PersistentRateLimitingEndsAsRateLimited) {
  transport_.SetHandler([](const HttpRequest&) { return ScriptedTransport::Response(429); });
  EXPECT_EQ(Run().kind(), ErrorKind::kRateLimited);
  EXPECT_EQ(transport_.RequestCount(), 4u);
}

TEST_F(RequestExecutorTest, A403AfterRateLimitingIsABlock) {
  gate_.SetRecentlyRateLimited(true);
  transport_.SetHandler(
      [](const HttpRequest&) { return ScriptedTransport::Response(403, "Forbidden"); });
  EXPECT_EQ(Run().kind(), ErrorKind::kBlocked);
  EXPECT_EQ(transport_.RequestCount(), 1u);  // never retried quickly
  EXPECT_THAT(gate_.blocked(), ElementsAre(std::nullopt));
  EXPECT_EQ(observer_.blocked(), std::vector<bool>{true});
}

TEST_F(RequestExecutorTest, A403WithRetryAfterIsABlock) {
  transport_.Enqueue(ScriptedTransport::Response(403, "Forbidden", {{"Retry-After", "600"}}));
  EXPECT_EQ(Run().kind(), ErrorKind::kBlocked);
  EXPECT_THAT(gate_.blocked(), ElementsAre(std::optional<Duration>(seconds(600))));
}

TEST_F(RequestExecutorTest, A403ThatSpeaksOfARateLimitIsABlock) {
  transport_.Enqueue(
      ScriptedTransport::Response(403, R"({"message":"Rate limit exceeded, IP blocked"})"));
  EXPECT_EQ(Run().kind(), ErrorKind::kBlocked);
  EXPECT_EQ(gate_.blocked().size(), 1u);
}

TEST_F(RequestExecutorTest, WithTheGovernorA429PausesAndAFollowing403IsABlock) {
  SlidingWindowGovernor governor(GovernorOptions{}, clock_);
  RequestExecutor executor(transport_, governor, observer_, clock_, RetryOptions{}, 1);
  transport_.Enqueue(ScriptedTransport::Response(429));
  transport_.Enqueue(ScriptedTransport::Response(403, "Forbidden"));
  const SteadyTime start = clock_.Now();
  const Status status = executor.Execute(
      Call(), [] { return Result<HttpRequest>(Get()); },
      [](const HttpResponse&) { return Status::Ok(); }, {});
  EXPECT_EQ(status.kind(), ErrorKind::kBlocked);
  EXPECT_EQ(clock_.Sleeps(), std::vector<Duration>{seconds(60)});  // the default 429 pause
  EXPECT_DOUBLE_EQ(observer_.throttle_seconds(), 60.0);
  EXPECT_TRUE(governor.Blocked());
  EXPECT_EQ(governor.PausedUntil(), start + seconds(60) + seconds(300));
  EXPECT_EQ(observer_.blocked(), std::vector<bool>{true});
}

TEST_F(RequestExecutorTest, APlain403IsAPermissionError) {
  transport_.Enqueue(ScriptedTransport::Response(403, R"({"message":"Access is denied"})"));
  EXPECT_EQ(Run().kind(), ErrorKind::kPermission);
  EXPECT_EQ(transport_.RequestCount(), 1u);
  EXPECT_TRUE(gate_.blocked().empty());
  EXPECT_TRUE(observer_.blocked().empty());
}

TEST_F(RequestExecutorTest, A403ThatOnlySaysLimitedIsAPermissionError) {
  for (const char* body :
       {R"({"message":"You have limited permissions"})", R"({"message":"Access is denied"})"}) {
    transport_.Enqueue(ScriptedTransport::Response(403, body));
    EXPECT_EQ(Run().kind(), ErrorKind::kPermission) << body;
  }
  EXPECT_EQ(transport_.RequestCount(), 2u);
  EXPECT_TRUE(gate_.blocked().empty());
  EXPECT_TRUE(observer_.blocked().empty());
}

TEST_F(RequestExecutorTest, TheEndOfABlockIsReportedWhenTheGateLetsTheNextRequestThrough) {
  transport_.Enqueue(ScriptedTransport::Response(403, "IP address temporarily blocked"));
  transport_.Enqueue(ScriptedTransport::Json("ok"));
  EXPECT_EQ(Run().kind(), ErrorKind::kBlocked);
  EXPECT_TRUE(Run().ok());
  EXPECT_EQ(observer_.blocked(), (std::vector<bool>{true, false}));
}

TEST_F(RequestExecutorTest, OtherClientErrorsAreNotRetried) {
  transport_.Enqueue(ScriptedTransport::Response(404, "no such thing"));
  Status status = Run();
  EXPECT_EQ(status.kind(), ErrorKind::kHttp);
  EXPECT_THAT(status.message(), HasSubstr("404"));
  EXPECT_EQ(transport_.RequestCount(), 1u);
}

TEST_F(RequestExecutorTest, A401IsAnsweredByOneReauthentication) {
  int reauths = 0;
  int builds = 0;
  CallOptions call = Call();
  call.on_unauthorized = [&] { ++reauths; };
  Executor();
  auto run = [&] {
    return executor_->Execute(
        call,
        [&] {
          ++builds;
          return Result<HttpRequest>(Get());
        },
        [](const HttpResponse&) { return Status::Ok(); }, {});
  };
  transport_.Enqueue(ScriptedTransport::Response(401));
  transport_.Enqueue(ScriptedTransport::Json("ok"));
  EXPECT_TRUE(run().ok());
  EXPECT_EQ(reauths, 1);
  EXPECT_EQ(builds, 2);  // rebuilt with the new token
  EXPECT_EQ(observer_.retries(), std::vector<std::string>{"unauthorized"});

  transport_.Enqueue(ScriptedTransport::Response(401));
  transport_.Enqueue(ScriptedTransport::Response(401));
  EXPECT_EQ(run().kind(), ErrorKind::kUnauthorized);
  EXPECT_EQ(reauths, 2);
  EXPECT_EQ(transport_.RequestCount(), 4u);
}

TEST_F(RequestExecutorTest, A401WithoutReauthenticationEndsWithTheConfiguredKind) {
  CallOptions call = Call();
  call.unauthorized_kind = ErrorKind::kCredentials;
  transport_.Enqueue(ScriptedTransport::Response(401));
  EXPECT_EQ(Run({}, call).kind(), ErrorKind::kCredentials);
  EXPECT_EQ(transport_.RequestCount(), 1u);
}

TEST_F(RequestExecutorTest, ABuildFailureEndsTheCallWithoutARequest) {
  Executor();
  Status status = executor_->Execute(
      Call(), [] { return Result<HttpRequest>(Status(ErrorKind::kCredentials, "no token")); },
      [](const HttpResponse&) { return Status::Ok(); }, {});
  EXPECT_EQ(status.kind(), ErrorKind::kCredentials);
  EXPECT_EQ(transport_.RequestCount(), 0u);
  EXPECT_TRUE(gate_.acquired().empty());
}

TEST_F(RequestExecutorTest, PassesTheCallsPriorityToTheGateAndReportsThrottleWaits) {
  // A gate that takes two (fake) seconds to let each request through.
  class SlowGate final : public RequestGate {
   public:
    explicit SlowGate(FakeClock& clock) : clock_(clock) {}
    bool Acquire(RequestPriority priority, const std::stop_token&) override {
      priority_ = priority;
      clock_.Advance(seconds(2));
      return true;
    }
    void OnRateLimited(std::optional<Duration>) override {}
    void OnBlocked(std::optional<Duration>) override {}
    bool RecentlyRateLimited() const override { return false; }
    RequestPriority priority_ = RequestPriority::kSites;

   private:
    FakeClock& clock_;
  } gate(clock_);
  RequestExecutor executor(transport_, gate, observer_, clock_, RetryOptions{}, 1);
  transport_.Enqueue(ScriptedTransport::Json("ok"));
  CallOptions call = Call();
  call.priority = RequestPriority::kAlerts;
  EXPECT_TRUE(executor
                  .Execute(
                      call, [] { return Result<HttpRequest>(Get()); },
                      [](const HttpResponse&) { return Status::Ok(); }, {})
                  .ok());
  EXPECT_EQ(gate.priority_, RequestPriority::kAlerts);
  EXPECT_DOUBLE_EQ(observer_.throttle_seconds(), 2.0);
}

TEST_F(RequestExecutorTest, AStopBeforeTheCallSendsNothing) {
  std::stop_source stop;
  stop.request_stop();
  EXPECT_EQ(Run(stop.get_token()).kind(), ErrorKind::kCancelled);
  EXPECT_EQ(transport_.RequestCount(), 0u);
}

TEST_F(RequestExecutorTest, AStopDuringTheBackoffEndsItAtOnce) {
  FakeClock manual(/*auto_advance=*/false);
  RequestExecutor executor(transport_, gate_, observer_, manual, RetryOptions{}, 1);
  transport_.SetHandler([](const HttpRequest&) { return ScriptedTransport::Response(500); });
  std::stop_source stop;
  auto result = std::async(std::launch::async, [&] {
    return executor.Execute(
        Call(), [] { return Result<HttpRequest>(Get()); },
        [](const HttpResponse&) { return Status::Ok(); }, stop.get_token());
  });
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (manual.Sleeps().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(manual.Sleeps().size(), 1u);  // now waiting out the first back-off
  stop.request_stop();
  ASSERT_EQ(result.wait_for(kWaitLimit), std::future_status::ready);
  EXPECT_EQ(result.get().kind(), ErrorKind::kCancelled);
  EXPECT_EQ(transport_.RequestCount(), 1u);
}

TEST_F(RequestExecutorTest, AStopDuringARequestCancelsTheTransport) {
  transport_.SetHandler([this](const HttpRequest&) {
    // A server that never answers: only CancelInFlight ends the exchange.
    return transport_.WaitForCancel(kWaitLimit) ? ScriptedTransport::TransportError("Canceled")
                                                : ScriptedTransport::Json("too late");
  });
  std::stop_source stop;
  auto result = std::async(std::launch::async, [&] { return Run(stop.get_token()); });
  ASSERT_TRUE(transport_.WaitForRequests(1, kWaitLimit));
  stop.request_stop();
  ASSERT_EQ(result.wait_for(kWaitLimit), std::future_status::ready);
  EXPECT_EQ(result.get().kind(), ErrorKind::kCancelled);
  EXPECT_GE(transport_.CancelCount(), 1);
  EXPECT_EQ(transport_.RequestCount(), 1u);
}

TEST_F(RequestExecutorTest, LogsEachFailureWithAShortExcerpt) {
  LogCapture log;
  transport_.Enqueue(ScriptedTransport::Response(503, std::string(1000, 'x') + "\nsecond line"));
  transport_.Enqueue(ScriptedTransport::TransportError("ConnectionTimeout"));
  transport_.Enqueue(ScriptedTransport::Json("ok"));
  EXPECT_TRUE(Run().ok());
  const auto lines = log.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("level=warn"));
  EXPECT_THAT(lines[0], HasSubstr("endpoint=/api/v2/account"));
  EXPECT_THAT(lines[0], HasSubstr("status=503"));
  EXPECT_THAT(lines[0], HasSubstr("attempt=1/4"));
  EXPECT_THAT(lines[0], HasSubstr("body=" + std::string(200, 'x')));
  EXPECT_THAT(lines[0], ::testing::Not(HasSubstr(std::string(201, 'x'))));
  EXPECT_THAT(lines[1], HasSubstr("error=ConnectionTimeout"));
}

TEST_F(RequestExecutorTest, NeverLogsASuccessfulBodyWhenTheCallSaysSo) {
  LogCapture log;
  CallOptions call = Call();
  call.log_success_body = false;
  transport_.Enqueue(ScriptedTransport::Json("bad"));
  transport_.Enqueue(ScriptedTransport::Json("ok"));
  EXPECT_TRUE(Run({}, call).ok());
  const auto lines = log.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], ::testing::Not(HasSubstr("body=")));
}

}  // namespace
}  // namespace drmm::datto
