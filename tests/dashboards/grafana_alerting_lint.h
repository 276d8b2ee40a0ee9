// Checks the Grafana-managed alert rules provisioning file
// (dashboards/provisioning/alerting/datto-rmm-alerts.yaml) against Grafana's file provisioning
// format and against the Prometheus alerts it is generated with: apiVersion 1; every rule with a
// stable uid ("drmm-" + the alert name in kebab case, unique, at most 40 characters), a title that
// is an alert of the Prometheus rules, a `condition` that names one of its queries, its Prometheus
// queries on the provisioned data source, the same expression, `for` and severity as the
// Prometheus alert, and runbook_url and dashboard_url annotations; and every Prometheus alert
// present. The e2e test runs each query against a real Prometheus.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace drmm::lint {

// "DattoRmmServersOffline" -> "drmm-servers-offline": the uid a rule must keep forever (links,
// silences and notification history in Grafana refer to it).
std::string GrafanaRuleUid(const std::string& alert_name);

// `prometheus_alerts` is rules/datto-rmm-alerts.yml; `datasource_uid` the uid of the data source
// that dashboards/provisioning/datasources/prometheus.yml provisions.
std::vector<std::string> LintGrafanaAlerting(const YAML::Node& file,
                                             const YAML::Node& prometheus_alerts,
                                             const std::string& datasource_uid);

}  // namespace drmm::lint
