// The Datto RMM monitoring mixin (the monitoring-mixins layout): `_config`, `prometheusAlerts`,
// `prometheusRules` and `grafanaDashboards`, plus `grafanaAlerting` (the same alerts as a
// Grafana-managed rules provisioning file) and `prometheusSiteAlerts` (the optional per-site
// alerts). scripts/generate-mixin.sh renders it into rules/ and dashboards/provisioning/alerting/.
(import 'config.libsonnet')
+ (import 'alerts/alerts.libsonnet')
+ (import 'rules/rules.libsonnet')
+ (import 'dashboards/dashboards.libsonnet')
