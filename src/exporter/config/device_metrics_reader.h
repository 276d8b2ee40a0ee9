// The device_metrics block of an account or of defaults: per-device series, stale-agent ages,
// the warranty horizon and UDF labels. Internal to drmm_config (the loader's part that knows
// datto_rmm_device_info's labels).
#pragma once

#include <optional>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/config/config_error.h"
#include "exporter/config/yaml_reader.h"

namespace drmm {

// Reads `field` into `out`, recording errors. udf_site_counts is returned as written: which UDF
// labels it may name is only known once the account's own and the defaults' blocks are merged.
void ReadDeviceMetricsConfig(const YamlField& field, DeviceMetricsConfig& out,
                             std::optional<std::vector<ConfigText>>& udf_site_counts,
                             ConfigErrorList& errors);

// Marks the UDF labels that udf_site_counts `names`; each must be a label of `labels`.
void ResolveUdfSiteCounts(const std::vector<ConfigText>& names, std::vector<UdfLabelConfig>& labels,
                          ConfigErrorList& errors);

}  // namespace drmm
