// Prints a full /metrics body as the exporter serves it (the golden snapshot through the
// exposition cache, self metrics with every family touched, process metrics) so CTest can run
// `promtool check metrics` on real exposition output.
#include <iostream>
#include <memory>
#include <vector>

#include "common/clock.h"
#include "exporter/metrics/exposition.h"
#include "exporter/metrics/exposition_cache.h"
#include "exporter/metrics/process_metrics.h"
#include "exporter/metrics/self_metrics.h"
#include "golden_snapshot.h"
#include "prometheus/registry.h"

int main() {
  const drmm::Snapshot snapshot = drmm::testing::GoldenSnapshot();
  drmm::SelfMetrics self("0.1.0", "sample");
  auto& observer = self.ObserverFor("acme");
  observer.OnRequest("/api/v2/account/devices", "200", 0.5);
  observer.OnRequest("/auth/oauth/token", "error", 31);
  observer.OnDecodeError("/api/v2/account/devices");
  observer.OnDecodeWarnings("/api/v2/account/devices", 2);
  observer.OnUnknownEnumValue("patchStatus", "PartiallyPatched");
  observer.OnThrottleWait(1.5);
  const std::vector<std::shared_ptr<prometheus::Collectable>> per_scrape = {
      self.registry(), std::make_shared<drmm::ProcessCollectable>()};
  drmm::ExpositionCache cache({6, [&] { return drmm::RenderTextFormat(per_scrape); }},
                              drmm::SystemClock());
  std::vector<drmm::ExpositionCache::AccountSource> sources;
  for (const auto& account : snapshot.accounts) {
    sources.push_back({account.account, [account] { return account; }, {}});
  }
  cache.SetAccounts(std::move(sources));
  std::cout << cache.Scrape(false).body.Flatten();
  return std::cout ? 0 : 1;
}
