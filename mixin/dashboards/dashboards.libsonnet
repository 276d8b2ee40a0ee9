// The dashboards are kept as Grafana JSON in dashboards/ (edited in Grafana and exported, see
// docs/dashboards.md); the mixin hands them on unchanged.
{
  grafanaDashboards+:: {
    'datto-rmm-overview.json': import '../../dashboards/datto-rmm-overview.json',
    'datto-rmm-site.json': import '../../dashboards/datto-rmm-site.json',
    'datto-rmm-exporter.json': import '../../dashboards/datto-rmm-exporter.json',
  },
}
