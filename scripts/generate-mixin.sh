#!/usr/bin/env bash
# Renders the monitoring mixin (mixin/) into the files Prometheus and Grafana load:
#   rules/datto-rmm-alerts.yml          the default alerts (prometheusAlerts)
#   rules/datto-rmm-recording.yml       the recording rules (prometheusRules)
#   rules/optional/datto-rmm-site-alerts.yml     the optional per-site alerts (prometheusSiteAlerts)
#   dashboards/provisioning/alerting/datto-rmm-alerts.yaml   Grafana-managed rules (grafanaAlerting)
# The rendered files are committed; `--check` renders into a temporary directory and fails,
# naming the files, when a committed one differs, and checks that `perSiteAlerts` adds the
# per-site group to the default alerts (the `mixin_generated_files` CTest test).
# Needs Debian's `jsonnet` and `python3-yaml` (scripts/install-deps.sh installs them): jsonnet
# renders JSON, and PyYAML writes it as block YAML with the keys in the order people read rules
# in (jsonnet's own std.manifestYamlDoc takes minutes on these files).
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
command -v jsonnet >/dev/null || {
  echo "generate-mixin: jsonnet not found: install Debian's 'jsonnet' package" >&2
  exit 1
}
# Debian's python3 first: python3-yaml installs there, and another python3 may come first on PATH.
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
"$python" -c 'import yaml' 2>/dev/null || {
  echo "generate-mixin: python3 with PyYAML not found: install Debian's 'python3-yaml' package" >&2
  exit 1
}

# JSON on stdin -> YAML on stdout: block style, multi-line strings as `|` blocks, known keys
# first in reading order, the rest alphabetically.
to_yaml() {
  "$python" -c '
import json, sys, yaml
ORDER = ["apiVersion", "groups", "orgId", "name", "folder", "interval", "rules", "uid", "title",
         "alert", "record", "condition", "expr", "for", "labels", "annotations", "summary",
         "description", "runbook_url", "dashboard_url", "data", "refId"]
def rank(key):
    return (ORDER.index(key), "") if key in ORDER else (len(ORDER), key)
class Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):  # lists indented under their key
        return super().increase_indent(flow, False)
    def write_plain(self, text, split=True):  # a URL stays on one line, however long
        return super().write_plain(text, split and not text.startswith("http"))
def mapping(dumper, data):
    return dumper.represent_mapping("tag:yaml.org,2002:map",
                                    sorted(data.items(), key=lambda kv: rank(kv[0])))
def string(dumper, data):
    # Long texts (descriptions) fold at 100 columns; URLs, templates and names stay whole.
    style = "|" if "\n" in data else (">" if len(data) > 90 and " " in data and not data.startswith("http") else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)
Dumper.add_representer(dict, mapping)
Dumper.add_representer(str, string)
yaml.dump(json.load(sys.stdin), sys.stdout, Dumper=Dumper, default_flow_style=False,
          allow_unicode=True, width=100, indent=2)
'
}

# output file, mixin field, what the file is
outputs=(
  "rules/datto-rmm-alerts.yml|prometheusAlerts|Alerting rules for the Datto RMM exporter and the fleet it watches (docs/alerting.md, docs/runbook.md)."
  "rules/datto-rmm-recording.yml|prometheusRules|Recording rules for the Datto RMM dashboards (docs/alerting.md, \"The recording rules\")."
  "rules/optional/datto-rmm-site-alerts.yml|prometheusSiteAlerts|Optional per-site alerts: one alert per site and condition (docs/alerting.md, \"Per-site alerts\")."
  "dashboards/provisioning/alerting/datto-rmm-alerts.yaml|grafanaAlerting|Grafana-managed alert rules: the default alerts of rules/datto-rmm-alerts.yml for Grafana Alerting (docs/alerting.md)."
)

out_dir=.
if [ "$check" = 1 ]; then
  out_dir=$(mktemp -d)
  trap 'rm -rf "$out_dir"' EXIT
fi

stale=()
for entry in "${outputs[@]}"; do
  IFS='|' read -r file field what <<<"$entry"
  mkdir -p "$out_dir/$(dirname "$file")"
  {
    printf '# %s\n' "$what"
    printf '# GENERATED from mixin/ by scripts/generate-mixin.sh: do not edit; change mixin/ (thresholds\n'
    printf '# in mixin/config.libsonnet) and run the script again.\n'
    jsonnet -J mixin -e "(import 'mixin.libsonnet').$field" | to_yaml
  } >"$out_dir/$file.tmp"
  mv "$out_dir/$file.tmp" "$out_dir/$file"
  if [ "$check" = 1 ] && ! cmp -s "$out_dir/$file" "$file"; then
    stale+=("$file")
    diff -u "$file" "$out_dir/$file" | head -40 >&2 || true
  fi
done

# The per-site switch: with it the per-site group joins the default alerts and Grafana's rules.
if [ "$check" = 1 ]; then
  jsonnet -J mixin -e '
    local on = (import "mixin.libsonnet") + { _config+:: { perSiteAlerts: true } };
    local off = import "mixin.libsonnet";
    local names(groups) = [g.name for g in groups];
    local fleet = ["datto-rmm-exporter", "datto-rmm-api", "datto-rmm-fleet"];
    std.assertEqual(names(off.prometheusAlerts.groups), fleet)
    && std.assertEqual(names(off.grafanaAlerting.groups), fleet)
    && std.assertEqual(names(on.prometheusAlerts.groups), fleet + ["datto-rmm-sites"])
    && std.assertEqual(names(on.grafanaAlerting.groups), fleet + ["datto-rmm-sites"])' >/dev/null || {
    echo "generate-mixin: perSiteAlerts does not switch the per-site group in and out" >&2
    exit 1
  }
fi

if [ ${#stale[@]} -gt 0 ]; then
  echo "generate-mixin: stale (differ from mixin/): ${stale[*]}; run scripts/generate-mixin.sh" >&2
  exit 1
fi
[ "$check" = 1 ] && echo "generate-mixin: all ${#outputs[@]} generated files match mixin/"
exit 0
