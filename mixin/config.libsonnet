// The settings of the Datto RMM mixin: the scrape job, links, and every threshold, `for` and
// severity of the alerts. Override them in your own file (see mixin/README.md):
//   (import 'mixin.libsonnet') + { _config+:: { jobSelector: 'job="my-job"' } }
// Severity: critical pages someone (the fleet cannot be seen, or customers' servers are down);
// warning is a ticket or a chat message for working hours; info is a daily digest.
{
  _config+:: {
    // In every selector of every rule. Matches exactly the job of the shipped examples
    // (deploy/compose, deploy/kubernetes); a regex also matches other Datto products' exporters.
    jobSelector: 'job="datto-rmm"',

    // One alert per site and condition, next to the per-account fleet alerts. Off by default:
    // on a 2,000-site account they are a thousand pages. The generator writes them to
    // rules/optional/datto-rmm-site-alerts.yml either way, for those who load that file.
    perSiteAlerts: false,

    // Where annotations point: runbook_url = runbookUrl + '#' + lower-case alert name;
    // dashboard_url = grafanaUrl + '/d/' + a dashboard uid + the alert's labels as variables.
    runbookUrl: 'https://github.com/datto-rmm-exporter/datto-rmm-exporter/blob/main/docs/runbook.md',
    grafanaUrl: 'http://localhost:3000',
    dashboardUids: {
      overview: 'datto-rmm-overview',
      site: 'datto-rmm-site',
      exporter: 'datto-rmm-exporter',
    },
    // Panel ids of the overview's "Needs attention" row, one per fleet alert (dashboard_url
    // opens the panel alone, filtered to the alert's account).
    overviewPanels: {
      serversOffline: 31,
      criticalAlertsOpen: 32,
      antivirusProblems: 33,
      patchInstallErrors: 34,
      rebootRequired: 35,
      sitesMostlyOffline: 36,
      staleAgents: 37,
    },

    // Fleet alerts name at most this many sites in their description (the most affected first).
    sitesListed: 10,

    // Grafana-managed rules (dashboards/provisioning/alerting/datto-rmm-alerts.yaml).
    grafana: {
      datasourceUid: 'prometheus',  // dashboards/provisioning/datasources/prometheus.yml
      folder: 'Datto RMM',
      interval: '1m',
      uidPrefix: 'drmm-',
    },

    // The exporter and the Datto API.
    exporterDown: { 'for': '5m', severity: 'critical' },
    exporterMissing: { 'for': '15m', severity: 'critical' },
    accountDown: { 'for': '10m', severity: 'critical' },
    collectorFailing: { 'for': '15m', severity: 'warning' },
    // A run in progress for longer than `seconds` (the default timeouts.walk, max_staleness's
    // 15m) and still for `for`: past its walk deadline, a run is hung where no deadline reaches.
    collectorStuck: { seconds: 900, 'for': '5m', severity: 'warning' },
    // The exporter's max_staleness (15m): from then on a failing collector's series are dropped.
    dataStale: { seconds: 900, collectors: 'sites|devices|alerts', severity: 'critical' },
    // Decode errors in every `window` for `for`: one bad answer is retried and forgotten.
    decodeErrors: { window: '15m', 'for': '30m', severity: 'warning' },
    accountRateLimitNear: { ratio: 0.8, 'for': '10m', severity: 'warning' },
    // The exporter schedules up to 90% of its budget; above that it stretches intervals.
    pollBudgetExceeded: { ratio: 0.9, 'for': '30m', severity: 'warning' },
    // 429s in every `window` for `for`: the exporter waits out a single one by itself.
    rateLimited: { window: '10m', 'for': '15m', severity: 'warning' },
    apiBlocked: { 'for': '1m', severity: 'critical' },
    // The exporter renews 5 minutes before expiry, so under 2 minutes means renewal fails.
    authTokenExpiring: { seconds: 120, 'for': '10m', severity: 'warning' },

    // The fleet, per account: `window` is how long a site must have had the condition to count,
    // `minSites` how many sites it takes to alert, `for` how long the count must hold.
    serversOffline: {
      categories: 'Server',  // a regex of Datto device categories, e.g. 'Server|ESXi Host'
      window: '15m',
      minSites: 1,
      'for': '5m',
      severity: 'critical',
    },
    criticalAlertsOpen: {
      priorities: 'critical',  // a regex of alert priorities
      ageSeconds: 3600,  // unmuted alerts open longer than this
      minSites: 1,
      'for': '5m',
      severity: 'warning',
    },
    antivirusProblems: {
      statuses: 'not_running|not_detected',
      window: '1h',
      minSites: 1,
      'for': '15m',
      severity: 'warning',
    },
    patchInstallErrors: { window: '24h', minSites: 1, 'for': '15m', severity: 'warning' },
    rebootRequired: { window: '3d', minSites: 1, 'for': '1h', severity: 'info' },
    // Dead agents: devices not seen for longer than `olderThan` (one of the exporter's
    // device_metrics.stale_after ages, 30d by default) throughout `window`. Info: a licence paid
    // for nothing or a machine that left is a review item, not an outage.
    staleAgents: {
      olderThan: '30d',
      window: '1h',
      minSites: 1,
      'for': '1h',
      severity: 'info',
    },
    // Site-wide outages: more than `ratio` of a site's devices offline throughout `window`, at
    // sites with at least `minDevices` devices.
    sitesMostlyOffline: {
      ratio: 0.5,
      minDevices: 10,
      window: '1h',
      minSites: 1,
      'for': '15m',
      severity: 'info',
    },
  },
}
