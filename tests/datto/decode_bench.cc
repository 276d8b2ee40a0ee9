// Prints how fast realistic pages are decoded (a device page of 250 devices of ~5 KB with
// udf1..udf300, a sites page, an alerts page), side by side in one run: the decoder of
// src/datto/decode.cc ("new"), also with three UDFs requested, the nlohmann SAX-filter decoder
// it replaced (a copy kept in
// decode_bench_legacy.cc), and nlohmann::json::parse into a DOM. Times are this thread's CPU
// time (one core), and contenders take turns over several rounds, each keeping its best, so
// other processes on a shared machine skew no ratio. A measurement, not a test: it asserts
// nothing about time.
// Usage: datto_decode_bench [rounds (default 5)] [CPU seconds per contender per round (0.2)];
// the defaults take about 12 s.
#include <time.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "api_fixtures.h"
#include "datto/decode.h"
#include "decode_bench_legacy.h"

namespace {

using drmm::datto::DecodeContext;

struct Contender {
  std::string name;
  std::function<std::size_t()> decode_once;  // returns the items decoded
  double best_seconds_per_call = 0;
};

struct Body {
  std::string name;
  std::string text;
  std::size_t items;
  std::vector<Contender> contenders;
};

template <typename Decode>
std::function<std::size_t()> Ours(const std::string& text, Decode decode,
                                  drmm::datto::DecodeOptions options = {}) {
  return [&text, decode, options] {
    DecodeContext context;
    context.options = options;
    auto page = decode(text, context);
    if (!page.ok()) {
      std::fprintf(stderr, "decode failed: %s\n", page.status().message().c_str());
      std::exit(1);
    }
    return page->items.size();
  };
}

std::function<std::size_t()> Dom(const std::string& text, const char* list) {
  return [&text, list] { return nlohmann::json::parse(text)[list].size(); };
}

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// CPU seconds per call over a batch sized to take about `seconds`.
double TimeBatch(const Contender& c, double seconds) {
  int calls = 1;
  while (true) {
    const double start = ThreadCpuSeconds();
    for (int i = 0; i < calls; ++i) c.decode_once();
    const double elapsed = ThreadCpuSeconds() - start;
    if (elapsed >= seconds || calls >= (1 << 20)) return elapsed / calls;
    calls *= 2;
  }
}

// A positive number, the whole argument.
template <typename T>
bool Parse(std::string_view text, T& out) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !(value > 0)) return false;
  out = value;
  return true;
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace drmm;
  int rounds = 5;
  double seconds = 0.2;
  if (argc > 3 || (argc > 1 && !Parse(argv[1], rounds)) || (argc > 2 && !Parse(argv[2], seconds))) {
    std::fprintf(stderr,
                 "usage: datto_decode_bench [rounds: a positive integer] [CPU seconds per "
                 "contender and round: a positive number]\n");
    return 2;
  }

  std::vector<std::string> devices, sites, alerts;
  for (int i = 0; i < 250; ++i) {
    devices.push_back(testing::DeviceJson(i, "site-" + std::to_string(i % 7)));
    sites.push_back(
        testing::SiteJson("site-" + std::to_string(i), "Customer " + std::to_string(i)));
    alerts.push_back(testing::AlertJson("alert-" + std::to_string(i),
                                        i % 3 == 0 ? "Critical" : "High",
                                        "site-" + std::to_string(i % 7)));
  }
  datto::DecodeOptions three_udfs;
  for (int udf : {1, 51, 300}) three_udfs.device_udfs.set(static_cast<std::size_t>(udf));
  // What the exporter asks for since issue 18: warranty dates always, Autotask companies on
  // sites, and the UDFs a config maps to labels.
  datto::DecodeOptions warranty;
  warranty.device_warranty = true;
  datto::DecodeOptions warranty_three_udfs = three_udfs;
  warranty_three_udfs.device_warranty = true;
  datto::DecodeOptions autotask;
  autotask.site_autotask = true;

  std::vector<Body> bodies;
  bodies.push_back(
      {"devices",
       testing::DevicesPageJson(
           devices, "https://merlot-api.centrastage.net/api/v2/account/devices?max=250&page=1",
           1000),
       250,
       {}});
  bodies.push_back(
      {"sites",
       testing::SitesPageJson(
           sites, "https://merlot-api.centrastage.net/api/v2/account/sites?max=250&page=1", 1000),
       250,
       {}});
  bodies.push_back(
      {"alerts",
       testing::AlertsPageJson(
           alerts, "https://merlot-api.centrastage.net/api/v2/account/alerts/open?max=250&page=1"),
       250,
       {}});
  // The contenders capture the bodies' text by reference: fill them once `bodies` is final.
  Body& d = bodies[0];
  d.contenders = {
      {"new", Ours(d.text, datto::DecodeDevicesPage)},
      {"new, 3 UDFs requested", Ours(d.text, datto::DecodeDevicesPage, three_udfs)},
      {"new, warranty", Ours(d.text, datto::DecodeDevicesPage, warranty)},
      {"new, warranty + 3 UDFs", Ours(d.text, datto::DecodeDevicesPage, warranty_three_udfs)},
      {"nlohmann SAX filter (old)", Ours(d.text, legacy::LegacyDecodeDevicesPage)},
      {"nlohmann::json::parse DOM", Dom(d.text, "devices")},
  };
  Body& s = bodies[1];
  s.contenders = {
      {"new", Ours(s.text, datto::DecodeSitesPage)},
      {"new, Autotask company", Ours(s.text, datto::DecodeSitesPage, autotask)},
      {"nlohmann SAX filter (old)", Ours(s.text, legacy::LegacyDecodeSitesPage)},
      {"nlohmann::json::parse DOM", Dom(s.text, "sites")},
  };
  Body& a = bodies[2];
  a.contenders = {
      {"new", Ours(a.text, datto::DecodeAlertsPage)},
      {"nlohmann SAX filter (old)", Ours(a.text, legacy::LegacyDecodeAlertsPage)},
      {"nlohmann::json::parse DOM", Dom(a.text, "alerts")},
  };

  std::printf("cpu: %s, %u logical cores; one thread; load average before: %s\n",
              CpuModel().c_str(), std::thread::hardware_concurrency(), LoadAverage().c_str());
  std::printf("thread CPU time, %d rounds of %.2f s per contender, best round kept\n\n", rounds,
              seconds);
  for (Body& body : bodies) {
    for (Contender& c : body.contenders) {
      if (c.decode_once() != body.items) {  // also the warm-up
        std::fprintf(stderr, "%s on %s: wrong item count\n", c.name.c_str(), body.name.c_str());
        return 1;
      }
    }
    for (int r = 0; r < rounds; ++r) {
      for (Contender& c : body.contenders) {
        const double t = TimeBatch(c, seconds);
        if (r == 0 || t < c.best_seconds_per_call) c.best_seconds_per_call = t;
      }
    }
    const double megabytes = static_cast<double>(body.text.size()) / 1e6;
    const double dom = body.contenders.back().best_seconds_per_call;
    std::printf("%s page: %zu items, %.3f MB\n", body.name.c_str(), body.items, megabytes);
    std::printf("  %-28s %10s %12s %8s\n", "decoder", "MB/s", "items/s", "x DOM");
    for (const Contender& c : body.contenders) {
      std::printf(
          "  %-28s %10.1f %12.0f %8.2f\n", c.name.c_str(), megabytes / c.best_seconds_per_call,
          static_cast<double>(body.items) / c.best_seconds_per_call, dom / c.best_seconds_per_call);
    }
    std::printf("\n");
  }
  std::printf("load average after: %s\n", LoadAverage().c_str());
  return 0;
}
