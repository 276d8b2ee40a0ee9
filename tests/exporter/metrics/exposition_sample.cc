// Prints a full /metrics body (the golden snapshot, self metrics with every family touched,
// process metrics) so CTest can run `promtool check metrics` on real exposition output.
#include <iostream>
#include <memory>
#include <vector>

#include "exporter/metrics/exposition.h"
#include "exporter/metrics/process_metrics.h"
#include "exporter/metrics/self_metrics.h"
#include "exporter/metrics/snapshot_collectable.h"
#include "golden_snapshot.h"
#include "prometheus/registry.h"

int main() {
  auto snapshot = std::make_shared<const drmm::Snapshot>(drmm::testing::GoldenSnapshot());
  drmm::SelfMetrics self("0.1.0", "sample");
  auto& observer = self.ObserverFor("acme");
  observer.OnRequest("/api/v2/account/devices", "200", 0.5);
  observer.OnRequest("/auth/oauth/token", "error", 31);
  observer.OnDecodeError("/api/v2/account/devices");
  observer.OnDecodeWarnings("/api/v2/account/devices", 2);
  observer.OnUnknownEnumValue("patchStatus", "PartiallyPatched");
  observer.OnThrottleWait(1.5);
  const std::vector<std::shared_ptr<prometheus::Collectable>> collectables = {
      std::make_shared<drmm::SnapshotCollectable>([snapshot] { return snapshot; }), self.registry(),
      std::make_shared<drmm::ProcessCollectable>()};
  std::cout << drmm::RenderTextFormat(collectables);
  return std::cout ? 0 : 1;
}
