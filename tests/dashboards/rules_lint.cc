#include "rules_lint.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <string_view>

#include "promql_scan.h"

namespace drmm::lint {
namespace {

constexpr std::array<std::string_view, 3> kSeverities = {"critical", "warning", "info"};
constexpr std::array<std::string_view, 3> kRateFunctions = {"rate", "irate", "increase"};
// Alerts without a `for`: their expression only grows until the problem is fixed (an age), so
// it cannot flap. Every other alert needs one.
constexpr std::array<std::string_view, 1> kNoForAlerts = {"DattoRmmDataStale"};
// Families with a muted label: an alert counts only what nobody has acknowledged in Datto.
constexpr std::array<std::string_view, 3> kMutedFamilies = {
    "datto_rmm_site_alerts_open", "datto_rmm_site_oldest_open_alert_timestamp_seconds",
    "datto_rmm_alerts_open"};
// The dashboards a dashboard_url may open (their uids never change: docs/dashboards.md).
constexpr std::array<std::string_view, 3> kDashboardPaths = {
    "/d/datto-rmm-overview", "/d/datto-rmm-site", "/d/datto-rmm-exporter"};
// The rule files a promtool test file loads: all of them, so that no rule goes untested.
const std::set<std::string>& RuleFileNames() {
  static const std::set<std::string> names = {"datto-rmm-alerts.yml", "datto-rmm-site-alerts.yml",
                                              "datto-rmm-recording.yml"};
  return names;
}

template <std::size_t N>
bool OneOf(const std::array<std::string_view, N>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// yaml-cpp throws on a lookup in a missing node, so every read goes through these two.
std::string Scalar(const YAML::Node& node, const char* key) {
  if (!node.IsDefined() || !node.IsMap()) return {};
  const YAML::Node value = node[key];
  return value.IsDefined() && value.IsScalar() ? value.as<std::string>() : std::string();
}

YAML::Node Sequence(const YAML::Node& node, const char* key) {
  if (node.IsDefined() && node.IsMap()) {
    const YAML::Node value = node[key];
    if (value.IsDefined() && value.IsSequence()) return value;
  }
  return YAML::Node(YAML::NodeType::Sequence);
}

// Every rule of a rule file with its group's name; empty when the file has no groups list.
std::vector<std::pair<std::string, YAML::Node>> Rules(const YAML::Node& file,
                                                      std::vector<std::string>& out) {
  std::vector<std::pair<std::string, YAML::Node>> rules;
  const YAML::Node groups = Sequence(file, "groups");
  if (groups.size() == 0) {
    out.emplace_back("no rule groups");
    return rules;
  }
  std::set<std::string> names;
  for (const YAML::Node& group : groups) {
    const std::string name = Scalar(group, "name");
    if (name.empty() || !names.insert(name).second) {
      out.push_back("group '" + name + "': name missing or repeated");
    }
    const YAML::Node list = Sequence(group, "rules");
    if (list.size() == 0) {
      out.push_back("group '" + name + "': no rules");
      continue;
    }
    for (const YAML::Node& rule : list) rules.emplace_back(name, rule);
  }
  return rules;
}

// Series, labels, values and ranges of a rule expression. Rules take no template variables: a
// `$` outside a string literal is reported by the scanner, one in a matcher here.
void CheckRuleExpression(const std::string& where, const std::string& expr,
                         const SeriesCatalog& catalog, std::vector<std::string>& out,
                         PromQlScan& scan) {
  scan = ScanPromQl(expr);
  for (const std::string& error : scan.errors) out.push_back(where + ": " + error);
  for (const Selector& s : scan.selectors) {
    const auto labels = catalog.LabelsOf(s.name);
    if (!labels) {
      out.push_back(where + ": unknown series " + s.name);
      continue;
    }
    for (const Matcher& m : s.matchers) {
      if (!labels->contains(m.label))
        out.push_back(where + ": " + s.name + " has no label " + m.label);
      if (m.value.find('$') != std::string::npos) {
        out.push_back(where + ": template variable in a rule: " + m.value);
        continue;
      }
      std::vector<std::string> values;
      if (m.op == "=" || m.op == "!=") {
        values.push_back(m.value);
      } else {
        values = PlainAlternatives(m.value);
      }
      for (const std::string& value : values) {
        if (!catalog.IsAllowedValue(m.label, value)) {
          out.push_back(where + ": '" + value + "' is not a value of " + s.name + "'s label " +
                        m.label);
        }
      }
    }
  }
  static const std::regex kDuration("^([0-9]+(ms|s|m|h|d|w|y))+$");
  for (const RangeUse& r : scan.ranges) {
    const bool rate =
        std::find(kRateFunctions.begin(), kRateFunctions.end(), r.function) != kRateFunctions.end();
    if (rate && !std::regex_match(r.range, kDuration)) {
      out.push_back(where + ": " + r.function + "() needs a fixed range, not [" + r.range + "]");
    }
  }
}

bool AllCarry(const PromQlScan& scan, const SeriesCatalog& catalog, const std::string& label) {
  if (scan.selectors.empty()) return false;
  return std::all_of(scan.selectors.begin(), scan.selectors.end(), [&](const Selector& s) {
    const auto labels = catalog.LabelsOf(s.name);
    return labels && labels->contains(label);
  });
}

}  // namespace

std::vector<std::string> LintRecordingRules(const YAML::Node& file, SeriesCatalog& catalog) {
  std::vector<std::string> out;
  const auto rules = Rules(file, out);
  // Names first, so that a rule reading a series recorded further down is reported as such.
  for (const auto& [group, rule] : rules) {
    const std::string record = Scalar(rule, "record");
    if (record.empty() || !Scalar(rule, "alert").empty()) {
      out.push_back("recording rule '" + record + "' in group " + group +
                    ": the recording rules file holds only record: rules");
    } else if (const auto error = catalog.AddRecorded(record)) {
      out.push_back(*error);
    }
  }
  std::string current_group;
  std::set<std::string> defined_in_group;
  for (const auto& [group, rule] : rules) {
    if (group != current_group) {
      current_group = group;
      defined_in_group.clear();
    }
    const std::string record = Scalar(rule, "record");
    const std::string where = "recording rule '" + record + "'";
    PromQlScan scan;
    CheckRuleExpression(where, Scalar(rule, "expr"), catalog, out, scan);
    for (const Selector& s : scan.selectors) {
      // A group evaluates in order: reading a series recorded later, or in another group, sees
      // the previous evaluation's value.
      if (catalog.IsRecorded(s.name) && !defined_in_group.contains(s.name)) {
        out.push_back(where + ": uses " + s.name + " before it is recorded in group " + group);
      }
    }
    defined_in_group.insert(record);
  }
  return out;
}

std::vector<std::string> LintAlertRules(const YAML::Node& file, const SeriesCatalog& catalog) {
  std::vector<std::string> out;
  static const std::regex kAlertName("^DattoRmm[A-Z][A-Za-z0-9]*$");
  static const std::regex kDuration("^([0-9]+(ms|s|m|h|d|w|y))+$");
  std::set<std::string> names;
  for (const auto& [group, rule] : Rules(file, out)) {
    const std::string alert = Scalar(rule, "alert");
    const std::string where = "alert '" + alert + "'";
    if (!std::regex_match(alert, kAlertName)) {
      out.push_back(where + " (group " + group + "): name must be DattoRmm<CamelCase>");
    }
    if (!names.insert(alert).second) out.push_back(where + ": defined twice");
    const std::string expr = Scalar(rule, "expr");
    PromQlScan scan;
    CheckRuleExpression(where, expr, catalog, out, scan);
    for (const Selector& s : scan.selectors) {
      if (catalog.IsRecorded(s.name)) {
        out.push_back(where + ": uses recorded series " + s.name +
                      " (alerts must work without the recording rules)");
      }
      const bool unmuted_only = std::any_of(
          s.matchers.begin(), s.matchers.end(),
          [](const Matcher& m) { return m.label == "muted" && m.op == "=" && m.value == "false"; });
      if (OneOf(kMutedFamilies, s.name) && !unmuted_only) {
        out.push_back(where + ": " + s.name +
                      " must be filtered by muted=\"false\" (muted alerts are acknowledged)");
      }
    }
    const std::string for_ = Scalar(rule, "for");
    if (!for_.empty() && !std::regex_match(for_, kDuration)) {
      out.push_back(where + ": 'for' is not a duration");
    } else if (for_.empty() && !OneOf(kNoForAlerts, alert)) {
      out.push_back(where + ": no 'for' (one evaluation must not page; see kNoForAlerts)");
    }
    const YAML::Node labels = rule.IsMap() ? rule["labels"] : YAML::Node();
    const std::string severity = Scalar(labels, "severity");
    if (std::find(kSeverities.begin(), kSeverities.end(), severity) == kSeverities.end()) {
      out.push_back(where + ": labels.severity must be critical, warning or info");
    }
    const YAML::Node annotations = rule.IsMap() ? rule["annotations"] : YAML::Node();
    const std::string description = Scalar(annotations, "description");
    if (Scalar(annotations, "summary").empty()) out.push_back(where + ": no summary annotation");
    if (description.empty()) out.push_back(where + ": no description annotation");
    const std::string runbook = Scalar(annotations, "runbook_url");
    const std::string anchor = "/runbook.md#" + Lower(alert);
    if (runbook.size() < anchor.size() ||
        runbook.compare(runbook.size() - anchor.size(), anchor.size(), anchor) != 0) {
      out.push_back(where + ": runbook_url must end in docs/runbook.md's anchor ..." + anchor);
    }
    const std::string dashboard = Scalar(annotations, "dashboard_url");
    const bool known_dashboard =
        std::any_of(kDashboardPaths.begin(), kDashboardPaths.end(), [&](std::string_view path) {
          const std::size_t at = dashboard.find(path);
          return at != std::string::npos &&
                 (at + path.size() == dashboard.size() || dashboard[at + path.size()] == '?');
        });
    if (!known_dashboard) {
      out.push_back(where + ": dashboard_url must open one of the three dashboards (/d/<uid>)");
    }
    if (description.find("$value") == std::string::npos) {
      out.push_back(where + ": the description does not show the value ($value)");
    }
    if (AllCarry(scan, catalog, "account") &&
        description.find("$labels.account") == std::string::npos) {
      out.push_back(where + ": the description does not name the account");
    }
    // A per-site alert names its site; a fleet alert lists them ({{ $s.Labels.site }}).
    if (AllCarry(scan, catalog, "site") && description.find("$labels.site") == std::string::npos &&
        description.find(".Labels.site") == std::string::npos) {
      out.push_back(where + ": the description does not name the site (or list the sites)");
    }
  }
  return out;
}

std::vector<std::string> LintRuleTests(const std::vector<YAML::Node>& test_files,
                                       const YAML::Node& alert_rules,
                                       const YAML::Node& recording_rules,
                                       const SeriesCatalog& catalog) {
  std::vector<std::string> out;
  std::vector<std::string> ignored;
  std::set<std::string> alerts;
  for (const auto& [group, rule] : Rules(alert_rules, ignored))
    alerts.insert(Scalar(rule, "alert"));
  std::set<std::string> records;
  for (const auto& [group, rule] : Rules(recording_rules, ignored)) {
    records.insert(Scalar(rule, "record"));
  }

  std::map<std::string, int> firing;
  std::map<std::string, int> quiet;
  std::set<std::string> tested_records;
  for (const YAML::Node& file : test_files) {
    std::set<std::string> rule_files;
    for (const YAML::Node& f : Sequence(file, "rule_files")) {
      const auto path = f.as<std::string>();
      rule_files.insert(path.substr(path.find_last_of('/') + 1));
    }
    if (rule_files != RuleFileNames()) {
      out.emplace_back("a test file does not load all three rule files");
    }
    for (const YAML::Node& test : Sequence(file, "tests")) {
      const std::string name = Scalar(test, "name");
      for (const YAML::Node& series : Sequence(test, "input_series")) {
        const std::string text = Scalar(series, "series");
        const PromQlScan scan = ScanPromQl(text);
        if (scan.selectors.size() != 1 || !scan.errors.empty()) {
          out.push_back("test '" + name + "': cannot read input series " + text);
          continue;
        }
        const Selector& s = scan.selectors.front();
        const auto labels = catalog.LabelsOf(s.name);
        if (!labels || !catalog.IsExported(s.name)) {
          out.push_back("test '" + name + "': input series " + s.name +
                        " is not a series the exporter or Prometheus exposes");
          continue;
        }
        // Inputs carry exactly the labels the real series carries, so a rule that relies on a
        // label the exporter does not set cannot pass its test.
        std::set<std::string> given;
        for (const Matcher& m : s.matchers) {
          given.insert(m.label);
          if (!catalog.IsAllowedValue(m.label, m.value)) {
            out.push_back("test '" + name + "': '" + m.value + "' is not a value of " + m.label);
          }
        }
        if (given != *labels) {
          out.push_back("test '" + name + "': input series " + text +
                        " does not have exactly the labels of " + s.name);
        }
      }
      for (const YAML::Node& case_ : Sequence(test, "alert_rule_test")) {
        const std::string alert = Scalar(case_, "alertname");
        if (!alerts.contains(alert)) {
          out.push_back("test '" + name + "': tests unknown alert " + alert);
        }
        const bool fires = Sequence(case_, "exp_alerts").size() > 0;
        ++(fires ? firing : quiet)[alert];
      }
      for (const YAML::Node& case_ : Sequence(test, "promql_expr_test")) {
        for (const Selector& s : ScanPromQl(Scalar(case_, "expr")).selectors) {
          tested_records.insert(s.name);
        }
      }
    }
  }
  for (const std::string& alert : alerts) {
    if (firing[alert] == 0) out.push_back("alert " + alert + " has no test case where it fires");
    if (quiet[alert] == 0) {
      out.push_back("alert " + alert + " has no test case where it does not fire");
    }
  }
  for (const std::string& record : records) {
    if (!tested_records.contains(record)) {
      out.push_back("recording rule " + record + " has no promql_expr_test");
    }
  }
  return out;
}

}  // namespace drmm::lint
