// libFuzzer target for the nextPageUrl guard of DattoClient (src/datto/datto_client.cc), driven
// end to end: a site walk against a fake API whose pages carry the fuzzer's nextPageUrls. Input:
// one byte picks the configured origin, then one nextPageUrl per line, written into the page
// JSON as is (so the fuzzer also writes escapes such as \u0040 that the decoder resolves).
// Checks the property the guard exists for: no request, and above all no bearer token, ever
// goes anywhere but the configured origin; and the walk ends within max_pages.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "datto/datto_client.h"
#include "datto/request_gate.h"
#include "support/fake_clock.h"

namespace {

using drmm::datto::HttpRequest;
using drmm::datto::HttpResponse;

constexpr std::string_view kOrigins[] = {"https://merlot-api.centrastage.net",
                                         "http://127.0.0.1:8080", "http://[::1]:9000"};
constexpr int kMaxPages = 8;
constexpr std::size_t kMaxLines = 32;

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "next_page_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

HttpResponse Json(std::string body) {
  HttpResponse response;
  response.status = 200;
  response.headers = {{"Content-Type", "application/json"}};
  response.body = std::move(body);
  return response;
}

class FakeApi final : public drmm::datto::HttpTransport {
 public:
  explicit FakeApi(std::string_view origin) : origin_(origin) {}

  // A new walk: these links, page numbering and the request count from the start.
  void Reset(std::vector<std::string_view> links) {
    std::lock_guard lock(mutex_);
    links_ = std::move(links);
    pages_ = 0;
    requests_ = 0;
  }

  HttpResponse Send(const HttpRequest& request, const std::stop_token&) override {
    std::lock_guard lock(mutex_);
    // The configured origin followed by a path: anything else is a request that escaped.
    if (!request.url.starts_with(origin_ + "/")) Fail("request to another origin", request.url);
    if (++requests_ > 4 * (kMaxPages + 4)) Fail("walk did not end", request.url);
    const std::string_view target = std::string_view(request.url).substr(origin_.size());
    const std::string_view path = target.substr(0, target.find('?'));
    if (path == "/auth/oauth/token") {
      return Json(R"({"access_token":"fuzz-token-4471","token_type":"bearer","expires_in":3600})");
    }
    if (path == "/api/v2/system/pagination") return Json(R"({"max":250})");
    const std::size_t index = pages_++;
    std::string next = "null";
    if (index < links_.size()) next = "\"" + std::string(links_[index]) + "\"";
    return Json(R"({"pageDetails":{"count":1,"nextPageUrl":)" + next + R"(},"sites":[{"uid":"s)" +
                std::to_string(index) + R"(","name":"site"}]})");
  }

 private:
  std::mutex mutex_;
  std::string origin_;
  std::vector<std::string_view> links_;
  std::size_t pages_ = 0;
  int requests_ = 0;
};

// One client per origin for the whole run: building one per input (its parsers, its token)
// made the target a hundred times slower, and a walk keeps no state in the client between walks
// but the token and the page size, which the fake API does not vary.
struct Account {
  explicit Account(std::string_view origin)
      : api(origin), client(Options(origin), api, gate, observer, clock) {}

  static drmm::datto::ClientOptions Options(std::string_view origin) {
    drmm::datto::ClientOptions options;
    options.base_url = std::string(origin);
    options.api_key = "fuzz-key";
    options.api_secret = "fuzz-secret";
    options.max_pages = kMaxPages;
    options.retry.max_attempts = 2;
    options.jitter_seed = 1;
    return options;
  }

  FakeApi api;
  drmm::datto::UnlimitedGate gate;
  drmm::datto::ApiObserver observer;
  drmm::testing::FakeClock clock;
  drmm::datto::DattoClient client;
};

Account& AccountFor(std::size_t index) {
  static Account accounts[] = {Account(kOrigins[0]), Account(kOrigins[1]), Account(kOrigins[2])};
  return accounts[index];
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The client logs every refused link; the fuzzer needs none of it.
  drmm::Logger::Global().SetSink([](std::string_view) {});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::string_view> links;
  while (!rest.empty() && links.size() < kMaxLines) {
    const std::size_t newline = rest.find('\n');
    links.push_back(rest.substr(0, newline));
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  }

  Account& account = AccountFor(data[0] % std::size(kOrigins));
  account.api.Reset(std::move(links));
  std::stop_source stop;
  (void)account.client.ForEachSite([](std::vector<drmm::datto::Site>&&) {}, stop.get_token());
  return 0;
}
