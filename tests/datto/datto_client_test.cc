#include "datto/datto_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
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
using ::testing::ElementsAre;
using testing::FakeClock;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScriptedTransport;

constexpr char kBase[] = "https://merlot-api.centrastage.net";

// The query parameter `name` of a URL, or "" when absent.
std::string Query(const std::string& url, const std::string& name) {
  const auto q = url.find('?');
  if (q == std::string::npos) return {};
  std::string rest = url.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string pair = rest.substr(0, amp);
    if (pair.rfind(name + "=", 0) == 0) return pair.substr(name.size() + 1);
    if (amp == std::string::npos) break;
    rest = rest.substr(amp + 1);
  }
  return {};
}

std::string PathOf(const std::string& url) {
  const auto start = url.find('/', url.find("://") + 3);
  return url.substr(start,
                    url.find('?') == std::string::npos ? std::string::npos : url.find('?') - start);
}

// A scripted Datto API: the token endpoint, /system/pagination and the three lists, paged by
// `max` and `page` with absolute nextPageUrls, the way the README describes them. Tests override
// single routes or pages through `override_`.
class FakeApi {
 public:
  std::vector<std::string> sites, devices, alerts;  // item JSON
  int max = 250;
  std::string token = "tok-1";
  std::int64_t expires_in = 360000;
  // Checked first; returns nullopt to fall through to the default behaviour.
  std::function<std::optional<HttpResponse>(const HttpRequest&)> override_;

  HttpResponse operator()(const HttpRequest& request) {
    if (override_) {
      if (auto response = override_(request)) return *response;
    }
    const std::string path = PathOf(request.url);
    if (path == "/auth/oauth/token") {
      std::lock_guard lock(mutex_);
      return ScriptedTransport::Json(testing::TokenJson(token + Suffix(), expires_in));
    }
    if (!Authorized(request)) return ScriptedTransport::Response(401, "invalid_token");
    if (path == "/api/v2/system/pagination") {
      return ScriptedTransport::Json("{\"max\":" + std::to_string(max) + "}");
    }
    if (path == "/api/v2/system/request_rate") {
      return ScriptedTransport::Json(
          R"({"slidingTimeWindowSizeSeconds":60,"accountUid":"acc","accountCount":42,"accountRateLimit":600,"accountCutOffRatio":0.9})");
    }
    if (path == "/api/v2/account") {
      return ScriptedTransport::Json(
          R"({"id":1,"uid":"acc","name":"Acme","devicesStatus":{"numberOfDevices":3}})");
    }
    // Sites and devices carry the list's totalCount, open alerts none (as on the real API).
    if (path == "/api/v2/account/sites") return List(request, sites, testing::SitesPageJson);
    if (path == "/api/v2/account/devices") return List(request, devices, testing::DevicesPageJson);
    if (path == "/api/v2/account/alerts/open") {
      return List(request, alerts,
                  [](const std::vector<std::string>& items, const std::string& next, std::int64_t) {
                    return testing::AlertsPageJson(items, next);
                  });
    }
    return ScriptedTransport::Response(404, "no route " + path);
  }

  // Later tokens get a suffix so a renewal is visible: tok-1, tok-1.2, tok-1.3 ...
  void RotateTokens() {
    std::lock_guard lock(mutex_);
    rotate_ = true;
  }

 private:
  std::string Suffix() {
    if (!rotate_) return {};
    ++issued_;
    return issued_ == 1 ? "" : "." + std::to_string(issued_);
  }
  bool Authorized(const HttpRequest& request) {
    std::lock_guard lock(mutex_);
    for (const auto& [name, value] : request.headers) {
      if (name == "Authorization") return value.rfind("Bearer " + token, 0) == 0;
    }
    return false;
  }
  template <typename Render>
  HttpResponse List(const HttpRequest& request, const std::vector<std::string>& items,
                    Render render) {
    const std::string max_text = Query(request.url, "max");
    const std::size_t page_size = max_text.empty() ? 250 : std::stoul(max_text);
    const std::size_t page =
        std::stoul(Query(request.url, "page").empty() ? "0" : Query(request.url, "page"));
    std::vector<std::string> slice;
    for (std::size_t i = page * page_size; i < items.size() && i < (page + 1) * page_size; ++i) {
      slice.push_back(items[i]);
    }
    std::string next;
    if ((page + 1) * page_size < items.size()) {
      next = std::string(kBase) + PathOf(request.url) + "?max=" + std::to_string(page_size) +
             "&page=" + std::to_string(page + 1);
    }
    return ScriptedTransport::Json(render(slice, next, static_cast<std::int64_t>(items.size())));
  }

  std::mutex mutex_;
  bool rotate_ = false;
  int issued_ = 0;
};

std::vector<std::string> Sites(int n, int offset = 0) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(testing::SiteJson("site-" + std::to_string(i + offset),
                                    "Site " + std::to_string(i + offset)));
  }
  return out;
}

class DattoClientTest : public ::testing::Test {
 protected:
  DattoClientTest() {
    transport_.SetHandler([this](const HttpRequest& r) { return api_(r); });
  }

  DattoClient& Client(ClientOptions options = {}) {
    if (options.base_url.empty()) options.base_url = kBase;
    options.api_key = "key-0001";
    options.api_secret = "secret-0001";
    options.retry.jitter = 0;
    options.jitter_seed = 3;
    client_ = std::make_unique<DattoClient>(options, transport_, gate_, observer_, clock_);
    return *client_;
  }

  std::vector<std::string> WalkSites(Status* status = nullptr, const std::stop_token& stop = {}) {
    std::vector<std::string> uids;
    Status s = client_->ForEachSite(
        [&](std::vector<Site>&& page) {
          for (const auto& site : page) uids.push_back(site.uid);
        },
        stop);
    if (status != nullptr)
      *status = s;
    else
      EXPECT_TRUE(s.ok()) << s.message();
    return uids;
  }

  FakeApi api_;
  ScriptedTransport transport_;
  testing::RecordingGate gate_;
  testing::RecordingObserver observer_;
  FakeClock clock_;
  std::unique_ptr<DattoClient> client_;
};

TEST_F(DattoClientTest, WalksEveryPageWithTheSizeFromSystemPagination) {
  api_.sites = Sites(7);
  api_.max = 3;
  Client();
  EXPECT_EQ(WalkSites(), (std::vector<std::string>{"site-0", "site-1", "site-2", "site-3", "site-4",
                                                   "site-5", "site-6"}));
  const auto requests = transport_.Requests();
  ASSERT_EQ(requests.size(), 5u);  // token, pagination, ceil(7/3) = 3 pages
  EXPECT_EQ(requests[0].url, std::string(kBase) + "/auth/oauth/token");
  EXPECT_EQ(requests[1].url, std::string(kBase) + "/api/v2/system/pagination");
  EXPECT_EQ(requests[2].url, std::string(kBase) + "/api/v2/account/sites?max=3&page=0");
  EXPECT_EQ(requests[3].url, std::string(kBase) + "/api/v2/account/sites?max=3&page=1");
  EXPECT_EQ(requests[4].url, std::string(kBase) + "/api/v2/account/sites?max=3&page=2");
  for (std::size_t i = 1; i < requests.size(); ++i) {
    EXPECT_THAT(requests[i].headers, ::testing::Contains(std::pair<std::string, std::string>(
                                         "Authorization", "Bearer tok-1")));
  }
  // Token and page size are cached: a second walk costs exactly its pages.
  WalkSites();
  EXPECT_EQ(transport_.RequestCount(), 8u);
  EXPECT_EQ(transport_.CountRequests("/system/pagination"), 1u);
  EXPECT_EQ(transport_.CountRequests("/auth/oauth/token"), 1u);
}

TEST_F(DattoClientTest, AnExactMultipleOfThePageSizeTakesNoExtraRequest) {
  api_.devices = {testing::DeviceJson(1), testing::DeviceJson(2), testing::DeviceJson(3),
                  testing::DeviceJson(4)};
  api_.max = 2;
  Client();
  std::vector<std::string> uids;
  ASSERT_TRUE(client_
                  ->ForEachDevice(
                      [&](std::vector<Device>&& page) {
                        for (const auto& d : page) uids.push_back(d.uid);
                      },
                      {})
                  .ok());
  EXPECT_EQ(uids, (std::vector<std::string>{"dev-1", "dev-2", "dev-3", "dev-4"}));
  EXPECT_EQ(transport_.CountRequests("/api/v2/account/devices"), 2u);
}

TEST_F(DattoClientTest, UsesTheRightPrioritiesAndEndpointLabels) {
  api_.alerts = {testing::AlertJson("al-1")};
  api_.devices = {testing::DeviceJson(1)};
  api_.sites = Sites(1);
  Client();
  ASSERT_TRUE(client_->ForEachOpenAlert([](std::vector<Alert>&&) {}, {}).ok());
  ASSERT_TRUE(client_->ForEachDevice([](std::vector<Device>&&) {}, {}).ok());
  ASSERT_TRUE(client_->ForEachSite([](std::vector<Site>&&) {}, {}).ok());
  ASSERT_TRUE(client_->GetRateStatus({}).ok());
  ASSERT_TRUE(client_->GetAccount({}).ok());
  EXPECT_THAT(gate_.acquired(),
              ElementsAre(RequestPriority::kAuth, RequestPriority::kSites, RequestPriority::kAlerts,
                          RequestPriority::kDevices, RequestPriority::kSites,
                          RequestPriority::kRateStatus, RequestPriority::kSites));
  std::vector<std::string> endpoints;
  for (const auto& r : observer_.requests()) endpoints.push_back(r.endpoint);
  EXPECT_THAT(endpoints, ElementsAre("/auth/oauth/token", "/api/v2/system/pagination",
                                     "/api/v2/account/alerts/open", "/api/v2/account/devices",
                                     "/api/v2/account/sites", "/api/v2/system/request_rate",
                                     "/api/v2/account"));
}

TEST_F(DattoClientTest, ReadsRateStatusAccountAndTokenExpiry) {
  Client();
  EXPECT_EQ(client_->TokenExpiry(), std::nullopt);
  auto rate = client_->GetRateStatus({});
  ASSERT_TRUE(rate.ok()) << rate.status().message();
  EXPECT_EQ(rate->account_count, 42);
  EXPECT_EQ(rate->account_rate_limit, 600);
  auto account = client_->GetAccount({});
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->name, "Acme");
  EXPECT_EQ(account->devices_status.number_of_devices, 3);
  EXPECT_EQ(client_->TokenExpiry(), clock_.WallNow() + seconds(360000));
  auto size = client_->GetPageSize({});
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size.value(), 250);
}

TEST_F(DattoClientTest, RefusesANextPageOnAnotherOrigin) {
  api_.sites = Sites(2);
  api_.override_ = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url.find("/account/sites") == std::string::npos) return std::nullopt;
    return ScriptedTransport::Json(testing::SitesPageJson(
        {testing::SiteJson("a", "A")}, "https://evil.example/api/v2/account/sites?max=250&page=1"));
  };
  Client();
  Status status;
  const auto uids = WalkSites(&status);
  EXPECT_EQ(status.kind(), ErrorKind::kProtocol);
  EXPECT_THAT(status.message(), HasSubstr("https://evil.example"));
  EXPECT_EQ(transport_.CountRequests("evil.example"), 0u);
  EXPECT_EQ(uids, std::vector<std::string>{"a"});
}

TEST_F(DattoClientTest, RefusesADifferentSchemeOrPortOnTheSameHost) {
  for (const std::string next :
       {"http://merlot-api.centrastage.net/api/v2/account/sites?page=1",
        "https://merlot-api.centrastage.net:8443/api/v2/account/sites?page=1",
        "https://user@merlot-api.centrastage.net/x", "javascript:alert(1)"}) {
    api_.override_ = [next](const HttpRequest& r) -> std::optional<HttpResponse> {
      if (r.url.find("/account/sites") == std::string::npos) return std::nullopt;
      return ScriptedTransport::Json(testing::SitesPageJson({testing::SiteJson("a", "A")}, next));
    };
    Client();
    const std::size_t before = transport_.RequestCount();
    Status status;
    WalkSites(&status);
    EXPECT_EQ(status.kind(), ErrorKind::kProtocol) << next;
    // Token, pagination and the first page; nothing to the refused URL.
    EXPECT_EQ(transport_.RequestCount() - before, 3u) << next;
  }
}

TEST_F(DattoClientTest, FollowsARelativeNextPageOnTheConfiguredOrigin) {
  api_.override_ = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url.find("/account/sites") == std::string::npos) return std::nullopt;
    if (r.url.find("page=0") != std::string::npos) {
      return ScriptedTransport::Json(testing::SitesPageJson(
          {testing::SiteJson("a", "A")}, "/api/v2/account/sites?max=250&page=1"));
    }
    return ScriptedTransport::Json(testing::SitesPageJson({testing::SiteJson("b", "B")}));
  };
  Client();
  EXPECT_EQ(WalkSites(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(transport_.Requests().back().url,
            std::string(kBase) + "/api/v2/account/sites?max=250&page=1");
}

TEST_F(DattoClientTest, DetectsAPageThatComesRoundAgain) {
  api_.override_ = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url.find("/account/sites") == std::string::npos) return std::nullopt;
    const bool first = r.url.find("page=0") != std::string::npos;
    // page 0 -> page 1 -> page 0 again (host spelt differently, same page)
    return ScriptedTransport::Json(testing::SitesPageJson(
        {testing::SiteJson(first ? "a" : "b", "x")},
        first ? std::string(kBase) + "/api/v2/account/sites?max=250&page=1"
              : "https://MERLOT-api.centrastage.net:443/api/v2/account/sites?max=250&page=0"));
  };
  Client();
  Status status;
  EXPECT_EQ(WalkSites(&status), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(status.kind(), ErrorKind::kProtocol);
  EXPECT_THAT(status.message(), HasSubstr("page=0"));
  EXPECT_EQ(transport_.CountRequests("/account/sites"), 2u);
}

TEST_F(DattoClientTest, StopsAtThePageCap) {
  api_.override_ = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url.find("/account/sites") == std::string::npos) return std::nullopt;
    const int page = std::stoi(Query(r.url, "page"));
    return ScriptedTransport::Json(testing::SitesPageJson(
        {testing::SiteJson("s" + std::to_string(page), "x")},
        std::string(kBase) + "/api/v2/account/sites?max=250&page=" + std::to_string(page + 1)));
  };
  ClientOptions options;
  options.max_pages = 3;
  Client(options);
  Status status;
  EXPECT_EQ(WalkSites(&status).size(), 3u);
  EXPECT_EQ(status.kind(), ErrorKind::kProtocol);
  EXPECT_THAT(status.message(), HasSubstr("3 pages"));
  EXPECT_EQ(transport_.CountRequests("/account/sites"), 3u);
}

// A server that ignores page= but keeps counting in nextPageUrl: every URL is new, every page
// the same.
std::optional<HttpResponse> FirstPageForever(const HttpRequest& r, const std::string& path,
                                             bool with_total) {
  if (r.url.find(path) == std::string::npos) return std::nullopt;
  const std::string next = std::string(kBase) + path +
                           "?max=2&page=" + std::to_string(std::stoi(Query(r.url, "page")) + 1);
  if (path == "/api/v2/account/alerts/open") {
    return ScriptedTransport::Json(
        testing::AlertsPageJson({testing::AlertJson("al-1"), testing::AlertJson("al-2")}, next));
  }
  return ScriptedTransport::Json(testing::DevicesPageJson(
      {testing::DeviceJson(1), testing::DeviceJson(2)}, next, with_total ? 5 : -1));
}

TEST_F(DattoClientTest, APageOfOnlyKnownItemsEndsTheWalkAsARepeat) {
  for (const bool with_total : {true, false}) {
    for (const std::string path : {"/api/v2/account/devices", "/api/v2/account/alerts/open"}) {
      api_.override_ = [path, with_total](const HttpRequest& r) {
        return FirstPageForever(r, path, with_total);
      };
      Client();
      const std::size_t before = transport_.CountRequests(path);
      std::size_t items = 0;
      const Status status =
          path == "/api/v2/account/devices"
              ? client_->ForEachDevice([&](std::vector<Device>&& p) { items += p.size(); }, {})
              : client_->ForEachOpenAlert([&](std::vector<Alert>&& p) { items += p.size(); }, {});
      EXPECT_EQ(status.kind(), ErrorKind::kProtocol) << path;
      EXPECT_THAT(status.message(), HasSubstr("page=1 came round again")) << path;
      EXPECT_EQ(items, 2u) << path;
      // Page 0, then page 1 holding page 0's items again; not max_pages (2000) of them.
      EXPECT_EQ(transport_.CountRequests(path) - before, 2u) << path;
    }
  }
}

TEST_F(DattoClientTest, StopsAFewPagesPastWhatTotalCountAllows) {
  // New items on every page, but totalCount says 5 at 2 a page: 3 pages, 2 more of slack.
  api_.override_ = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url.find("/account/sites") == std::string::npos) return std::nullopt;
    const int page = std::stoi(Query(r.url, "page"));
    return ScriptedTransport::Json(testing::SitesPageJson(
        {testing::SiteJson("s" + std::to_string(2 * page), "x"),
         testing::SiteJson("s" + std::to_string(2 * page + 1), "x")},
        std::string(kBase) + "/api/v2/account/sites?max=2&page=" + std::to_string(page + 1), 5));
  };
  Client();
  Status status;
  EXPECT_EQ(WalkSites(&status).size(), 10u);
  EXPECT_EQ(status.kind(), ErrorKind::kProtocol);
  EXPECT_THAT(status.message(), HasSubstr("totalCount of 5"));
  EXPECT_EQ(transport_.CountRequests("/account/sites"), 5u);
}

TEST_F(DattoClientTest, AnAbsurdTotalCountNeitherOverflowsNorEndsTheWalkEarly) {
  for (const std::string total : {"9223372036854775807", "-5"}) {
    SCOPED_TRACE(total);
    api_.override_ = [total](const HttpRequest& r) -> std::optional<HttpResponse> {
      if (r.url.find("/account/sites") == std::string::npos) return std::nullopt;
      const int page = std::stoi(Query(r.url, "page"));
      const std::string next =
          page < 2 ? "\"" + std::string(kBase) +
                         "/api/v2/account/sites?max=2&page=" + std::to_string(page + 1) + "\""
                   : "null";
      return ScriptedTransport::Json(R"({"pageDetails":{"count":1,"totalCount":)" + total +
                                     R"(,"nextPageUrl":)" + next + R"(},"sites":[)" +
                                     testing::SiteJson("s" + std::to_string(page), "x") + "]}");
    };
    Client();
    EXPECT_EQ(WalkSites().size(), 3u);
  }
}

TEST_F(DattoClientTest, DropsItemsAlreadySeenInTheWalkAndSitesWithoutUid) {
  api_.override_ = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url.find("/account/sites") == std::string::npos) return std::nullopt;
    if (r.url.find("page=0") != std::string::npos) {
      return ScriptedTransport::Json(testing::SitesPageJson(
          {testing::SiteJson("a", "A"), testing::SiteJson("b", "B"), testing::SiteJson("c", "C")},
          std::string(kBase) + "/api/v2/account/sites?max=3&page=1"));
    }
    return ScriptedTransport::Json(
        testing::SitesPageJson({testing::SiteJson("c", "C"), R"({"uid":null,"name":"ghost"})",
                                testing::SiteJson("d", "D")}));
  };
  Client();
  EXPECT_EQ(WalkSites(), (std::vector<std::string>{"a", "b", "c", "d"}));
  // Uniqueness is per walk: the next walk starts afresh.
  EXPECT_EQ(WalkSites(), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST_F(DattoClientTest, AnEmptyPageEndsTheWalkEvenWithANextLink) {
  api_.override_ = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url.find("/account/sites") == std::string::npos) return std::nullopt;
    return ScriptedTransport::Json(
        testing::SitesPageJson({}, std::string(kBase) + "/api/v2/account/sites?max=250&page=" +
                                       std::to_string(std::stoi(Query(r.url, "page")) + 1)));
  };
  Client();
  EXPECT_TRUE(WalkSites().empty());
  EXPECT_EQ(transport_.CountRequests("/account/sites"), 1u);
}

TEST_F(DattoClientTest, ReauthenticatesOnceOnA401) {
  api_.sites = Sites(1);
  api_.RotateTokens();
  Client();
  WalkSites();
  EXPECT_EQ(transport_.CountRequests("/auth/oauth/token"), 1u);
  // The server forgets tok-1; the fake now accepts the next token it issues.
  api_.token = "tok-1";  // issued tokens are tok-1, tok-1.2, ... all start with "tok-1"
  int rejected = 0;
  api_.override_ = [&rejected](const HttpRequest& r) -> std::optional<HttpResponse> {
    for (const auto& [name, value] : r.headers) {
      if (name == "Authorization" && value == "Bearer tok-1" && rejected++ < 1) {
        return ScriptedTransport::Response(401, "expired");
      }
    }
    return std::nullopt;
  };
  EXPECT_EQ(WalkSites(), std::vector<std::string>{"site-0"});
  EXPECT_EQ(transport_.CountRequests("/auth/oauth/token"), 2u);
  EXPECT_THAT(
      transport_.Requests().back().headers,
      ::testing::Contains(std::pair<std::string, std::string>("Authorization", "Bearer tok-1.2")));
  EXPECT_THAT(observer_.retries(), ::testing::Contains("unauthorized"));
}

TEST_F(DattoClientTest, ASecond401IsUnauthorized) {
  api_.sites = Sites(1);
  Client();
  api_.override_ = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url.find("/api/v2/account/sites") == std::string::npos) return std::nullopt;
    return ScriptedTransport::Response(401, "nope");
  };
  Status status;
  WalkSites(&status);
  EXPECT_EQ(status.kind(), ErrorKind::kUnauthorized);
  EXPECT_EQ(transport_.CountRequests("/account/sites"), 2u);
  EXPECT_EQ(transport_.CountRequests("/auth/oauth/token"), 2u);
}

TEST_F(DattoClientTest, WrongCredentialsStopEveryCallWithoutHammering) {
  api_.sites = Sites(1);
  api_.override_ = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url.find("/auth/oauth/token") == std::string::npos) return std::nullopt;
    return ScriptedTransport::Response(401, R"({"error":"unauthorized"})");
  };
  Client();
  Status status;
  WalkSites(&status);
  EXPECT_EQ(status.kind(), ErrorKind::kCredentials);
  EXPECT_EQ(client_->GetRateStatus({}).status().kind(), ErrorKind::kCredentials);
  EXPECT_EQ(client_->GetAccount({}).status().kind(), ErrorKind::kCredentials);
  EXPECT_EQ(transport_.RequestCount(), 1u);
}

TEST_F(DattoClientTest, ReportsUnknownEnumValuesOncePerClient) {
  api_.alerts = {testing::AlertJson("a1", "Urgent"), testing::AlertJson("a2", "Urgent"),
                 testing::AlertJson("a3", "Severe")};
  api_.max = 1;
  Client();
  std::vector<std::string> priorities;
  for (int walk = 0; walk < 2; ++walk) {
    ASSERT_TRUE(client_
                    ->ForEachOpenAlert(
                        [&](std::vector<Alert>&& page) {
                          for (const auto& a : page) priorities.push_back(*a.priority);
                        },
                        {})
                    .ok());
  }
  EXPECT_EQ(priorities.size(), 6u);
  EXPECT_EQ(priorities[0], "Urgent");
  EXPECT_THAT(observer_.unknown_enums(),
              ElementsAre(std::pair<std::string, std::string>("priority", "Urgent"),
                          std::pair<std::string, std::string>("priority", "Severe")));
}

TEST_F(DattoClientTest, UnknownEnumReportsAreCappedAndTheirValuesCut) {
  // A new unknown value on every alert of every poll: the reports (log lines, observer calls
  // and the set that remembers them) stop at the cap instead of growing with each poll.
  testing::LogCapture log;
  const std::string long_tail(500, 'x');
  for (int i = 0; i < 1200; ++i) {
    api_.alerts.push_back(
        testing::AlertJson("a" + std::to_string(i), "New" + std::to_string(i) + long_tail));
  }
  api_.max = 250;
  Client();
  std::size_t alerts = 0;
  ASSERT_TRUE(
      client_->ForEachOpenAlert([&](std::vector<Alert>&& page) { alerts += page.size(); }, {})
          .ok());
  EXPECT_EQ(alerts, 1200u);  // every alert still decoded, its value kept
  const auto reported = observer_.unknown_enums();
  ASSERT_EQ(reported.size(), 1000u);
  for (const auto& [field, value] : reported) {
    ASSERT_LE(value.size(), 64u + 3u) << value;  // 64 bytes and "..."
    ASSERT_TRUE(value.ends_with("...")) << value;
  }
  std::size_t unknown_lines = 0;
  std::size_t cap_lines = 0;
  for (const auto& line : log.lines()) {
    unknown_lines += line.find("unknown enum value from the API") != std::string::npos;
    cap_lines += line.find("no longer reporting new ones") != std::string::npos;
    EXPECT_EQ(line.find(long_tail), std::string::npos);
  }
  EXPECT_EQ(unknown_lines, 1000u);
  EXPECT_EQ(cap_lines, 1u);
}

TEST_F(DattoClientTest, CountsDecodeWarningsAndReportsThemPerEndpoint) {
  api_.devices = {R"({"uid":"d1","online":"yes","id":"x"})"};
  Client();
  ASSERT_TRUE(client_->ForEachDevice([](std::vector<Device>&&) {}, {}).ok());
  EXPECT_EQ(client_->DecodeWarnings(), 2);
  EXPECT_THAT(observer_.decode_warnings(),
              ElementsAre(std::pair<std::string, std::int64_t>("/api/v2/account/devices", 2)));
}

TEST_F(DattoClientTest, AnUndecodablePageIsRetriedThenReported) {
  api_.sites = Sites(1);
  int calls = 0;
  api_.override_ = [&calls](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url.find("/account/sites") == std::string::npos || calls++ > 0) return std::nullopt;
    return ScriptedTransport::Json(R"({"pageDetails":{},"sites":[{"uid":"trunc)");
  };
  Client();
  EXPECT_EQ(WalkSites(), std::vector<std::string>{"site-0"});
  EXPECT_EQ(observer_.decode_errors(), std::vector<std::string>{"/api/v2/account/sites"});
  api_.override_ = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url.find("/account/sites") == std::string::npos) return std::nullopt;
    return ScriptedTransport::Json(R"({"pageDetails":{}})");
  };
  Status status;
  WalkSites(&status);
  EXPECT_EQ(status.kind(), ErrorKind::kDecode);
}

TEST_F(DattoClientTest, AnInvalidBaseUrlFailsWithoutRequests) {
  ClientOptions options;
  options.base_url = "merlot-api.centrastage.net";
  Client(options);
  Status status;
  WalkSites(&status);
  EXPECT_EQ(status.kind(), ErrorKind::kProtocol);
  EXPECT_EQ(client_->GetAccount({}).status().kind(), ErrorKind::kProtocol);
  EXPECT_EQ(transport_.RequestCount(), 0u);
}

TEST_F(DattoClientTest, ABaseUrlOverrideWithAPortAndTrailingSlashWorks) {
  ClientOptions options;
  options.base_url = "http://127.0.0.1:8780/";
  api_.sites = Sites(1);
  api_.override_ = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url.rfind("http://127.0.0.1:8780/", 0) != 0) return ScriptedTransport::Response(418);
    return std::nullopt;
  };
  Client(options);
  EXPECT_EQ(WalkSites(), std::vector<std::string>{"site-0"});
  EXPECT_EQ(transport_.Requests()[0].url, "http://127.0.0.1:8780/auth/oauth/token");
  EXPECT_EQ(transport_.Requests()[2].url,
            "http://127.0.0.1:8780/api/v2/account/sites?max=250&page=0");
}

TEST_F(DattoClientTest, AStopBetweenPagesCancelsTheWalk) {
  api_.sites = Sites(5);
  api_.max = 2;
  Client();
  std::stop_source stop;
  int pages = 0;
  Status status = client_->ForEachSite(
      [&](std::vector<Site>&&) {
        ++pages;
        stop.request_stop();
      },
      stop.get_token());
  EXPECT_EQ(status.kind(), ErrorKind::kCancelled);
  EXPECT_EQ(pages, 1);
  EXPECT_EQ(transport_.CountRequests("/account/sites"), 1u);
}

TEST_F(DattoClientTest, CollectorsShareOneClientFromSeveralThreads) {
  api_.sites = Sites(5);
  for (int i = 0; i < 7; ++i) api_.devices.push_back(testing::DeviceJson(i));
  for (int i = 0; i < 3; ++i) api_.alerts.push_back(testing::AlertJson("al-" + std::to_string(i)));
  api_.max = 2;
  Client();
  auto count = [&](auto walk) {
    return std::async(std::launch::async, [&, walk] {
      std::size_t total = 0;
      for (int round = 0; round < 5; ++round) {
        EXPECT_TRUE(walk(total).ok());
      }
      return total;
    });
  };
  auto sites = count([&](std::size_t& total) {
    return client_->ForEachSite([&](std::vector<Site>&& page) { total += page.size(); }, {});
  });
  auto devices = count([&](std::size_t& total) {
    return client_->ForEachDevice([&](std::vector<Device>&& page) { total += page.size(); }, {});
  });
  auto alerts = count([&](std::size_t& total) {
    return client_->ForEachOpenAlert([&](std::vector<Alert>&& page) { total += page.size(); }, {});
  });
  auto rates = count([&](std::size_t& total) {
    auto rate = client_->GetRateStatus({});
    total += rate.ok() ? 1 : 0;
    return rate.ok() ? Status::Ok() : rate.status();
  });
  EXPECT_EQ(sites.get(), 25u);
  EXPECT_EQ(devices.get(), 35u);
  EXPECT_EQ(alerts.get(), 15u);
  EXPECT_EQ(rates.get(), 5u);
  // However the threads interleaved, the first uses were shared.
  EXPECT_EQ(transport_.CountRequests("/auth/oauth/token"), 1u);
  EXPECT_EQ(transport_.CountRequests("/system/pagination"), 1u);
  EXPECT_EQ(transport_.CountRequests("/account/devices"), 20u);
}

// --- pages in flight ------------------------------------------------------------------------

ClientOptions InFlight(int pages) {
  ClientOptions options;
  options.pages_in_flight = pages;
  return options;
}

// The page number of a list request, or -1.
int PageOf(const HttpRequest& request) {
  const std::string page = Query(request.url, "page");
  return page.empty() ? -1 : std::stoi(page);
}

TEST_F(DattoClientTest, PagesInFlightGiveTheSameItemsInOrderWithTheSameRequests) {
  api_.sites = Sites(23);
  api_.max = 3;
  // Later pages answer first: the fold must still see them in page order.
  api_.override_ = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    const int page = PageOf(r);
    if (page > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5 * (8 - page)));
    return std::nullopt;
  };
  Client(InFlight(4));
  std::vector<std::string> expected;
  for (int i = 0; i < 23; ++i) expected.push_back("site-" + std::to_string(i));
  EXPECT_EQ(WalkSites(), expected);
  EXPECT_EQ(transport_.CountRequests("/account/sites"), 8u);  // ceil(23/3): the minimum
  std::set<int> pages;
  for (const auto& request : transport_.Requests()) {
    if (PathOf(request.url) == "/api/v2/account/sites") pages.insert(PageOf(request));
  }
  EXPECT_EQ(pages, (std::set<int>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST_F(DattoClientTest, PagesInFlightAreReallyConcurrentAndNeverMoreThanAsked) {
  api_.sites = Sites(30);
  api_.max = 3;
  std::mutex mutex;
  std::condition_variable changed;
  int in_flight = 0;
  int most = 0;
  api_.override_ = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (PageOf(r) < 1) return std::nullopt;
    std::unique_lock lock(mutex);
    most = std::max(most, ++in_flight);
    changed.notify_all();
    // Hold each page until three are in flight together (bounded, in case they never are).
    changed.wait_for(lock, std::chrono::milliseconds(500), [&] { return in_flight >= 3; });
    --in_flight;
    return std::nullopt;
  };
  Client(InFlight(3));
  EXPECT_EQ(WalkSites().size(), 30u);
  EXPECT_EQ(most, 3);
  const auto acquired = gate_.acquired();
  EXPECT_EQ(std::count(acquired.begin(), acquired.end(), RequestPriority::kSites), 11)
      << "the page size and every page passed the gate";
}

TEST_F(DattoClientTest, AFailedPageFailsTheWalkAndNothingAfterItIsFolded) {
  api_.sites = Sites(30);
  api_.max = 3;
  api_.override_ = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (PageOf(r) == 4) return ScriptedTransport::Response(500, "boom");
    return std::nullopt;
  };
  Client(InFlight(4));
  Status status;
  const auto uids = WalkSites(&status);
  EXPECT_EQ(status.kind(), ErrorKind::kServer);
  EXPECT_EQ(uids.size(), 12u) << "pages 0..3 only, in order";
  EXPECT_EQ(uids.back(), "site-11");
}

TEST_F(DattoClientTest, ATokenRevokedWhilePagesAreInFlightIsRenewedOnce) {
  api_.sites = Sites(30);
  api_.max = 3;
  api_.RotateTokens();
  std::atomic<bool> revoked = false;
  api_.override_ = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    // From page 5 on, the first token is no longer accepted.
    if (PageOf(r) >= 5 && !revoked.exchange(true)) api_.token = "tok-1.2";
    return std::nullopt;
  };
  Client(InFlight(4));
  EXPECT_EQ(WalkSites().size(), 30u);
  EXPECT_EQ(transport_.CountRequests("/auth/oauth/token"), 2u);
}

TEST_F(DattoClientTest, PagesInFlightKeepEveryWalkGuard) {
  api_.sites = Sites(30);
  api_.max = 3;
  // A page that repeats an earlier one under a new page number ends the walk as a repeat.
  api_.override_ = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (PageOf(r) != 3) return std::nullopt;
    const auto items = Sites(3, 3);  // page 1's items
    return ScriptedTransport::Json(testing::SitesPageJson(
        items, std::string(kBase) + "/api/v2/account/sites?max=3&page=4", 30));
  };
  Client(InFlight(4));
  Status status;
  WalkSites(&status);
  EXPECT_EQ(status.kind(), ErrorKind::kProtocol);
  EXPECT_THAT(status.message(), HasSubstr("every item was on an earlier page"));

  // A nextPageUrl on another origin fails the walk, though the concurrent walk does not follow it.
  api_.override_ = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (PageOf(r) != 2) return std::nullopt;
    return ScriptedTransport::Json(testing::SitesPageJson(
        Sites(3, 6), "https://evil.example/api/v2/account/sites?max=3&page=3", 30));
  };
  Client(InFlight(4));
  WalkSites(&status);
  EXPECT_EQ(status.kind(), ErrorKind::kProtocol);
  EXPECT_THAT(status.message(), HasSubstr("foreign origin https://evil.example"));
  EXPECT_EQ(transport_.CountRequests("evil.example"), 0u);
}

TEST_F(DattoClientTest, PagesInFlightFollowAListLongerOrShorterThanTotalCountSaid) {
  api_.max = 3;
  // The list grew by two pages during the walk: the last counted page links onwards.
  api_.sites = Sites(15);
  api_.override_ = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (PathOf(r.url) != "/api/v2/account/sites") return std::nullopt;
    const int page = PageOf(r);
    const std::string next =
        page < 4
            ? std::string(kBase) + "/api/v2/account/sites?max=3&page=" + std::to_string(page + 1)
            : "";
    return ScriptedTransport::Json(
        testing::SitesPageJson(Sites(3, 3 * page), next, page == 0 ? 9 : 15));
  };
  Client(InFlight(4));
  EXPECT_EQ(WalkSites().size(), 15u);
  EXPECT_EQ(transport_.CountRequests("/account/sites"), 5u);

  // The list shrank: a page with no next link ends it, whatever totalCount said.
  api_.override_ = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (PathOf(r.url) != "/api/v2/account/sites") return std::nullopt;
    const int page = PageOf(r);
    if (page >= 2) return ScriptedTransport::Json(testing::SitesPageJson({}, "", 6));
    return ScriptedTransport::Json(testing::SitesPageJson(
        Sites(3, 3 * page),
        std::string(kBase) + "/api/v2/account/sites?max=3&page=" + std::to_string(page + 1),
        page == 0 ? 30 : 6));
  };
  Client(InFlight(4));
  EXPECT_EQ(WalkSites().size(), 6u);
}

TEST_F(DattoClientTest, AListShiftedUnderAConcurrentWalkIsWalkedAgainToFillTheGap) {
  // 30 sites, 3 a page, 4 pages in flight. Page 3 is served first and then a site is inserted
  // at the front; pages 1 and 2 are served after that, so page 2 ends one item before page 3
  // begins: site-8 falls between them, and site-2 comes round again on page 1. Without the
  // refill, site-8 would be missing until the next walk.
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> list = Sites(30);
  bool shifted = false;
  api_.max = 3;
  api_.override_ = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (PathOf(r.url) != "/api/v2/account/sites") return std::nullopt;
    const int page = PageOf(r);
    std::unique_lock lock(mutex);
    if (page == 1 || page == 2) {
      changed.wait_for(lock, std::chrono::seconds(5), [&] { return shifted; });
    }
    const auto begin = std::min<std::size_t>(3 * page, list.size());
    const auto end = std::min<std::size_t>(begin + 3, list.size());
    const std::string next =
        end < list.size()
            ? std::string(kBase) + "/api/v2/account/sites?max=3&page=" + std::to_string(page + 1)
            : "";
    const auto total = static_cast<std::int64_t>(list.size());
    HttpResponse response = ScriptedTransport::Json(testing::SitesPageJson(
        std::vector<std::string>(list.begin() + static_cast<std::ptrdiff_t>(begin),
                                 list.begin() + static_cast<std::ptrdiff_t>(end)),
        next, total));
    if (page == 3 && !shifted) {
      list.insert(list.begin(), testing::SiteJson("site-new", "New site"));
      shifted = true;
      changed.notify_all();
    }
    return response;
  };
  Client(InFlight(4));
  const auto uids = WalkSites();
  // Every site that was there throughout, once: the gap filled, the repeats dropped. The new
  // site went in before the pages the walk had reached, where a sequential walk misses it too;
  // the next walk sees it.
  std::vector<std::string> expected;
  for (int i = 0; i < 30; ++i) expected.push_back("site-" + std::to_string(i));
  EXPECT_THAT(uids, ::testing::UnorderedElementsAreArray(expected));
  // The concurrent walk: the 10 pages totalCount said and the 11th the list grew into; then
  // from page 1, the first that repeated an item, to the end of the list of 31: 10 pages.
  EXPECT_EQ(transport_.CountRequests("/account/sites"), 21u);
  std::vector<int> pages;
  for (const auto& request : transport_.Requests()) {
    if (PathOf(request.url) == "/api/v2/account/sites") pages.push_back(PageOf(request));
  }
  EXPECT_THAT(std::vector<int>(pages.begin() + 11, pages.end()),
              ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
      << "the refill walks one page at a time, in order";

  // Without a shift, nothing is walked twice.
  api_.override_ = nullptr;
  api_.sites = Sites(30);
  Client(InFlight(4));
  const std::size_t before = transport_.CountRequests("/account/sites");
  EXPECT_EQ(WalkSites().size(), 30u);
  EXPECT_EQ(transport_.CountRequests("/account/sites") - before, 10u);
}

TEST_F(DattoClientTest, OpenAlertsWithoutTotalCountStaySequential) {
  for (int i = 0; i < 9; ++i) api_.alerts.push_back(testing::AlertJson("al-" + std::to_string(i)));
  api_.max = 3;
  std::atomic<int> in_flight = 0;
  std::atomic<int> most = 0;
  api_.override_ = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (PageOf(r) < 0) return std::nullopt;
    most = std::max(most.load(), ++in_flight);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    --in_flight;
    return std::nullopt;
  };
  Client(InFlight(4));
  std::size_t alerts = 0;
  ASSERT_TRUE(
      client_->ForEachOpenAlert([&](std::vector<Alert>&& page) { alerts += page.size(); }, {})
          .ok());
  EXPECT_EQ(alerts, 9u);
  EXPECT_EQ(most.load(), 1);
}

TEST_F(DattoClientTest, AWalkPastItsDeadlineFails) {
  api_.sites = Sites(30);
  api_.max = 3;
  api_.override_ = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (PageOf(r) >= 1) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return std::nullopt;
  };
  ClientOptions options;
  options.walk_timeout = std::chrono::milliseconds(250);
  Client(options);
  Status status;
  WalkSites(&status);
  EXPECT_EQ(status.kind(), ErrorKind::kTransport);
  EXPECT_EQ(status.message(),
            "/api/v2/account/sites: the walk did not finish within 250ms (timeouts.walk)");
}

TEST_F(DattoClientTest, FailureLogsCarryNoBearerToken) {
  std::vector<std::string> lines;
  std::mutex mutex;
  Logger::Global().SetSink([&](std::string_view line) {
    std::lock_guard lock(mutex);
    lines.emplace_back(line);
  });
  api_.token = "tok-verysecret-123";
  api_.override_ = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url.find("/api/v2/account") == std::string::npos) return std::nullopt;
    std::string echoed;
    for (const auto& [name, value] : r.headers) echoed += name + ": " + value + "; ";
    return ScriptedTransport::Response(400, "bad request, you sent " + echoed);
  };
  Client();
  EXPECT_EQ(client_->GetAccount({}).status().kind(), ErrorKind::kHttp);
  Logger::Global().SetSink([](std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
  });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("status=400"));
  EXPECT_THAT(lines[0], HasSubstr("Bearer <redacted>"));
  EXPECT_THAT(lines[0], Not(HasSubstr("verysecret")));
}

}  // namespace
}  // namespace drmm::datto
