// The simulator over HTTP: authentication, every endpoint, errors and pagination.
#include <gtest/gtest.h>

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

class SimApiTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(TestOptions()); }
  void Start(SimulatorOptions options) {
    sim_ = std::make_unique<Simulator>(std::move(options), clock_);
    port_ = sim_->Start();
    client_ = std::make_unique<TestClient>(port_);
  }
  std::string Origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

  FakeClock clock_;
  std::unique_ptr<Simulator> sim_;
  int port_ = 0;
  std::unique_ptr<TestClient> client_;
};

TEST_F(SimApiTest, StartReturnsTheBoundPort) {
  EXPECT_GT(port_, 0);
  EXPECT_EQ(sim_->port(), port_);
  EXPECT_EQ(sim_->base_url(), Origin());
  EXPECT_EQ(sim_->advertised_url(), Origin());
}

TEST_F(SimApiTest, TokenGrantAsTheRealApi) {
  const Reply reply = client_->RequestToken("demo-key", "demo-secret");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const nlohmann::json token = reply.Json();
  const std::string access = token.at("access_token");
  EXPECT_EQ(std::count(access.begin(), access.end(), '.'), 2);  // JWT-shaped
  EXPECT_EQ(token.at("token_type"), "bearer");
  EXPECT_TRUE(token.at("refresh_token").is_string());
  EXPECT_EQ(token.at("expires_in"), 360000);
  EXPECT_TRUE(token.at("scope").is_string());
  EXPECT_TRUE(token.at("jti").is_string());
  EXPECT_EQ(client_->Get("/api/v2/account", access).status, 200);
}

TEST_F(SimApiTest, TokenGrantRejectsWrongCredentialsAndClient) {
  EXPECT_EQ(client_->RequestToken("demo-key", "demo-secret\n").status, 401);
  EXPECT_EQ(client_->RequestToken("other-key", "demo-secret").status, 401);
  EXPECT_EQ(client_->RequestToken("demo-key", "demo-secret", "public-client:secret").status, 401);
  // Form values are url-decoded: a key with reserved characters works when encoded.
  sim_.reset();
  SimulatorOptions options = TestOptions();
  options.api_key = "k&y=+";
  options.api_secret = "s e/c";
  Start(options);
  EXPECT_EQ(client_->RequestToken("k&y=+", "s e/c").status, 200);
  // Wrong grant type and missing Basic header.
  const Reply no_basic =
      client_->Send("POST", "/auth/oauth/token", "grant_type=password&username=a&password=b",
                    "application/x-www-form-urlencoded");
  EXPECT_EQ(no_basic.status, 401);
  const Reply grant = client_->Send(
      "POST", "/auth/oauth/token", "grant_type=client_credentials",
      "application/x-www-form-urlencoded",
      {{"Authorization", "Basic " + sim::testing::TestBase64("public-client:public")}});
  EXPECT_EQ(grant.status, 400);
  EXPECT_EQ(client_->Get("/auth/oauth/token").status, 405);
  EXPECT_EQ(client_->Send("POST", "/api/auth/oauth/token").status, 404);  // not under /api
}

TEST_F(SimApiTest, BearerTokenRequiredExpiresAndCanBeRevoked) {
  EXPECT_EQ(client_->Get("/api/v2/account").status, 401);
  EXPECT_EQ(client_->Get("/api/v2/account", "not-a-token").status, 401);
  EXPECT_EQ(client_->Get("/api/v2/system/status").status, 200);  // needs none
  const std::string token = client_->Token();
  EXPECT_EQ(client_->Get("/api/v2/account", token).status, 200);
  clock_.Advance(std::chrono::hours(100) - std::chrono::seconds(1));
  EXPECT_EQ(client_->Get("/api/v2/account/sites", token).status, 200);
  clock_.Advance(std::chrono::seconds(1));
  for (const char* path : {"/api/v2/account", "/api/v2/account/devices", "/api/v2/nonexistent",
                           "/api/v2/system/request_rate", "/api/v2/system/pagination"}) {
    const Reply expired = client_->Get(path, token);
    EXPECT_EQ(expired.status, 401) << path;
    EXPECT_EQ(expired.Json().at("error"), "invalid_token");
  }
  EXPECT_EQ(client_->Get("/api/v2/system/status", token).status, 200);
  const std::string fresh = client_->Token();
  EXPECT_EQ(client_->Get("/api/v2/account", fresh).status, 200);
  sim_->RevokeAllTokens();
  EXPECT_EQ(client_->Get("/api/v2/account", fresh).status, 401);
  const std::string third = client_->Token();
  EXPECT_EQ(client_->Send("POST", "/__sim/tokens/revoke").status, 200);
  EXPECT_EQ(client_->Get("/api/v2/account", third).status, 401);
}

TEST_F(SimApiTest, TokenLifetimeIsConfigurable) {
  sim_.reset();
  SimulatorOptions options = TestOptions();
  options.token_lifetime = std::chrono::seconds(90);
  Start(options);
  const Reply reply = client_->RequestToken("demo-key", "demo-secret");
  EXPECT_EQ(reply.Json().at("expires_in"), 90);
  const std::string token = reply.Json().at("access_token");
  clock_.Advance(std::chrono::seconds(89));
  EXPECT_EQ(client_->Get("/api/v2/account", token).status, 200);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(client_->Get("/api/v2/account", token).status, 401);
}

TEST_F(SimApiTest, EveryEndpointAnswers) {
  const std::string token = client_->Token();
  const nlohmann::json truth = sim_->GroundTruth();

  const nlohmann::json account = client_->Get("/api/v2/account", token).Json();
  EXPECT_EQ(account["devicesStatus"]["numberOfDevices"], truth["totals"]["devices"]);
  EXPECT_EQ(account["devicesStatus"]["numberOfOnlineDevices"], truth["totals"]["devices_online"]);

  const nlohmann::json sites = client_->Get("/api/v2/account/sites", token).Json();
  EXPECT_EQ(sites["pageDetails"]["count"], 12);
  EXPECT_EQ(sites["pageDetails"]["totalCount"], 12);
  const nlohmann::json devices = client_->Get("/api/v2/account/devices", token).Json();
  EXPECT_EQ(devices["pageDetails"]["totalCount"], 300);
  EXPECT_EQ(devices["devices"].size(), 250u);
  const nlohmann::json alerts = client_->Get("/api/v2/account/alerts/open", token).Json();
  EXPECT_EQ(alerts["alerts"].size(), 40u);
  EXPECT_FALSE(alerts["pageDetails"].contains("totalCount"));

  // Per-site and per-device paths agree with the account-wide lists.
  std::size_t site_devices = 0, site_alerts = 0;
  for (const auto& site : sites["sites"]) {
    const std::string uid = site["uid"];
    const nlohmann::json one = client_->Get("/api/v2/site/" + uid, token).Json();
    EXPECT_EQ(one, site);
    const nlohmann::json d = client_->Get("/api/v2/site/" + uid + "/devices", token).Json();
    EXPECT_EQ(d["pageDetails"]["totalCount"], site["devicesStatus"]["numberOfDevices"]);
    for (const auto& device : d["devices"]) EXPECT_EQ(device["siteUid"], uid);
    site_devices += d["devices"].size();
    const nlohmann::json a = client_->Get("/api/v2/site/" + uid + "/alerts/open", token).Json();
    for (const auto& alert : a["alerts"]) EXPECT_EQ(alert["alertSourceInfo"]["siteUid"], uid);
    site_alerts += a["alerts"].size();
  }
  EXPECT_EQ(site_devices, 300u);
  EXPECT_EQ(site_alerts, 40u);
  const nlohmann::json first = devices["devices"][0];
  EXPECT_EQ(client_->Get("/api/v2/device/" + first["uid"].get<std::string>(), token).Json(), first);

  const nlohmann::json rate = client_->Get("/api/v2/system/request_rate", token).Json();
  EXPECT_EQ(rate["slidingTimeWindowSizeSeconds"], 60);
  EXPECT_EQ(rate["accountRateLimit"], 600);
  EXPECT_DOUBLE_EQ(rate["accountCutOffRatio"].get<double>(), 0.9);
  EXPECT_EQ(rate["accountUid"], account["uid"]);
  // Every request so far counted, this one and the token request included.
  EXPECT_EQ(rate["accountCount"], sim_->RequestLog()["total"]);
  EXPECT_EQ(client_->Get("/api/v2/system/pagination", token).Json(),
            nlohmann::json({{"max", 250}}));
  const nlohmann::json status = client_->Get("/api/v2/system/status").Json();
  EXPECT_EQ(status["status"], "OK");
  EXPECT_EQ(status["started"], "2026-01-01T00:00:00.000Z");  // the fake clock's wall time
}

TEST_F(SimApiTest, UnknownPathsAre404AndWrongMethods405) {
  const std::string token = client_->Token();
  for (const char* path :
       {"/api/v2/devices", "/api/v2/alerts/open", "/api/v2/site/nope", "/api/v2/site/nope/devices",
        "/api/v2/site/nope/alerts/open", "/api/v2/device/nope", "/api/v2/account/users",
        "/api/v3/account", "/", "/api/v2/site/"}) {
    EXPECT_EQ(client_->Get(path, token).status, 404) << path;
  }
  EXPECT_EQ(client_->Get("/api/v2/devices").status, 401);  // authentication comes first
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    httplib::Headers auth = {{"Authorization", "Bearer " + token}};
    const Reply reply =
        client_->Send(method, "/api/v2/account/devices", "{}", "application/json", auth);
    EXPECT_EQ(reply.status, 405) << method;
    EXPECT_EQ(reply.Header("Allow"), "GET");
  }
  EXPECT_EQ(client_->Send("POST", "/api/v2/system/status").status, 405);
  EXPECT_EQ(client_->Send("POST", "/__sim/ground-truth").status, 405);
  EXPECT_EQ(client_->Get("/__sim/nothing").status, 404);
}

TEST_F(SimApiTest, PaginationAsTheRealApi) {
  const std::string token = client_->Token();
  // 300 devices at max=40: ceil(300/40) = 8 pages, nextPageUrl absolute on our origin.
  int pages = 0;
  const auto devices = client_->Walk("/api/v2/account/devices?max=40", "devices", token, &pages);
  EXPECT_EQ(pages, 8);
  EXPECT_EQ(devices.size(), 300u);
  std::set<std::string> uids;
  for (const auto& d : devices) uids.insert(d["uid"]);
  EXPECT_EQ(uids.size(), 300u);

  const nlohmann::json p0 = client_->Get("/api/v2/account/devices?max=40", token).Json();
  EXPECT_EQ(p0["pageDetails"]["count"], 40);
  EXPECT_TRUE(p0["pageDetails"]["prevPageUrl"].is_null());
  EXPECT_EQ(p0["pageDetails"]["nextPageUrl"], Origin() + "/api/v2/account/devices?max=40&page=1");
  const nlohmann::json p7 = client_->Get("/api/v2/account/devices?max=40&page=7", token).Json();
  EXPECT_EQ(p7["pageDetails"]["count"], 20);
  EXPECT_EQ(p7["pageDetails"]["totalCount"], 300);
  EXPECT_TRUE(p7["pageDetails"]["nextPageUrl"].is_null());
  EXPECT_EQ(p7["pageDetails"]["prevPageUrl"], Origin() + "/api/v2/account/devices?max=40&page=6");
  const nlohmann::json beyond = client_->Get("/api/v2/account/devices?max=40&page=9", token).Json();
  EXPECT_EQ(beyond["pageDetails"]["count"], 0);
  EXPECT_TRUE(beyond["devices"].empty());
  EXPECT_TRUE(beyond["pageDetails"]["nextPageUrl"].is_null());

  // max above the cap silently gives the cap; the default is the cap.
  const nlohmann::json capped = client_->Get("/api/v2/account/devices?max=1000", token).Json();
  EXPECT_EQ(capped["pageDetails"]["count"], 250);
  EXPECT_EQ(capped["pageDetails"]["nextPageUrl"],
            Origin() + "/api/v2/account/devices?max=250&page=1");
  EXPECT_EQ(client_->Get("/api/v2/account/devices?page=-1", token).status, 400);
  EXPECT_EQ(client_->Get("/api/v2/account/devices?max=abc", token).status, 400);
}

TEST_F(SimApiTest, AlertsHaveTheirOwnCapAndPageSizeIsConfigurable) {
  sim_.reset();
  SimulatorOptions options = TestOptions();
  options.page_max = 100;
  options.alerts_page_max = 15;
  Start(options);
  const std::string token = client_->Token();
  int pages = 0;
  const auto alerts = client_->Walk("/api/v2/account/alerts/open?max=250", "alerts", token, &pages);
  EXPECT_EQ(alerts.size(), 40u);
  EXPECT_EQ(pages, 3);  // ceil(40 / 15)
  const auto devices = client_->Walk("/api/v2/account/devices", "devices", token, &pages);
  EXPECT_EQ(devices.size(), 300u);
  EXPECT_EQ(pages, 3);  // ceil(300 / 100)
  EXPECT_EQ(client_->Get("/api/v2/system/pagination", token).Json()["max"], 100);
  EXPECT_EQ(sim_->GroundTruth()["alerts_page_size"], 15);
}

TEST_F(SimApiTest, MutedFilterAndDroppedFilterInNextPageUrl) {
  const std::string token = client_->Token();
  const auto all = client_->Walk("/api/v2/account/alerts/open", "alerts", token);
  const auto muted = client_->Walk("/api/v2/account/alerts/open?muted=true", "alerts", token);
  const auto unmuted = client_->Walk("/api/v2/account/alerts/open?muted=false", "alerts", token);
  EXPECT_EQ(muted.size() + unmuted.size(), all.size());
  for (const auto& a : muted) EXPECT_EQ(a["muted"], true);
  const nlohmann::json page =
      client_->Get("/api/v2/account/alerts/open?muted=false&max=5", token).Json();
  // As on the real API, the filter is not carried into nextPageUrl.
  EXPECT_EQ(page["pageDetails"]["nextPageUrl"],
            Origin() + "/api/v2/account/alerts/open?max=5&page=1");
  EXPECT_EQ(client_->Get("/api/v2/account/alerts/open?muted=maybe", token).status, 400);
}

TEST_F(SimApiTest, AdvertisedUrlOverridesTheOrigin) {
  sim_.reset();
  SimulatorOptions options = TestOptions();
  options.advertised_url = "https://concord-api.centrastage.net";
  Start(options);
  EXPECT_EQ(sim_->advertised_url(), "https://concord-api.centrastage.net");
  const std::string token = client_->Token();
  const nlohmann::json page = client_->Get("/api/v2/account/devices?max=10", token).Json();
  EXPECT_EQ(page["pageDetails"]["nextPageUrl"],
            "https://concord-api.centrastage.net/api/v2/account/devices?max=10&page=1");
}

TEST_F(SimApiTest, IsoDeviceTimestampsAndTheNeverValue) {
  const std::string token = client_->Token();
  auto never_count = [&](const std::vector<nlohmann::json>& devices, const nlohmann::json& never) {
    int n = 0;
    for (const auto& d : devices) n += d["lastReboot"] == never ? 1 : 0;
    return n;
  };
  const auto ms = client_->Walk("/api/v2/account/devices", "devices", token);
  EXPECT_TRUE(ms[0]["lastSeen"].is_number_integer());
  const int never_ms = never_count(ms, -62135596800000);
  EXPECT_GT(never_ms, 0);  // printers and network devices never rebooted
  const Reply set = client_->Send("PUT", "/__sim/settings", R"({"device_timestamps": "iso"})");
  ASSERT_EQ(set.status, 200) << set.body;
  const auto iso = client_->Walk("/api/v2/account/devices", "devices", token);
  EXPECT_TRUE(iso[0]["lastSeen"].is_string());
  EXPECT_EQ(iso[0]["lastSeen"].get<std::string>().size(), 24u);
  EXPECT_EQ(never_count(iso, "0001-01-01T00:00:00.000Z"), never_ms);
}

TEST_F(SimApiTest, RequestLogAndCounters) {
  const std::string token = client_->Token();
  client_->Get("/api/v2/account/devices?max=100&page=1", token);
  client_->Get("/api/v2/nope", token);
  client_->Get("/__sim/ground-truth");  // admin: never logged
  const nlohmann::json log = client_->Get("/__sim/requests").Json();
  EXPECT_EQ(log["total"], 3);
  EXPECT_EQ(log["by_status"], nlohmann::json({{"200", 2}, {"404", 1}}));
  EXPECT_EQ(log["by_path"]["/api/v2/account/devices"], 1);
  ASSERT_EQ(log["requests"].size(), 3u);
  const nlohmann::json& entry = log["requests"][1];
  EXPECT_EQ(entry["seq"], 2);
  EXPECT_EQ(entry["method"], "GET");
  EXPECT_EQ(entry["path"], "/api/v2/account/devices");
  EXPECT_EQ(entry["query"], "max=100&page=1");
  EXPECT_EQ(entry["status"], 200);
  EXPECT_DOUBLE_EQ(entry["t"].get<double>(), 0.0);  // the fake clock has not moved
  EXPECT_EQ(client_->Get("/__sim/requests?since=2").Json()["requests"].size(), 1u);
  EXPECT_EQ(sim_->RequestLog(2)["requests"].size(), 1u);
  EXPECT_EQ(client_->Send("POST", "/__sim/requests/reset").status, 200);
  EXPECT_EQ(sim_->RequestLog()["total"], 0);
  EXPECT_TRUE(sim_->RequestLog()["requests"].empty());
  client_->Get("/api/v2/system/status");
  EXPECT_EQ(sim_->RequestLog()["requests"][0]["seq"], 4);  // numbering continues
  sim_->ResetRequestLog();
  EXPECT_EQ(sim_->RequestLog()["total"], 0);
}

// The admin endpoints' 400s name what is wrong, and a settings body with one bad key changes
// nothing.
TEST_F(SimApiTest, AdminRejectsBadValuesNamingThem) {
  auto message = [&](const std::string& method, const std::string& target,
                     const std::string& body = "") {
    const Reply reply = client_->Send(method, target, body);
    EXPECT_EQ(reply.status, 400) << method << " " << target << " " << body;
    return reply.Json().value("message", "(no message)");
  };
  for (const char* since : {"x", "2x", "", "99999999999999999999999"}) {
    EXPECT_EQ(message("GET", std::string("/__sim/requests?since=") + since),
              "since must be a sequence number")
        << since;
  }
  for (const char* events : {"x", "5x", "-1", "1000001", "99999999999"}) {
    EXPECT_EQ(message("POST", std::string("/__sim/churn?events=") + events),
              "events must be an integer in [0, 1000000]")
        << events;
  }
  const std::string settings = "/__sim/settings";
  EXPECT_EQ(message("PUT", settings, "[]"), "the body must be a JSON object");
  EXPECT_EQ(message("PUT", settings, R"({"other_consumers_rpm": -1})"),
            "other_consumers_rpm must be a number in [0, 1000000]");
  EXPECT_EQ(message("PUT", settings, R"({"churn_per_minute": "5"})"),
            "churn_per_minute must be a number in [0, 1000000]");
  EXPECT_EQ(message("PUT", settings, R"({"device_timestamps": "unix"})"),
            R"(device_timestamps must be "ms" or "iso")");
  EXPECT_EQ(message("PUT", settings, R"({"throttle_delay": 5})"),
            R"(throttle_delay must be a duration such as "1s")");
  EXPECT_EQ(message("PUT", settings, R"({"rate_limit": 0.5})"),
            "rate_limit must be an integer in [1, 1000000]");
  EXPECT_EQ(message("PUT", settings, R"({"rate_limit": 0})"),
            "rate_limit must be an integer in [1, 1000000]");
  const nlohmann::json before = client_->Get(settings).Json();
  EXPECT_EQ(message("PUT", settings, R"({"rate_limit": 7, "churn_per_minute": 3, "colour": 1})"),
            R"(unknown setting "colour")");
  EXPECT_EQ(client_->Get(settings).Json(), before);
}

}  // namespace
}  // namespace drmm::sim
