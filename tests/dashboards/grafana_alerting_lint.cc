#include "grafana_alerting_lint.h"

#include <cctype>
#include <map>
#include <regex>
#include <set>

namespace drmm::lint {
namespace {

// yaml-cpp throws on a lookup in a missing node, so every read goes through these.
std::string Scalar(const YAML::Node& node, const char* key) {
  if (!node.IsDefined() || !node.IsMap()) return {};
  const YAML::Node value = node[key];
  return value.IsDefined() && value.IsScalar() ? value.as<std::string>() : std::string();
}

YAML::Node Child(const YAML::Node& node, const char* key) {
  if (!node.IsDefined() || !node.IsMap()) return YAML::Node();
  return node[key];
}

YAML::Node Sequence(const YAML::Node& node, const char* key) {
  const YAML::Node value = Child(node, key);
  return value.IsDefined() && value.IsSequence() ? value : YAML::Node(YAML::NodeType::Sequence);
}

struct PrometheusAlert {
  std::string expr;
  std::string for_;
  std::string severity;
};

std::map<std::string, PrometheusAlert> AlertsByName(const YAML::Node& file) {
  std::map<std::string, PrometheusAlert> alerts;
  for (const YAML::Node& group : Sequence(file, "groups")) {
    for (const YAML::Node& rule : Sequence(group, "rules")) {
      alerts[Scalar(rule, "alert")] = {Scalar(rule, "expr"), Scalar(rule, "for"),
                                       Scalar(Child(rule, "labels"), "severity")};
    }
  }
  return alerts;
}

}  // namespace

std::string GrafanaRuleUid(const std::string& alert_name) {
  const std::string prefix = "DattoRmm";
  std::string uid = "drmm";
  const std::size_t start = alert_name.rfind(prefix, 0) == 0 ? prefix.size() : 0;
  for (std::size_t i = start; i < alert_name.size(); ++i) {
    const auto c = static_cast<unsigned char>(alert_name[i]);
    if (std::isupper(c)) uid += '-';
    uid += static_cast<char>(std::tolower(c));
  }
  return uid;
}

std::vector<std::string> LintGrafanaAlerting(const YAML::Node& file,
                                             const YAML::Node& prometheus_alerts,
                                             const std::string& datasource_uid) {
  std::vector<std::string> out;
  if (Scalar(file, "apiVersion") != "1") out.emplace_back("apiVersion must be 1");
  const std::map<std::string, PrometheusAlert> expected = AlertsByName(prometheus_alerts);
  static const std::regex kUid("^[a-zA-Z0-9_-]{1,40}$");
  std::set<std::string> uids;
  std::set<std::string> titles;
  const YAML::Node groups = Sequence(file, "groups");
  if (groups.size() == 0) out.emplace_back("no groups");
  for (const YAML::Node& group : groups) {
    const std::string gwhere = "group '" + Scalar(group, "name") + "'";
    if (Scalar(group, "name").empty()) out.push_back(gwhere + ": no name");
    if (Scalar(group, "folder").empty()) out.push_back(gwhere + ": no folder");
    if (Scalar(group, "interval").empty()) out.push_back(gwhere + ": no interval");
    if (Scalar(group, "orgId").empty()) out.push_back(gwhere + ": no orgId");
    for (const YAML::Node& rule : Sequence(group, "rules")) {
      const std::string title = Scalar(rule, "title");
      const std::string uid = Scalar(rule, "uid");
      const std::string where = "rule '" + title + "'";
      if (!titles.insert(title).second) out.push_back(where + ": defined twice");
      if (!std::regex_match(uid, kUid)) out.push_back(where + ": uid '" + uid + "' is not valid");
      if (uid != GrafanaRuleUid(title)) {
        out.push_back(where + ": uid '" + uid + "' is not the stable " + GrafanaRuleUid(title));
      }
      if (!uids.insert(uid).second) out.push_back(where + ": uid " + uid + " used twice");

      std::map<std::string, YAML::Node> queries;  // by refId
      for (const YAML::Node& query : Sequence(rule, "data")) {
        const std::string ref = Scalar(query, "refId");
        if (ref.empty() || ref != Scalar(Child(query, "model"), "refId")) {
          out.push_back(where + ": query '" + ref + "' has no refId or its model's differs");
        }
        if (!queries.emplace(ref, query).second) out.push_back(where + ": refId " + ref + " twice");
        const std::string ds = Scalar(query, "datasourceUid");
        if (ds == "__expr__") continue;  // a server-side expression (math, reduce, threshold)
        if (ds != datasource_uid) {
          out.push_back(where + ": query " + ref + " uses data source '" + ds +
                        "', not the provisioned '" + datasource_uid + "'");
        }
        const auto it = expected.find(title);
        if (it != expected.end() && Scalar(Child(query, "model"), "expr") != it->second.expr) {
          out.push_back(where + ": query " + ref + " is not the Prometheus alert's expression");
        }
      }
      if (queries.empty()) out.push_back(where + ": no data");
      const std::string condition = Scalar(rule, "condition");
      if (!queries.contains(condition)) {
        out.push_back(where + ": condition '" + condition + "' names none of its queries");
      }
      // An expression reads its inputs as $RefId: each must be a query of the rule.
      for (const auto& [ref, query] : queries) {
        if (Scalar(query, "datasourceUid") != "__expr__") continue;
        static const std::regex kInput(R"(\$\{?([A-Za-z][A-Za-z0-9_]*)\}?)");
        const std::string expression = Scalar(Child(query, "model"), "expression");
        for (std::sregex_iterator m(expression.begin(), expression.end(), kInput), end; m != end;
             ++m) {
          if (!queries.contains((*m)[1].str())) {
            out.push_back(where + ": expression " + ref + " reads $" + (*m)[1].str() +
                          ", which is not one of its queries");
          }
        }
      }
      if (Scalar(rule, "noDataState").empty() || Scalar(rule, "execErrState").empty()) {
        out.push_back(where + ": noDataState and execErrState must be set");
      }
      const YAML::Node annotations = Child(rule, "annotations");
      for (const char* key : {"summary", "description", "runbook_url", "dashboard_url"}) {
        if (Scalar(annotations, key).empty()) out.push_back(where + ": no " + key + " annotation");
      }
      if (Scalar(annotations, "description").find("$value }}") != std::string::npos) {
        out.push_back(where + ": Grafana's value is $values.<refId>.Value, not $value");
      }
      const auto it = expected.find(title);
      if (it == expected.end()) {
        out.push_back(where + ": not an alert of the Prometheus rules");
        continue;
      }
      const std::string for_ = Scalar(rule, "for");
      if (for_ != it->second.for_ && !(it->second.for_.empty() && for_ == "0s")) {
        out.push_back(where + ": for " + for_ + " differs from the Prometheus alert's");
      }
      if (Scalar(Child(rule, "labels"), "severity") != it->second.severity) {
        out.push_back(where + ": severity differs from the Prometheus alert's");
      }
    }
  }
  for (const auto& [name, alert] : expected) {
    if (!titles.contains(name)) out.push_back("alert " + name + " has no Grafana-managed rule");
  }
  return out;
}

}  // namespace drmm::lint
