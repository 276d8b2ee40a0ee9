// Renders the /metrics body in the Prometheus text format 0.0.4 from several collectables (the
// snapshot, the exporter's own registry, the process metrics). prometheus-cpp neither merges
// families of the same name across collectables nor orders a registry's series, so this does.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace drmm {

// The content type of RenderTextFormat's output.
inline constexpr const char* kTextFormatContentType = "text/plain; version=0.0.4; charset=utf-8";

// Families in the order they first appear (collectables in the given order, each in its own
// order); a family name met again adds its series to the first one (of the same type; a
// family whose type disagrees is dropped); a series whose labels are already there is dropped;
// series sorted by labels; families without series left out.
std::vector<prometheus::MetricFamily> MergeFamilies(
    std::vector<std::vector<prometheus::MetricFamily>> collected);

// Collects each collectable (null ones are skipped), merges, and serializes with prometheus-cpp's
// TextSerializer.
std::string RenderTextFormat(
    const std::vector<std::shared_ptr<prometheus::Collectable>>& collectables);

}  // namespace drmm
