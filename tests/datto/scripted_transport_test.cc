// The scripted transport is shared by other suites: pin down its contract.
#include "support/scripted_transport.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace drmm::testing {
namespace {

datto::HttpRequest Request(std::string url) { return {"GET", std::move(url), {}, {}}; }

TEST(ScriptedTransport, AnswersFromTheQueueThenTheHandler) {
  ScriptedTransport transport;
  transport.Enqueue(ScriptedTransport::Response(503, "first"));
  transport.Enqueue(ScriptedTransport::TransportError("Read"));
  transport.SetHandler(
      [](const datto::HttpRequest& r) { return ScriptedTransport::Json("handled " + r.url); });
  EXPECT_EQ(transport.Send(Request("a"), {}).status, 503);
  const auto error = transport.Send(Request("b"), {});
  EXPECT_EQ(error.status, 0);
  EXPECT_EQ(error.transport_error, "Read");
  const auto handled = transport.Send(Request("c"), {});
  EXPECT_EQ(handled.status, 200);
  EXPECT_EQ(handled.body, "handled c");
  EXPECT_EQ(handled.Header("content-type"), "application/json");
  EXPECT_EQ(transport.RequestCount(), 3u);
  EXPECT_EQ(transport.CountRequests("b"), 1u);
  EXPECT_EQ(transport.Requests()[2].url, "c");
}

TEST(ScriptedTransport, WithoutAScriptAnswersWithAnUnmistakableStatus) {
  ScriptedTransport transport;
  EXPECT_EQ(transport.Send(Request("x"), {}).status, 599);
}

TEST(ScriptedTransport, RecordsConcurrentRequests) {
  ScriptedTransport transport(
      [](const datto::HttpRequest&) { return ScriptedTransport::Json("{}"); });
  std::vector<std::future<void>> threads;
  for (int t = 0; t < 4; ++t) {
    threads.push_back(std::async(std::launch::async, [&] {
      for (int i = 0; i < 50; ++i) EXPECT_EQ(transport.Send(Request("u"), {}).status, 200);
    }));
  }
  for (auto& t : threads) t.get();
  EXPECT_EQ(transport.RequestCount(), 200u);
}

TEST(ScriptedTransport, AHandlerCanBlockUntilTheRequestIsStopped) {
  ScriptedTransport transport;
  transport.SetHandler([&transport](const datto::HttpRequest&) {
    return transport.WaitForCancel(std::chrono::seconds(10))
               ? ScriptedTransport::TransportError("Canceled")
               : ScriptedTransport::Json("late");
  });
  std::stop_source stop;
  auto response = std::async(std::launch::async,
                             [&] { return transport.Send(Request("slow"), stop.get_token()); });
  ASSERT_TRUE(transport.WaitForRequests(1, std::chrono::seconds(10)));
  stop.request_stop();
  EXPECT_EQ(response.get().transport_error, "Canceled");
  EXPECT_EQ(transport.CancelCount(), 1);
}

}  // namespace
}  // namespace drmm::testing
