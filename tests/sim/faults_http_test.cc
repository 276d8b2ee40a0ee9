// Every fault kind over HTTP, the count and path-prefix rules, and the admin endpoints for them.
#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "sim/simulator.h"
#include "sim_test_client.h"
#include "support/fake_clock.h"

namespace drmm::sim {
namespace {

using drmm::testing::FakeClock;
using sim::testing::Reply;
using sim::testing::TestClient;
using sim::testing::TestOptions;
using std::chrono::milliseconds;
using std::chrono::seconds;

FaultSpec Fault(std::string_view spec) {
  const auto p = ParseFaultSpec(spec);
  EXPECT_TRUE(p.ok()) << p.error().message;
  return p.ok() ? p.value() : FaultSpec{};
}

bool IsJson(const std::string& body) { return nlohmann::json::accept(body); }

class SimFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_ = std::make_unique<Simulator>(TestOptions(), clock_);
    port_ = sim_->Start();
    client_ = std::make_unique<TestClient>(port_);
    token_ = client_->Token();
  }
  Reply Devices(const std::string& query = "") {
    return client_->Get("/api/v2/account/devices" + query, token_);
  }

  FakeClock clock_;
  std::unique_ptr<Simulator> sim_;
  int port_ = 0;
  std::unique_ptr<TestClient> client_;
  std::string token_;
};

TEST_F(SimFaultTest, ServerErrorBurstOnAPathPrefix) {
  sim_->InjectFault(Fault("server_error:count=3,status=503,path=/api/v2/account/devices"));
  EXPECT_EQ(client_->Get("/api/v2/account/sites", token_).status, 200);  // other path
  for (int i = 0; i < 3; ++i) {
    const Reply r = Devices();
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.Header("Content-Type"), "text/html");  // a gateway's page, not JSON
  }
  EXPECT_EQ(Devices().status, 200);
  sim_->InjectFault(Fault("server_error"));
  const Reply plain = client_->Get("/api/v2/account", token_);
  EXPECT_EQ(plain.status, 500);
  EXPECT_TRUE(IsJson(plain.body));
  EXPECT_EQ(sim_->RequestLog()["by_status"]["503"], 3);
}

TEST_F(SimFaultTest, SlowResponsesAreHeldBack) {
  sim_->InjectFault(Fault("slow:delay=1500ms,count=2"));
  EXPECT_EQ(Devices().status, 200);
  EXPECT_EQ(Devices().status, 200);
  EXPECT_EQ(Devices().status, 200);
  EXPECT_EQ(clock_.Sleeps(), (std::vector<Duration>{milliseconds(1500), milliseconds(1500)}));
}

TEST_F(SimFaultTest, MalformedAndTruncatedJson) {
  const std::string full = Devices("?max=20").body;
  ASSERT_TRUE(IsJson(full));
  sim_->InjectFault(Fault("malformed_json"));
  const Reply malformed = Devices("?max=20");
  EXPECT_EQ(malformed.status, 200);
  EXPECT_EQ(malformed.body.size(), full.size());
  EXPECT_FALSE(IsJson(malformed.body));

  sim_->InjectFault(Fault("truncated_json"));
  const Reply truncated = Devices("?max=20");
  EXPECT_EQ(truncated.status, 200);
  EXPECT_EQ(truncated.body, full.substr(0, full.size() / 2));
  EXPECT_EQ(truncated.Header("Content-Length"), std::to_string(truncated.body.size()));
  EXPECT_FALSE(IsJson(truncated.body));
  EXPECT_EQ(Devices("?max=20").body, full);
}

TEST_F(SimFaultTest, DroppedConnection) {
  sim_->InjectFault(Fault("drop_connection:path=/api/v2/account/alerts"));
  const Reply dropped = client_->Get("/api/v2/account/alerts/open", token_);
  EXPECT_EQ(dropped.status, 0);  // no response at all
  EXPECT_EQ(client_->Get("/api/v2/account/alerts/open", token_).status, 200);
  const nlohmann::json log = sim_->RequestLog();
  EXPECT_EQ(log["by_status"]["0"], 1);
}

TEST_F(SimFaultTest, ForeignNextPageUrl) {
  sim_->InjectFault(Fault("foreign_next_page:origin=https://evil.example"));
  const nlohmann::json page = Devices("?max=100").Json();
  EXPECT_EQ(page["pageDetails"]["nextPageUrl"],
            "https://evil.example/api/v2/account/devices?max=100&page=1");
  EXPECT_EQ(Devices("?max=100").Json()["pageDetails"]["nextPageUrl"],
            "http://127.0.0.1:" + std::to_string(port_) + "/api/v2/account/devices?max=100&page=1");
  // Even on the last page a foreign URL is set (the client must refuse it either way).
  sim_->InjectFault(Fault("foreign_next_page"));
  EXPECT_EQ(Devices("?max=100&page=2").Json()["pageDetails"]["nextPageUrl"],
            "http://foreign.example.invalid/api/v2/account/devices?max=100&page=3");
}

TEST_F(SimFaultTest, ItemsRepeatedAcrossPagesAsWhenDataShifts) {
  const auto clean = client_->Walk("/api/v2/account/devices?max=50", "devices", token_);
  ASSERT_EQ(clean.size(), 300u);
  sim_->InjectFault(Fault("repeat_items:items=10,path=/api/v2/account/devices"));
  int pages = 0;
  const auto shifted = client_->Walk("/api/v2/account/devices?max=50", "devices", token_, &pages);
  EXPECT_EQ(pages, 7);  // the walk is shifted back by 10 items from page 1 on
  ASSERT_EQ(shifted.size(), 310u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(shifted[50 + i], shifted[40 + i]);
  std::set<std::string> uids;
  for (const auto& d : shifted) uids.insert(d["uid"]);
  EXPECT_EQ(uids.size(), 300u);  // nothing lost: a client that drops repeats sees every device
  // The next walk starts afresh.
  EXPECT_EQ(client_->Walk("/api/v2/account/devices?max=50", "devices", token_).size(), 300u);

  // items=0 repeats a whole page: page 1 equals page 0.
  sim_->InjectFault(Fault("repeat_items"));
  const nlohmann::json p0 = Devices("?max=50").Json();
  const nlohmann::json p1 = Devices("?max=50&page=1").Json();
  EXPECT_EQ(p1["devices"], p0["devices"]);
}

TEST_F(SimFaultTest, TokenRevokedInTheMiddleOfAPageWalk) {
  sim_->InjectFault(Fault("revoke_token:after_pages=2"));
  EXPECT_EQ(client_->Get("/api/v2/account", token_).status, 200);  // not a page: not counted
  EXPECT_EQ(Devices("?max=50").status, 200);
  EXPECT_EQ(Devices("?max=50&page=1").status, 200);
  const Reply revoked = Devices("?max=50&page=2");
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(client_->Get("/api/v2/account", token_).status, 401);
  const std::string fresh = client_->Token();
  EXPECT_EQ(client_->Get("/api/v2/account/devices?max=50&page=2", fresh).status, 200);
}

TEST_F(SimFaultTest, ForcedRateLimitAndBlock) {
  sim_->InjectFault(Fault("rate_limit:retry_after=7"));
  const Reply limited = Devices();
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Header("Retry-After"), "7");
  clock_.Advance(seconds(7));
  EXPECT_EQ(Devices().status, 200);
  sim_->InjectFault(Fault("rate_limit:retry_after=0"));
  const Reply bare = Devices();
  EXPECT_EQ(bare.status, 429);
  EXPECT_FALSE(bare.headers.count("Retry-After"));  // "sometimes" without it
  clock_.Advance(seconds(60));

  sim_->InjectFault(Fault("block:duration=3s"));
  const Reply blocked = Devices();
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(blocked.Header("Retry-After"), "3");
  EXPECT_EQ(client_->Get("/api/v2/account", token_).status, 403);  // the block holds for all
  clock_.Advance(seconds(3));
  EXPECT_EQ(Devices().status, 200);
}

// The plain "no permission" 403 must be distinguishable from an IP block: no Retry-After and
// a body that says nothing about rate limits or blocks. It reached the API, so it counts.
TEST_F(SimFaultTest, ForbiddenIsAPlainPermissionErrorNotABlock) {
  auto account_count = [&] {
    return client_->Get("/api/v2/system/request_rate", token_).Json()["accountCount"].get<int>();
  };
  const int before = account_count();
  sim_->InjectFault(Fault("forbidden:path=/api/v2/account/devices"));
  EXPECT_EQ(client_->Get("/api/v2/account/sites", token_).status, 200);  // other path
  const Reply denied = Devices();
  EXPECT_EQ(denied.status, 403);
  EXPECT_FALSE(denied.headers.count("Retry-After"));
  ASSERT_TRUE(IsJson(denied.body));
  EXPECT_EQ(denied.Json()["status"], 403);
  std::string body = denied.body;
  for (char& c : body) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_NE(body.find("permission"), std::string::npos) << body;
  for (const char* word : {"rate", "limit", "block"}) {
    EXPECT_EQ(body.find(word), std::string::npos) << word << " in " << body;
  }
  // Not a block: the next request goes through at once, on the same path and any other.
  EXPECT_EQ(Devices().status, 200);
  EXPECT_EQ(client_->Get("/api/v2/account", token_).status, 200);
  EXPECT_EQ(account_count(), before + 5);  // sites, the 403, devices, account and this one
  EXPECT_TRUE(clock_.Sleeps().empty());

  // The same through the admin endpoint, for a count of requests.
  const Reply added =
      client_->Send("POST", "/__sim/faults", R"({"kind": "forbidden", "count": 2})");
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(added.Json()["faults"][0], nlohmann::json::parse(
                                           R"({"kind": "forbidden", "count": 2, "path": "",
                                               "remaining": 2})"));
  EXPECT_EQ(client_->Get("/api/v2/account", token_).status, 403);
  EXPECT_EQ(client_->Get("/api/v2/device/none", token_).status, 403);
  EXPECT_EQ(client_->Get("/api/v2/account", token_).status, 200);
  EXPECT_EQ(sim_->RequestLog()["by_status"]["403"], 3);
}

TEST_F(SimFaultTest, AdminEndpointForFaults) {
  const Reply added = client_->Send(
      "POST", "/__sim/faults",
      R"([{"kind": "server_error", "status": 502, "count": 2, "path": "/api/v2/account/sites"},
          {"kind": "slow", "delay": "250ms"}])");
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(added.Json()["faults"].size(), 2u);
  const nlohmann::json listed = client_->Get("/__sim/faults").Json()["faults"];
  EXPECT_EQ(listed[0]["remaining"], 2);
  EXPECT_EQ(listed[1]["delay"], "250ms");
  EXPECT_EQ(client_->Get("/api/v2/account/sites", token_).status, 502);
  EXPECT_EQ(client_->Get("/__sim/faults").Json()["faults"][0]["remaining"], 1);
  EXPECT_EQ(client_->Send("DELETE", "/__sim/faults").status, 200);
  EXPECT_TRUE(client_->Get("/__sim/faults").Json()["faults"].empty());
  EXPECT_EQ(client_->Get("/api/v2/account/sites", token_).status, 200);
  EXPECT_TRUE(clock_.Sleeps().empty());

  const Reply bad = client_->Send("POST", "/__sim/faults", R"({"kind": "meteor"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("unknown fault kind"), std::string::npos);
  EXPECT_EQ(client_->Send("POST", "/__sim/faults", "not json").status, 400);
  sim_->InjectFault(Fault("server_error"));
  sim_->ClearFaults();
  EXPECT_EQ(client_->Get("/api/v2/account", token_).status, 200);
  // Admin paths are never faulted.
  sim_->InjectFault(Fault("server_error:count=5"));
  EXPECT_EQ(client_->Get("/__sim/ground-truth").status, 200);
}

TEST(SimFaultOptions, FaultsFromTheCommandLineApplyFromTheStart) {
  FakeClock clock;
  SimulatorOptions options = TestOptions();
  options.faults.push_back(Fault("server_error:status=504,path=/auth"));
  Simulator sim(options, clock);
  TestClient client(sim.Start());
  EXPECT_EQ(client.RequestToken("demo-key", "demo-secret").status, 504);
  EXPECT_EQ(client.RequestToken("demo-key", "demo-secret").status, 200);
}

}  // namespace
}  // namespace drmm::sim
