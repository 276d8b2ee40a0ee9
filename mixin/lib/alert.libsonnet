// Builds one alert for both targets from a single description: a Prometheus alerting rule
// (rules/*.yml) and a Grafana-managed rule (dashboards/provisioning/alerting/). The two differ
// only where the engines do: Prometheus has `$value` and can run a query from a template (the
// fleet alerts list their sites that way); Grafana has `$values.A.Value` and no query function,
// so there the list is the dashboard panel that dashboard_url opens.
{
  // Lower-case alert name: the anchor of its section in docs/runbook.md ("## DattoRmmFoo").
  anchor(name):: std.asciiLower(name),

  // 3600 -> "1h": a threshold in seconds as the rules' durations are written.
  seconds(n)::
    if n % 86400 == 0 then '%dd' % (n / 86400)
    else if n % 3600 == 0 then '%dh' % (n / 3600)
    else if n % 60 == 0 then '%dm' % (n / 60)
    else '%ds' % n,

  // "DattoRmmServersOffline" -> "servers-offline": the stable Grafana rule uid after a prefix.
  kebab(name)::
    local rest = std.substr(name, std.length('DattoRmm'), std.length(name));
    local chars = std.stringChars(rest);
    std.join('', [
      local c = chars[i];
      local lower = std.asciiLower(c);
      if c != lower && i > 0 then '-' + lower else lower
      for i in std.range(0, std.length(chars) - 1)
    ]),

  // A Grafana URL: /d/<uid> with the given variables, each a template expression that is
  // URL-encoded when the alert is rendered.
  dashboardUrl(config, dashboard, vars, panel=null)::
    local query = [
      'var-%s={{ %s | urlquery }}' % [v[0], v[1]]
      for v in vars
    ] + (if panel == null then [] else ['viewPanel=%d' % panel]);
    '%s/d/%s%s' % [
      config.grafanaUrl,
      config.dashboardUids[dashboard],
      if std.length(query) == 0 then '' else '?' + std.join('&', query),
    ],

  // Fields:
  //   name, group, expr, for (or null), severity
  //   summary        a template
  //   description    function(value) -> template; `value` is the engine's value expression
  //   dashboardUrl   a template (see dashboardUrl above)
  //   sites          optional {query: printf format of a per-site expression taking job,
  //                  instance and account, value: function(v) -> template of one site's value}
  new(config, a):: a {
    prometheus:: {
      alert: a.name,
      expr: a.expr,
      [if a['for'] != null then 'for']: a['for'],
      labels: { severity: a.severity },
      annotations: {
        summary: a.summary,
        description: a.description('$value') + (
          if std.objectHas(a, 'sites') then
            ' Sites (the %d most affected): {{ range $i, $s := printf `sort_desc(topk(%d, %s))` $labels.job $labels.instance $labels.account | query }}{{ if $i }}, {{ end }}{{ $s.Labels.site }} (%s){{ end }}.' % [
              config.sitesListed,
              config.sitesListed,
              a.sites.query,
              a.sites.value('$s.Value'),
            ]
          else ''
        ),
        runbook_url: '%s#%s' % [config.runbookUrl, $.anchor(a.name)],
        dashboard_url: a.dashboardUrl,
      },
    },

    grafana:: {
      uid: config.grafana.uidPrefix + $.kebab(a.name),
      title: a.name,
      condition: 'B',
      data: [
        {
          refId: 'A',
          relativeTimeRange: { from: 600, to: 0 },
          datasourceUid: config.grafana.datasourceUid,
          model: {
            refId: 'A',
            expr: a.expr,
            instant: true,
            range: false,
            intervalMs: 1000,
            maxDataPoints: 43200,
          },
        },
        // A Prometheus alert fires for every series its expression returns, whatever the
        // value (up == 0 returns 0): the condition is "A returned a number", as in Grafana's
        // own import of Prometheus rules.
        {
          refId: 'B',
          datasourceUid: '__expr__',
          model: {
            refId: 'B',
            type: 'math',
            expression: 'is_number($A) || is_nan($A) || is_inf($A)',
          },
        },
      ],
      // No series is no alert in Prometheus; the same here.
      noDataState: 'OK',
      execErrState: 'Error',
      'for': if a['for'] == null then '0s' else a['for'],
      labels: { severity: a.severity },
      annotations: {
        summary: a.summary,
        description: a.description('$values.A.Value') + (
          if std.objectHas(a, 'sites') then ' The sites are listed on the dashboard (dashboard_url).'
          else ''
        ),
        runbook_url: '%s#%s' % [config.runbookUrl, $.anchor(a.name)],
        dashboard_url: a.dashboardUrl,
      },
      isPaused: false,
    },
  },
}
