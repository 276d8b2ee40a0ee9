// Checks the Prometheus rule files and their promtool tests beyond what promtool checks: naming
// (DattoRmm... alerts, level:metric:operation records), severity, a `for` where an alert can
// flap, annotations (runbook_url to the alert's docs/runbook.md anchor, dashboard_url to one of
// the dashboards), series and label values against the catalog, alerts that count only unmuted
// Datto alerts and do not depend on recording rules, and a firing and a non-firing test case for
// every alert and a test for every recording rule.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "series_catalog.h"

namespace drmm::lint {

// Checks the recording rules file and registers its series in `catalog`.
std::vector<std::string> LintRecordingRules(const YAML::Node& file, SeriesCatalog& catalog);

// Checks the alerting rules file. `catalog` holds the recorded series, which alerts must not use.
std::vector<std::string> LintAlertRules(const YAML::Node& file, const SeriesCatalog& catalog);

// Checks the promtool test files against the rule files; `alert_rules` holds the alerting rules
// of both alert files (default and per-site) as one file would.
std::vector<std::string> LintRuleTests(const std::vector<YAML::Node>& test_files,
                                       const YAML::Node& alert_rules,
                                       const YAML::Node& recording_rules,
                                       const SeriesCatalog& catalog);

}  // namespace drmm::lint
