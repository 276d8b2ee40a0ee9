#include "dashboard_lint.h"

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string_view>

#include "promql_scan.h"

namespace drmm::lint {
namespace {

using nlohmann::json;

// The filter variables, in the order each one narrows the next one's choices.
// The site is selected by site_uid (stable, unique), showing the name (see CheckQueryVariable).
constexpr std::array<std::string_view, 4> kChain = {"job", "instance", "account", "site_uid"};
constexpr std::array<std::string_view, 5> kPanelTypes = {"row", "timeseries", "stat", "table",
                                                         "bargauge"};
// Grafana unit ids the dashboards use; a typo here renders raw numbers without complaint.
constexpr std::array<std::string_view, 6> kUnits = {"short", "none",  "percentunit",
                                                    "s",     "bytes", "reqps"};
constexpr std::array<std::string_view, 3> kRateFunctions = {"rate", "irate", "increase"};

template <std::size_t N>
bool Contains(const std::array<std::string_view, N>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

bool IsDatasourceRef(std::string_view uid) {
  return uid == "${datasource}" || uid == "$datasource";
}

std::string Str(const json& j, std::string_view key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

class DashboardLinter {
 public:
  DashboardLinter(const json& dashboard, const SeriesCatalog& catalog,
                  const std::set<std::string>& uids)
      : d_(dashboard), catalog_(catalog), uids_(uids) {}

  std::vector<std::string> Run() {
    if (!d_.is_object()) return {"the dashboard is not a JSON object"};
    CheckHeader();
    CheckDatasourceRefs(d_, "dashboard");
    CollectVariables();
    const std::vector<const json*> panels = AllPanels(d_);
    bool per_site = false;
    for (const json* panel : panels) per_site = per_site || QueriesPerSiteSeries(*panel);
    CheckVariables(per_site);
    CheckPanels(panels);
    for (const std::string& url : AllLinkUrls(d_)) CheckLinkUrl(url);
    return std::move(out_);
  }

 private:
  void Add(const std::string& where, const std::string& what) {
    out_.push_back(where + ": " + what);
  }

  void CheckHeader() {
    static const std::regex kUid("^[a-z0-9][a-z0-9-]{0,39}$");
    const std::string uid = Str(d_, "uid");
    if (!std::regex_match(uid, kUid)) Add("dashboard", "uid '" + uid + "' is not a stable slug");
    if (Str(d_, "title").empty()) Add("dashboard", "no title");
    const auto version = d_.find("schemaVersion");
    if (version == d_.end() || !version->is_number_integer() || version->get<int>() < 36 ||
        version->get<int>() > 39) {
      Add("dashboard", "schemaVersion must be 36..39 (Grafana 9.x-10.x)");
    }
    if (d_.contains("id") && !d_["id"].is_null()) {
      Add("dashboard", "id must be null (Grafana assigns it on import and provisioning)");
    }
    const json tags = d_.value("tags", json::array());
    if (std::find(tags.begin(), tags.end(), "datto-rmm") == tags.end()) {
      Add("dashboard", "missing tag 'datto-rmm' (the dashboard links find each other by it)");
    }
  }

  // Every "datasource" anywhere in the model must be the variable, never a fixed uid or name.
  void CheckDatasourceRefs(const json& node, const std::string& where) {
    if (node.is_object()) {
      for (const auto& [key, value] : node.items()) {
        if (key == "datasource") {
          const std::string uid = value.is_object()   ? Str(value, "uid")
                                  : value.is_string() ? value.get<std::string>()
                                                      : std::string();
          if (!IsDatasourceRef(uid)) {
            Add(where, "datasource " + value.dump() + " is not ${datasource}");
          }
          if (value.is_object() && value.contains("type") && Str(value, "type") != "prometheus") {
            Add(where, "datasource type " + value["type"].dump() + " is not prometheus");
          }
        } else {
          CheckDatasourceRefs(value, where);
        }
      }
    } else if (node.is_array()) {
      for (const json& item : node) CheckDatasourceRefs(item, where);
    }
  }

  void CollectVariables() {
    const auto templating = d_.find("templating");
    if (templating == d_.end() || !templating->is_object() || !templating->contains("list") ||
        !(*templating)["list"].is_array()) {
      return;
    }
    int index = 0;
    for (const json& v : (*templating)["list"]) {
      const std::string name = Str(v, "name");
      if (!variables_.emplace(name, VariableInfo{&v, index++}).second) {
        Add("variable " + name, "defined twice");
      }
    }
  }

  bool Defined(std::string_view name) const { return variables_.contains(std::string(name)); }

  bool QueriesPerSiteSeries(const json& panel) const {
    for (const json& target : panel.value("targets", json::array())) {
      for (const Selector& s : ScanPromQl(Str(target, "expr")).selectors) {
        const auto labels = catalog_.LabelsOf(s.name);
        if (labels && labels->contains("site_uid")) return true;
      }
    }
    return false;
  }

  void CheckVariables(bool per_site) {
    const auto ds = variables_.find("datasource");
    if (ds == variables_.end()) {
      Add("dashboard", "no variable datasource");
    } else if (Str(*ds->second.node, "type") != "datasource" ||
               Str(*ds->second.node, "query") != "prometheus") {
      Add("variable datasource", "must be of type datasource with query prometheus");
    }
    int previous_index = -1;
    for (const std::string_view name : kChain) {
      const bool required = name != "site_uid" || per_site;
      const auto it = variables_.find(std::string(name));
      if (it == variables_.end()) {
        if (required) Add("dashboard", "no variable " + std::string(name));
        continue;
      }
      if (it->second.index < previous_index) {
        Add("variable " + std::string(name), "must come after the variables it is filtered by");
      }
      previous_index = it->second.index;
      CheckQueryVariable(name, *it->second.node);
    }
  }

  void CheckQueryVariable(std::string_view name, const json& v) {
    const std::string where = "variable " + std::string(name);
    if (Str(v, "type") != "query") Add(where, "must be a query variable");
    if (!v.value("includeAll", false) && !v.value("multi", false)) {
      // Grafana regex-escapes the substituted values only for multi or include-all variables;
      // site names with dots or brackets would otherwise match the wrong sites.
      Add(where, "must set includeAll or multi so Grafana regex-escapes its values");
    }
    const json& q = v.contains("query") ? v["query"] : json();
    const std::string query = q.is_string() ? q.get<std::string>() : Str(q, "query");
    static const std::regex kLabelValues(R"(^label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\)$)");
    // query_result(<expr>) with a regex that takes the shown text from one label and the value
    // from the variable's: how a variable can show site names and select by site_uid.
    static const std::regex kQueryResult(R"(^query_result\((.*)\)$)");
    std::smatch m;
    std::string expr;
    if (std::regex_match(query, m, kLabelValues)) {
      if (m[2].str() != name) Add(where, "label_values must read label " + std::string(name));
      expr = m[1].str();
    } else if (std::regex_match(query, m, kQueryResult)) {
      const std::string regex = Str(v, "regex");
      if (regex.find("(?<text>") == std::string::npos ||
          regex.find(std::string(name) + "=\"(?<value>") == std::string::npos) {
        Add(where, "a query_result variable needs a regex with (?<text>...) and " +
                       std::string(name) + "=\"(?<value>...)");
      }
      expr = m[1].str();
    } else {
      Add(where, "query must be label_values(<selector>, " + std::string(name) +
                     ") or query_result(<expr>): " + query);
      return;
    }
    std::set<std::string> allowed_vars;
    for (const std::string_view earlier : kChain) {
      if (earlier == name) break;
      if (Defined(earlier)) allowed_vars.emplace(earlier);
    }
    const PromQlScan scan = ScanPromQl(expr);
    if (scan.selectors.size() != 1) Add(where, "the variable's query needs exactly one selector");
    CheckExpression(where, expr, scan, allowed_vars);
    for (const Selector& s : scan.selectors) {
      const auto labels = catalog_.LabelsOf(s.name);
      if (labels && !labels->contains(std::string(name))) {
        Add(where, s.name + " has no label " + std::string(name));
      }
    }
  }

  // Series names, label names and values, template variables and ranges of one expression.
  // `vars` are the filter variables the expression must use (where its series carry them).
  void CheckExpression(const std::string& where, const std::string& expr, const PromQlScan& scan,
                       const std::set<std::string>& vars) {
    for (const std::string& error : scan.errors) Add(where, error + " in: " + expr);
    for (const Selector& s : scan.selectors) {
      const auto labels = catalog_.LabelsOf(s.name);
      if (!labels) {
        Add(where,
            "unknown series " + s.name + " (not in the metric catalog or the recording rules)");
        continue;
      }
      for (const Matcher& m : s.matchers) {
        if (!labels->contains(m.label)) Add(where, s.name + " has no label " + m.label);
        CheckMatcherValue(where, s.name, m, vars);
      }
      for (const std::string& var : vars) {
        if (!labels->contains(var)) continue;
        const bool filtered =
            std::any_of(s.matchers.begin(), s.matchers.end(), [&](const Matcher& m) {
              return m.label == var && m.op == "=~" && m.value == "$" + var;
            });
        if (!filtered) Add(where, s.name + " is not filtered by " + var + "=~\"$" + var + "\"");
      }
    }
    for (const RangeUse& r : scan.ranges) {
      const bool rate = Contains(kRateFunctions, r.function);
      if (rate && r.range != "$__rate_interval") {
        Add(where, r.function + "() must use [$__rate_interval], not [" + r.range + "]");
      } else if (!rate && r.range.find('$') != std::string::npos) {
        Add(where, "range [" + r.range + "] uses a variable outside a rate");
      }
    }
  }

  void CheckMatcherValue(const std::string& where, const std::string& series, const Matcher& m,
                         const std::set<std::string>& vars) {
    if (m.value.find('$') != std::string::npos) {
      // The only variable form allowed: label=~"$label", which an extractor can replace by ".*".
      if (m.op != "=~" || m.value != "$" + m.label || !vars.contains(m.label)) {
        Add(where, "template variable in " + series + "{" + m.label + m.op + "\"" + m.value +
                       "\"}: only " + m.label + "=~\"$" + m.label +
                       "\" with a filter variable defined earlier is allowed");
      }
      return;
    }
    std::vector<std::string> values;
    if (m.op == "=" || m.op == "!=") {
      values.push_back(m.value);
    } else {
      values = PlainAlternatives(m.value);
    }
    for (const std::string& value : values) {
      if (!catalog_.IsAllowedValue(m.label, value)) {
        Add(where, "'" + value + "' is not a value of " + series + "'s label " + m.label);
      }
    }
  }

  void CheckPanels(const std::vector<const json*>& panels) {
    std::set<long long> ids;
    std::vector<std::pair<std::string, std::array<long long, 4>>> boxes;  // x, y, w, h
    std::set<std::string> vars;
    for (const std::string_view name : kChain) {
      if (Defined(name)) vars.emplace(name);
    }
    for (const json* p : panels) {
      const json& panel = *p;
      const std::string type = Str(panel, "type");
      std::string where = "panel '" + Str(panel, "title") + "'";
      const auto id = panel.find("id");
      if (id == panel.end() || !id->is_number_integer()) {
        Add(where, "no integer id");
      } else {
        where = "panel " + std::to_string(id->get<long long>()) + " '" + Str(panel, "title") + "'";
        if (!ids.insert(id->get<long long>()).second) Add(where, "duplicate panel id");
      }
      if (!Contains(kPanelTypes, type)) {
        Add(where, "panel type '" + type + "' is not timeseries, stat, table, bargauge or row");
      }
      CheckGridPos(where, panel, boxes);
      if (type == "row") continue;
      if (Str(panel, "title").empty()) Add(where, "no title");
      if (!panel.contains("datasource")) Add(where, "no datasource (must be ${datasource})");
      const json defaults =
          panel.value("fieldConfig", json::object()).value("defaults", json::object());
      const std::string unit = Str(defaults, "unit");
      if (unit.empty()) {
        Add(where, "fieldConfig.defaults.unit is not set");
      } else if (!Contains(kUnits, unit)) {
        Add(where, "unit '" + unit + "' is not one of the units the dashboards use");
      }
      const json targets = panel.value("targets", json::array());
      if (targets.empty()) Add(where, "no query targets");
      std::set<std::string> ref_ids;
      for (const json& target : targets) {
        const std::string ref = Str(target, "refId");
        const std::string twhere = where + " target " + ref;
        if (ref.empty() || !ref_ids.insert(ref).second) Add(twhere, "refId missing or repeated");
        if (!target.contains("datasource")) Add(twhere, "no datasource (must be ${datasource})");
        const std::string expr = Str(target, "expr");
        if (expr.empty()) {
          Add(twhere, "no expr");
          continue;
        }
        CheckExpression(twhere, expr, ScanPromQl(expr), vars);
        // Grafana turns __name__ into a table column: in a table that merges several queries,
        // a query that keeps it never lines up with the others' rows.
        static const std::regex kBareSelector(R"(^\s*[A-Za-z_:][A-Za-z0-9_:]*\s*(\{[^}]*\})?\s*$)");
        if (type == "table" && targets.size() > 1 && std::regex_match(expr, kBareSelector)) {
          Add(twhere, "a bare selector in a merged table keeps __name__; aggregate it");
        }
      }
    }
  }

  void CheckGridPos(const std::string& where, const json& panel,
                    std::vector<std::pair<std::string, std::array<long long, 4>>>& boxes) {
    const json pos = panel.value("gridPos", json::object());
    std::array<long long, 4> box{};
    const std::array<const char*, 4> keys = {"x", "y", "w", "h"};
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (!pos.contains(keys[i]) || !pos[keys[i]].is_number_integer()) {
        Add(where, std::string("gridPos.") + keys[i] + " is not an integer");
        return;
      }
      box[i] = pos[keys[i]].get<long long>();
    }
    const auto [x, y, w, h] = box;
    if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > 24) {
      Add(where, "gridPos outside the 24-column grid");
    }
    for (const auto& [other, o] : boxes) {
      const bool overlap = x < o[0] + o[2] && o[0] < x + w && y < o[1] + o[3] && o[1] < y + h;
      if (overlap) Add(where, "overlaps " + other);
    }
    boxes.emplace_back(where, box);
  }

  void CheckLinkUrl(const std::string& url) {
    if (url.rfind("/d/", 0) != 0) return;
    const std::size_t end = url.find_first_of("/?", 3);
    const std::string uid = url.substr(3, end == std::string::npos ? std::string::npos : end - 3);
    if (!uids_.contains(uid)) Add("link " + url, "names unknown dashboard uid '" + uid + "'");
  }

  struct VariableInfo {
    const json* node;  // into d_
    int index;
  };

  const json& d_;
  const SeriesCatalog& catalog_;
  const std::set<std::string>& uids_;
  std::map<std::string, VariableInfo> variables_;
  std::vector<std::string> out_;
};

void CollectLinks(const json& links, std::vector<std::string>& out) {
  if (!links.is_array()) return;
  for (const json& link : links) {
    if (link.is_object() && link.contains("url") && link["url"].is_string()) {
      out.push_back(link["url"].get<std::string>());
    }
  }
}

}  // namespace

std::vector<const nlohmann::json*> AllPanels(const nlohmann::json& dashboard) {
  std::vector<const json*> out;
  // find(), not value(): the pointers must refer into `dashboard`, not into a copy.
  const auto panels = dashboard.find("panels");
  if (panels == dashboard.end() || !panels->is_array()) return out;
  for (const json& panel : *panels) {
    if (!panel.is_object()) continue;
    out.push_back(&panel);
    if (const auto nested = panel.find("panels"); nested != panel.end() && nested->is_array()) {
      for (const json& inner : *nested) {
        if (inner.is_object()) out.push_back(&inner);
      }
    }
  }
  return out;
}

std::vector<std::string> AllLinkUrls(const nlohmann::json& dashboard) {
  std::vector<std::string> out;
  CollectLinks(dashboard.value("links", json::array()), out);
  for (const json* panel : AllPanels(dashboard)) {
    CollectLinks(panel->value("links", json::array()), out);
    const json field_config = panel->value("fieldConfig", json::object());
    CollectLinks(field_config.value("defaults", json::object()).value("links", json::array()), out);
    for (const json& override_ : field_config.value("overrides", json::array())) {
      for (const json& property : override_.value("properties", json::array())) {
        if (Str(property, "id") == "links") CollectLinks(property.value("value", json()), out);
      }
    }
  }
  return out;
}

std::vector<std::string> LintDashboard(const nlohmann::json& dashboard,
                                       const SeriesCatalog& catalog,
                                       const std::set<std::string>& dashboard_uids) {
  return DashboardLinter(dashboard, catalog, dashboard_uids).Run();
}

}  // namespace drmm::lint
