// Prints how fast a page of 250 realistic devices (~5 KB each, udf1..udf300 mostly null) is
// decoded, next to a full nlohmann DOM parse of the same text for comparison. A measurement, not
// a test: it asserts nothing about time. Usage: datto_decode_bench [iterations]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api_fixtures.h"
#include "datto/decode.h"

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 200;
  std::vector<std::string> devices;
  for (int i = 0; i < 250; ++i) devices.push_back(drmm::testing::DeviceJson(i));
  const std::string body = drmm::testing::DevicesPageJson(
      devices, "https://merlot-api.centrastage.net/api/v2/account/devices?max=250&page=1");
  const double megabytes = static_cast<double>(body.size()) / 1e6;

  auto measure = [&](const char* name, auto&& decode_once) {
    decode_once();  // warm-up
    const auto start = std::chrono::steady_clock::now();
    std::size_t items = 0;
    for (int i = 0; i < iterations; ++i) items += decode_once();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%-28s %8.1f MB/s  %8.0f devices/s  (%zu items)\n", name,
                megabytes * iterations / seconds, 250.0 * iterations / seconds, items);
  };

  std::printf("page: 250 devices, %.2f MB, %d iterations\n", megabytes, iterations);
  measure("DecodeDevicesPage", [&] {
    drmm::datto::DecodeContext context;
    auto page = drmm::datto::DecodeDevicesPage(body, context);
    if (!page.ok()) std::abort();
    return page->items.size();
  });
  measure("nlohmann::json::parse (DOM)", [&] {
    const auto dom = nlohmann::json::parse(body);
    return dom["devices"].size();
  });
  return 0;
}
