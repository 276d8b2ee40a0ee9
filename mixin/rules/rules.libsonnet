// Recording rules for the dashboards (rules/datto-rmm-recording.yml). The alerts never read
// them, so an alert keeps working when this file is not loaded.
//
// Names follow level:metric:operation (https://prometheus.io/docs/practices/rules/): the level
// lists the labels a series keeps besides job and instance, which every rule keeps so that two
// exporters (or two Prometheus jobs) never merge and the dashboards can still filter by them.
//   account_site:...        one series per (job, instance, account, site_uid, site)
//   account:...             one series per (job, instance, account)
//   account_<label>:...     one series per account and value of <label>
// Ratios are 0..1; a site or account with nothing to divide by has no ratio series rather than NaN.
// Rules that build on another recorded series come after it in the same group: a group evaluates
// its rules in order, so they see this evaluation's value and not the previous one.
{
  local S = $._config.jobSelector,
  local site = 'job, instance, account, site_uid, site',
  local account = 'job, instance, account',

  prometheusRules+:: {
    groups+: [
      {
        name: 'datto-rmm-devices.rules',
        rules: [
          // Per site: the category and status dimensions summed away. The site tables read these
          // instead of summing every category of every site.
          {
            record: 'account_site:datto_rmm_devices:sum',
            expr: 'sum by (%s) (datto_rmm_site_devices{%s})' % [site, S],
          },
          // "or ... * 0": a site whose devices are all online (or all offline) still gets a 0
          // series, so tables show 0 and ratios are defined.
          {
            record: 'account_site:datto_rmm_devices_online:sum',
            expr: |||
              sum by (%s) (datto_rmm_site_devices{%s, status="online"})
              or account_site:datto_rmm_devices:sum{%s} * 0
            ||| % [site, S, S],
          },
          {
            record: 'account_site:datto_rmm_devices_offline:sum',
            expr: |||
              sum by (%s) (datto_rmm_site_devices{%s, status="offline"})
              or account_site:datto_rmm_devices:sum{%s} * 0
            ||| % [site, S, S],
          },
          {
            record: 'account_site:datto_rmm_devices_offline:ratio',
            expr: 'account_site:datto_rmm_devices_offline:sum{%s} / (account_site:datto_rmm_devices:sum{%s} > 0)' % [S, S],
          },
          // Per account: the long-range trend panels and the site dashboard's account-wide
          // reference line read these (a few series instead of one per site).
          {
            record: 'account:datto_rmm_devices:sum',
            expr: 'sum by (%s) (account_site:datto_rmm_devices:sum{%s})' % [account, S],
          },
          {
            record: 'account:datto_rmm_devices_online:sum',
            expr: 'sum by (%s) (account_site:datto_rmm_devices_online:sum{%s})' % [account, S],
          },
          {
            record: 'account:datto_rmm_devices_offline:sum',
            expr: 'sum by (%s) (account_site:datto_rmm_devices_offline:sum{%s})' % [account, S],
          },
          {
            record: 'account:datto_rmm_devices_offline:ratio',
            expr: 'account:datto_rmm_devices_offline:sum{%s} / (account:datto_rmm_devices:sum{%s} > 0)' % [S, S],
          },
        ],
      },
      {
        name: 'datto-rmm-patching.rules',
        rules: [
          // Devices Datto manages patches for: every patch status except not_applicable (network
          // devices, printers, devices without patch data). no_policy and no_data count as
          // managed but not compliant: an unpatched Windows machine without a policy is a gap.
          {
            record: 'account_site:datto_rmm_devices_patch_managed:sum',
            expr: 'sum by (%s) (datto_rmm_site_devices_patch_status{%s, patch_status!="not_applicable"})' % [site, S],
          },
          // Patch compliance: fully patched devices over managed devices.
          {
            record: 'account_site:datto_rmm_devices_patch_compliant:ratio',
            expr: |||
              sum by (%s) (datto_rmm_site_devices_patch_status{%s, patch_status="fully_patched"})
              / (account_site:datto_rmm_devices_patch_managed:sum{%s} > 0)
            ||| % [site, S, S],
          },
          {
            record: 'account:datto_rmm_devices_patch_compliant:ratio',
            expr: |||
              sum by (%s) (datto_rmm_site_devices_patch_status{%s, patch_status="fully_patched"})
              / (sum by (%s) (account_site:datto_rmm_devices_patch_managed:sum{%s}) > 0)
            ||| % [account, S, account, S],
          },
          // Devices by patch status per account: the overview's long-range trend (one series per
          // status instead of one per site and status).
          {
            record: 'account_patch_status:datto_rmm_devices:sum',
            expr: 'sum by (%s, patch_status) (datto_rmm_site_devices_patch_status{%s})' % [account, S],
          },
        ],
      },
      {
        name: 'datto-rmm-security.rules',
        rules: [
          // Devices whose antivirus needs attention: stale definitions, stopped, or none detected.
          {
            record: 'account_site:datto_rmm_devices_antivirus_problem:sum',
            expr: 'sum by (%s) (datto_rmm_site_devices_antivirus_status{%s, antivirus_status=~"running_and_not_up_to_date|not_running|not_detected"})' % [site, S],
          },
          // Devices by antivirus status per account: the overview's long-range trend.
          {
            record: 'account_antivirus_status:datto_rmm_devices:sum',
            expr: 'sum by (%s, antivirus_status) (datto_rmm_site_devices_antivirus_status{%s})' % [account, S],
          },
        ],
      },
      {
        name: 'datto-rmm-alerts.rules',
        rules: [
          // Open alerts per account, priority and muted state: the overview's long-range trend,
          // from the account-wide family (a few series per type) rather than the per-site one.
          {
            record: 'account_priority_muted:datto_rmm_alerts_open:sum',
            expr: 'sum by (%s, priority, muted) (datto_rmm_alerts_open{%s})' % [account, S],
          },
        ],
      },
      {
        name: 'datto-rmm-api.rules',
        rules: [
          // Share of the whole Datto account's read limit used in the current window (every
          // user, script and integration of the account). Datto slows responses above 0.9.
          {
            record: 'account:datto_rmm_api_account_requests_per_limit:ratio',
            expr: 'datto_rmm_api_account_requests_in_window{%s} / (datto_rmm_api_account_rate_limit{%s} > 0)' % [S, S],
          },
          // Share of this exporter's own budget (rate_limit.requests_per_minute) in the window.
          {
            record: 'account:datto_rmm_api_requests_per_budget:ratio',
            expr: 'datto_rmm_api_requests_in_window{%s} / (datto_rmm_api_budget_requests_per_minute{%s} > 0)' % [S, S],
          },
        ],
      },
    ],
  },
}
