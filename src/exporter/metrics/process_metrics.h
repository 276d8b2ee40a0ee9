// The standard process_* metrics (CPU, memory, file descriptors, start time) read from
// /proc/self on every scrape, as the official Prometheus clients export them.
#pragma once

#include <string>
#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace drmm {

class ProcessCollectable final : public prometheus::Collectable {
 public:
  // `proc_root` is where /proc is mounted (tests point it elsewhere).
  explicit ProcessCollectable(std::string proc_root = "/proc");

  // Families that cannot be read (no /proc, a parse failure) are left out.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::string proc_root_;
};

}  // namespace drmm
