// The alerts: the exporter and the Datto API (one alert per instance or account), the fleet
// (one alert per account, counting and naming the affected sites), and the optional per-site
// alerts (one per site; `perSiteAlerts`). Each is built once by lib/alert.libsonnet and
// rendered both as a Prometheus rule and as a Grafana-managed rule.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local S = c.jobSelector,
  local site = 'job, instance, account, site_uid, site',
  local account = 'job, instance, account',
  local new(a) = alert.new(c, a),

  local exporterUrl(vars) = alert.dashboardUrl(c, 'exporter', vars),
  local accountVars = [
    ['job', '$labels.job'],
    ['instance', '$labels.instance'],
    ['account', '$labels.account'],
  ],
  local overviewUrl(panel) = alert.dashboardUrl(c, 'overview', accountVars, c.overviewPanels[panel]),
  local siteUrl = alert.dashboardUrl(c, 'site', accountVars + [['site_uid', '$labels.site_uid']]),

  // A fleet alert: `inner(sel)` is the per-site condition (one series per site that has it),
  // counted per account. The description lists the sites through the same expression.
  local fleet(name, key, inner, summary, description, siteValue) = new({
    name: name,
    group: 'datto-rmm-fleet',
    expr: 'count by (%s) (\n  %s\n) >= %d' % [account, std.strReplace(inner(S), '\n', '\n  '), c[key].minSites],
    'for': c[key]['for'],
    severity: c[key].severity,
    summary: summary,
    description: description,
    dashboardUrl: overviewUrl(key),
    sites: {
      query: std.strReplace(
        inner(S + ', job=%[1]q, instance=%[2]q, account=%[3]q'), '\n', ' '
      ),
      value: siteValue,
    },
  }),

  // The per-site conditions, shared by the fleet alerts, the per-site alerts and the overview's
  // "Needs attention" panels (docs/dashboards.md).
  siteConditions:: {
    serversOffline(sel, window=c.serversOffline.window)::
      'sum by (%s) (min_over_time(datto_rmm_site_devices{%s, category=~"%s", status="offline"}[%s])) > 0'
      % [site, sel, c.serversOffline.categories, window],
    criticalAlertsOpen(sel)::
      'time() - min by (%s) (datto_rmm_site_oldest_open_alert_timestamp_seconds{%s, priority=~"%s", muted="false"}) > %d'
      % [site, sel, c.criticalAlertsOpen.priorities, c.criticalAlertsOpen.ageSeconds],
    antivirusProblems(sel, window=c.antivirusProblems.window)::
      'sum by (%s) (min_over_time(datto_rmm_site_devices_antivirus_status{%s, antivirus_status=~"%s"}[%s])) > 0'
      % [site, sel, c.antivirusProblems.statuses, window],
    patchInstallErrors(sel, window=c.patchInstallErrors.window)::
      'sum by (%s) (min_over_time(datto_rmm_site_devices_patch_status{%s, patch_status="install_error"}[%s])) > 0'
      % [site, sel, window],
    rebootRequired(sel, window=c.rebootRequired.window)::
      'sum by (%s) (min_over_time(datto_rmm_site_devices_reboot_required{%s}[%s])) > 0'
      % [site, sel, window],
    // The fewest devices offline over the window against the most devices of each category and
    staleAgents(sel, window=c.staleAgents.window)::
      'sum by (%s) (min_over_time(datto_rmm_site_devices_not_seen{%s, older_than="%s"}[%s])) > 0'
      % [site, sel, c.staleAgents.olderThan, window],
    // status: above the ratio only if the site was mostly offline throughout.
    sitesMostlyOffline(sel, window=c.sitesMostlyOffline.window)::
      |||
        (
          sum by (%(site)s) (min_over_time(datto_rmm_site_devices{%(sel)s, status="offline"}[%(window)s]))
          /
          sum by (%(site)s) (max_over_time(datto_rmm_site_devices{%(sel)s}[%(window)s]))
        ) > %(ratio)s
        and on (job, instance, account, site_uid)
        sum by (job, instance, account, site_uid) (datto_rmm_site_devices{%(sel)s}) >= %(devices)d
      ||| % {
        site: site,
        sel: sel,
        window: window,
        ratio: c.sitesMostlyOffline.ratio,
        devices: c.sitesMostlyOffline.minDevices,
      },
  },
  local cond = self.siteConditions,

  alertList:: {
    exporter: [
      new({
        name: 'DattoRmmExporterDown',
        group: 'datto-rmm-exporter',
        expr: 'up{%s} == 0' % S,
        'for': c.exporterDown['for'],
        severity: c.exporterDown.severity,
        summary: 'Datto RMM exporter {{ $labels.instance }} is down.',
        description(v): 'Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for %s (up = {{ %s }}). No Datto RMM data from it is current and no fleet alert from it can fire.' % [c.exporterDown['for'], v],
        dashboardUrl: exporterUrl([['job', '$labels.job'], ['instance', '$labels.instance']]),
      }),
      new({
        name: 'DattoRmmExporterMissing',
        group: 'datto-rmm-exporter',
        expr: 'absent(up{%s})' % S,
        'for': c.exporterMissing['for'],
        severity: c.exporterMissing.severity,
        summary: 'No Datto RMM exporter target is being scraped.',
        description(v): 'Prometheus has had no scrape target matching {%s} for %s (absent = {{ %s }}), so none of the other Datto RMM alerts can fire.' % [S, c.exporterMissing['for'], v],
        dashboardUrl: exporterUrl([]),
      }),
      new({
        name: 'DattoRmmAccountDown',
        group: 'datto-rmm-exporter',
        expr: 'datto_rmm_up{%s} == 0' % S,
        'for': c.accountDown['for'],
        severity: c.accountDown.severity,
        summary: 'The exporter cannot get data from Datto RMM for account {{ $labels.account }}.',
        description(v): 'Requests to the Datto RMM API for account {{ $labels.account }} on {{ $labels.instance }} have failed for %s (datto_rmm_up = {{ %s }}). The last good data is served until max_staleness, then it disappears and the fleet alerts of the account go silent.' % [c.accountDown['for'], v],
        dashboardUrl: exporterUrl(accountVars),
      }),
      new({
        name: 'DattoRmmCollectorFailing',
        group: 'datto-rmm-exporter',
        expr: 'datto_rmm_collector_success{%s} == 0' % S,
        'for': c.collectorFailing['for'],
        severity: c.collectorFailing.severity,
        summary: 'The {{ $labels.collector }} collector fails for account {{ $labels.account }}.',
        description(v): 'The {{ $labels.collector }} collector of account {{ $labels.account }} on {{ $labels.instance }} has not succeeded for %s (datto_rmm_collector_success = {{ %s }}).' % [c.collectorFailing['for'], v],
        dashboardUrl: exporterUrl(accountVars),
      }),
      new({
        name: 'DattoRmmCollectorStuck',
        group: 'datto-rmm-exporter',
        // 0 while the collector waits for its next run: only a run in progress has an age.
        expr: 'time() - (datto_rmm_collector_running_since_timestamp_seconds{%s} > 0) > %d' % [S, c.collectorStuck.seconds],
        'for': c.collectorStuck['for'],
        severity: c.collectorStuck.severity,
        summary: 'The {{ $labels.collector }} collector of account {{ $labels.account }} is stuck in a run.',
        description(v): 'A {{ $labels.collector }} run of account {{ $labels.account }} on {{ $labels.instance }} started {{ %s | humanizeDuration }} ago and has not ended, past every request and walk deadline. Its last good data ages meanwhile and datto_rmm_collector_success still shows the previous run.' % v,
        dashboardUrl: exporterUrl(accountVars),
      }),
      new({
        name: 'DattoRmmDataStale',
        group: 'datto-rmm-exporter',
        expr: 'time() - datto_rmm_collector_last_success_timestamp_seconds{%s, collector=~"%s"} > %d' % [S, c.dataStale.collectors, c.dataStale.seconds],
        // No `for`: the age only grows until the next success, so it cannot flap.
        'for': null,
        severity: c.dataStale.severity,
        summary: 'Datto RMM {{ $labels.collector }} data of account {{ $labels.account }} is stale.',
        description(v): 'The last successful {{ $labels.collector }} poll of account {{ $labels.account }} on {{ $labels.instance }} was {{ %s | humanizeDuration }} ago. From max_staleness (15m by default) its series are dropped and the fleet alerts that use them resolve without the problem being fixed.' % v,
        dashboardUrl: exporterUrl(accountVars),
      }),
      new({
        name: 'DattoRmmDecodeErrors',
        group: 'datto-rmm-exporter',
        expr: 'increase(datto_rmm_decode_errors_total{%s}[%s]) > 0' % [S, c.decodeErrors.window],
        'for': c.decodeErrors['for'],
        severity: c.decodeErrors.severity,
        summary: 'Datto RMM API answers for account {{ $labels.account }} keep failing to decode.',
        description(v): 'Responses from {{ $labels.endpoint }} for account {{ $labels.account }} on {{ $labels.instance }} have failed to decode for %s ({{ %s | humanize }} in the last %s). Datto may have changed the API; the affected data is missing or stale.' % [c.decodeErrors['for'], v, c.decodeErrors.window],
        dashboardUrl: exporterUrl(accountVars),
      }),
    ],

    api: [
      new({
        name: 'DattoRmmAccountRateLimitNear',
        group: 'datto-rmm-api',
        expr: 'datto_rmm_api_account_requests_in_window{%s} / (datto_rmm_api_account_rate_limit{%s} > 0) > %s' % [S, S, c.accountRateLimitNear.ratio],
        'for': c.accountRateLimitNear['for'],
        severity: c.accountRateLimitNear.severity,
        summary: 'Datto account {{ $labels.account }} is near its API rate limit.',
        description(v): 'The Datto account {{ $labels.account }} (all users, scripts and integrations, not only this exporter) has used {{ %s | humanizePercentage }} of its API read limit for %s. Above 90%% Datto slows every response down; at 100%% it answers 429 and then blocks the IP.' % [v, c.accountRateLimitNear['for']],
        dashboardUrl: exporterUrl(accountVars),
      }),
      new({
        name: 'DattoRmmPollBudgetExceeded',
        group: 'datto-rmm-api',
        expr: 'datto_rmm_poll_budget_utilization_ratio{%s} > %s' % [S, c.pollBudgetExceeded.ratio],
        'for': c.pollBudgetExceeded['for'],
        severity: c.pollBudgetExceeded.severity,
        summary: "The exporter's polls for account {{ $labels.account }} do not fit its request budget.",
        description(v): 'The configured collectors of account {{ $labels.account }} on {{ $labels.instance }} need {{ %s | humanizePercentage }} of the request budget (more than the 90%% the schedule may fill), so their intervals are being stretched and the data is older than configured.' % v,
        dashboardUrl: exporterUrl(accountVars),
      }),
      new({
        name: 'DattoRmmRateLimited',
        group: 'datto-rmm-api',
        expr: 'increase(datto_rmm_api_rate_limited_total{%s}[%s]) > 0' % [S, c.rateLimited.window],
        'for': c.rateLimited['for'],
        severity: c.rateLimited.severity,
        summary: 'Datto RMM keeps answering 429 (rate limited) to account {{ $labels.account }}.',
        description(v): 'Requests for account {{ $labels.account }} from {{ $labels.instance }} have been rate limited (HTTP 429) for %s ({{ %s | humanize }} in the last %s). More of them lead to a temporary IP block.' % [c.rateLimited['for'], v, c.rateLimited.window],
        dashboardUrl: exporterUrl(accountVars),
      }),
      new({
        name: 'DattoRmmApiBlocked',
        group: 'datto-rmm-api',
        expr: 'datto_rmm_api_blocked{%s} > 0' % S,
        'for': c.apiBlocked['for'],
        severity: c.apiBlocked.severity,
        summary: 'Datto RMM has blocked API access for account {{ $labels.account }}.',
        description(v): 'Datto RMM is blocking API requests for account {{ $labels.account }} from {{ $labels.instance }} (datto_rmm_api_blocked = {{ %s }}). The block applies to the source IP, so other integrations behind the same address fail too.' % v,
        dashboardUrl: exporterUrl(accountVars),
      }),
      new({
        name: 'DattoRmmAuthTokenExpiring',
        group: 'datto-rmm-api',
        expr: 'datto_rmm_auth_token_expiry_timestamp_seconds{%s} - time() < %d' % [S, c.authTokenExpiring.seconds],
        'for': c.authTokenExpiring['for'],
        severity: c.authTokenExpiring.severity,
        summary: 'The Datto RMM API token of account {{ $labels.account }} is not being renewed.',
        description(v): 'The API token of account {{ $labels.account }} on {{ $labels.instance }} has had less than %s left for %s (now {{ %s | humanizeDuration }}; negative means expired). The exporter renews tokens 5 minutes before expiry, so renewal is failing.' % [alert.seconds(c.authTokenExpiring.seconds), c.authTokenExpiring['for'], v],
        dashboardUrl: exporterUrl(accountVars),
      }),
    ],

    fleet: [
      fleet(
        'DattoRmmServersOffline',
        'serversOffline',
        cond.serversOffline,
        'Servers are offline at sites of account {{ $labels.account }}.',
        function(v) '{{ %s }} site(s) of account {{ $labels.account }} have had at least one device of category %s offline for %s.' % [v, c.serversOffline.categories, c.serversOffline.window],
        function(v) '{{ %s }} offline' % v,
      ),
      fleet(
        'DattoRmmCriticalAlertsOpen',
        'criticalAlertsOpen',
        cond.criticalAlertsOpen,
        'Unmuted %s Datto RMM alerts are open for too long at sites of account {{ $labels.account }}.' % c.criticalAlertsOpen.priorities,
        function(v) '{{ %s }} site(s) of account {{ $labels.account }} have an unmuted Datto RMM alert of priority %s open for more than %s.' % [v, c.criticalAlertsOpen.priorities, alert.seconds(c.criticalAlertsOpen.ageSeconds)],
        function(v) 'oldest {{ %s | humanizeDuration }}' % v,
      ),
      fleet(
        'DattoRmmAntivirusProblems',
        'antivirusProblems',
        cond.antivirusProblems,
        'Devices without working antivirus at sites of account {{ $labels.account }}.',
        function(v) '{{ %s }} site(s) of account {{ $labels.account }} have had devices whose antivirus is %s for %s.' % [v, std.strReplace(c.antivirusProblems.statuses, '|', ' or '), c.antivirusProblems.window],
        function(v) '{{ %s }} device(s)' % v,
      ),
      fleet(
        'DattoRmmPatchInstallErrors',
        'patchInstallErrors',
        cond.patchInstallErrors,
        'Patch installs fail at sites of account {{ $labels.account }}.',
        function(v) '{{ %s }} site(s) of account {{ $labels.account }} have had devices reporting a patch install error for %s.' % [v, c.patchInstallErrors.window],
        function(v) '{{ %s }} device(s)' % v,
      ),
      fleet(
        'DattoRmmRebootRequiredTooLong',
        'rebootRequired',
        cond.rebootRequired,
        'Devices have needed a reboot for %s at sites of account {{ $labels.account }}.' % c.rebootRequired.window,
        function(v) '{{ %s }} site(s) of account {{ $labels.account }} have had devices needing a reboot for %s; their patches are not active until they reboot.' % [v, c.rebootRequired.window],
        function(v) '{{ %s }} device(s)' % v,
      ),
      fleet(
        'DattoRmmSitesMostlyOffline',
        'sitesMostlyOffline',
        cond.sitesMostlyOffline,
        'Most devices are offline at sites of account {{ $labels.account }}.',
        function(v) '{{ %s }} site(s) of account {{ $labels.account }} with %d or more devices have had more than %s of them offline for %s.' % [v, c.sitesMostlyOffline.minDevices, std.toString(c.sitesMostlyOffline.ratio * 100) + '%', c.sitesMostlyOffline.window],
        function(v) '{{ %s | humanizePercentage }} offline' % v,
      ),
      fleet(
        'DattoRmmStaleAgents',
        'staleAgents',
        cond.staleAgents,
        'Devices have not been seen for %s at sites of account {{ $labels.account }}.' % c.staleAgents.olderThan,
        function(v) '{{ %s }} site(s) of account {{ $labels.account }} have devices that Datto RMM has not seen for more than %s: dead agents, machines that left, or licences paid for nothing.' % [v, c.staleAgents.olderThan],
        function(v) '{{ %s }} device(s)' % v,
      ),
    ],

    // One alert per site; the same conditions with the window as `for`.
    sites: [
      new({
        name: 'DattoRmmSiteServersOffline',
        group: 'datto-rmm-sites',
        expr: 'sum by (%s) (datto_rmm_site_devices{%s, category=~"%s", status="offline"}) > 0' % [site, S, c.serversOffline.categories],
        'for': c.serversOffline.window,
        severity: c.serversOffline.severity,
        summary: 'Servers are offline at site {{ $labels.site }}.',
        description(v): '{{ %s }} device(s) of category %s at site {{ $labels.site }} (account {{ $labels.account }}) have been offline for %s.' % [v, c.serversOffline.categories, c.serversOffline.window],
        dashboardUrl: siteUrl,
      }),
      new({
        name: 'DattoRmmSiteCriticalAlertsOpen',
        group: 'datto-rmm-sites',
        expr: cond.criticalAlertsOpen(S),
        'for': c.criticalAlertsOpen['for'],
        severity: c.criticalAlertsOpen.severity,
        summary: 'Site {{ $labels.site }} has had an unmuted %s Datto RMM alert open for too long.' % c.criticalAlertsOpen.priorities,
        description(v): 'The oldest unmuted %s alert at site {{ $labels.site }} (account {{ $labels.account }}) was raised {{ %s | humanizeDuration }} ago.' % [c.criticalAlertsOpen.priorities, v],
        dashboardUrl: siteUrl,
      }),
      new({
        name: 'DattoRmmSiteAntivirusProblems',
        group: 'datto-rmm-sites',
        expr: 'sum by (%s) (datto_rmm_site_devices_antivirus_status{%s, antivirus_status=~"%s"}) > 0' % [site, S, c.antivirusProblems.statuses],
        'for': c.antivirusProblems.window,
        severity: c.antivirusProblems.severity,
        summary: 'Devices without working antivirus at site {{ $labels.site }}.',
        description(v): '{{ %s }} device(s) at site {{ $labels.site }} (account {{ $labels.account }}) have reported their antivirus as %s for %s.' % [v, std.strReplace(c.antivirusProblems.statuses, '|', ' or '), c.antivirusProblems.window],
        dashboardUrl: siteUrl,
      }),
      new({
        name: 'DattoRmmSitePatchInstallErrors',
        group: 'datto-rmm-sites',
        expr: 'sum by (%s) (datto_rmm_site_devices_patch_status{%s, patch_status="install_error"}) > 0' % [site, S],
        'for': c.patchInstallErrors.window,
        severity: c.patchInstallErrors.severity,
        summary: 'Patch installs fail at site {{ $labels.site }}.',
        description(v): '{{ %s }} device(s) at site {{ $labels.site }} (account {{ $labels.account }}) have reported a patch install error for %s.' % [v, c.patchInstallErrors.window],
        dashboardUrl: siteUrl,
      }),
      new({
        name: 'DattoRmmSiteRebootRequiredTooLong',
        group: 'datto-rmm-sites',
        expr: 'sum by (%s) (datto_rmm_site_devices_reboot_required{%s}) > 0' % [site, S],
        'for': c.rebootRequired.window,
        severity: c.rebootRequired.severity,
        summary: 'Devices at site {{ $labels.site }} have needed a reboot for %s.' % c.rebootRequired.window,
        description(v): '{{ %s }} device(s) at site {{ $labels.site }} (account {{ $labels.account }}) have needed a reboot for %s; their patches are not active until they reboot.' % [v, c.rebootRequired.window],
        dashboardUrl: siteUrl,
      }),
      new({
        name: 'DattoRmmSiteDevicesOfflineHigh',
        group: 'datto-rmm-sites',
        expr: |||
          (
            sum by (%(site)s) (datto_rmm_site_devices{%(sel)s, status="offline"})
            /
            sum by (%(site)s) (datto_rmm_site_devices{%(sel)s})
          ) > %(ratio)s
          and on (job, instance, account, site_uid)
          sum by (job, instance, account, site_uid) (datto_rmm_site_devices{%(sel)s}) >= %(devices)d
        ||| % { site: site, sel: S, ratio: c.sitesMostlyOffline.ratio, devices: c.sitesMostlyOffline.minDevices },
        'for': c.sitesMostlyOffline.window,
        severity: c.sitesMostlyOffline.severity,
        summary: 'Most devices at site {{ $labels.site }} are offline.',
        description(v): '{{ %s | humanizePercentage }} of the devices at site {{ $labels.site }} (account {{ $labels.account }}) have been offline for %s.' % [v, c.sitesMostlyOffline.window],
        dashboardUrl: siteUrl,
      }),
      new({
        name: 'DattoRmmSiteStaleAgents',
        group: 'datto-rmm-sites',
        expr: 'sum by (%s) (datto_rmm_site_devices_not_seen{%s, older_than="%s"}) > 0' % [site, S, c.staleAgents.olderThan],
        'for': c.staleAgents.window,
        severity: c.staleAgents.severity,
        summary: 'Devices at site {{ $labels.site }} have not been seen for %s.' % c.staleAgents.olderThan,
        description(v): '{{ %s }} device(s) at site {{ $labels.site }} (account {{ $labels.account }}) have not been seen by Datto RMM for more than %s.' % [v, c.staleAgents.olderThan],
        dashboardUrl: siteUrl,
      }),
    ],
  },

  local groups(lists, target) = [
    {
      name: lists[0].group,
      rules: [a[target] for a in lists],
    },
  ],
  local defaultLists = [self.alertList.exporter, self.alertList.api, self.alertList.fleet]
                       + (if c.perSiteAlerts then [self.alertList.sites] else []),

  prometheusAlerts+:: {
    groups+: std.flattenArrays([groups(l, 'prometheus') for l in defaultLists]),
  },

  // The per-site alerts alone, for rules/optional/datto-rmm-site-alerts.yml.
  prometheusSiteAlerts:: {
    groups: groups($.alertList.sites, 'prometheus'),
  },

  grafanaAlerting:: {
    apiVersion: 1,
    groups: [
      {
        orgId: 1,
        name: l[0].group,
        folder: c.grafana.folder,
        interval: c.grafana.interval,
        rules: [a.grafana for a in l],
      }
      for l in defaultLists
    ],
  },
}
