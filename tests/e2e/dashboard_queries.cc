#include "dashboard_queries.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string_view>
#include <utility>

namespace drmm::e2e {
namespace {

using nlohmann::json;

std::string Text(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object.at(key).is_string()) return "";
  return object.at(key).get<std::string>();
}

bool IsNameChar(char c, bool first) {
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  return letter || (!first && c >= '0' && c <= '9');
}

std::string_view Trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.remove_suffix(1);
  return text;
}

// label_values(<selector>, <label>) -> the selector and the label.
std::optional<std::pair<std::string, std::string>> SplitLabelValues(std::string_view text) {
  static constexpr std::string_view kFunction = "label_values(";
  text = Trimmed(text);
  if (!text.starts_with(kFunction) || !text.ends_with(")")) return std::nullopt;
  text = text.substr(kFunction.size(), text.size() - kFunction.size() - 1);
  const auto comma = text.rfind(',');
  if (comma == std::string_view::npos) return std::nullopt;
  const std::string_view selector = Trimmed(text.substr(0, comma));
  const std::string_view label = Trimmed(text.substr(comma + 1));
  if (selector.empty() || label.empty()) return std::nullopt;
  for (std::size_t i = 0; i < label.size(); ++i) {
    if (!IsNameChar(label[i], i == 0)) return std::nullopt;
  }
  return std::make_pair(std::string(selector), std::string(label));
}

std::string IdOf(const json& panel) {
  if (!panel.contains("id")) return "?";
  return panel.at("id").is_string() ? panel.at("id").get<std::string>() : panel.at("id").dump();
}

void AddPanel(const json& panel, const std::string& file, const std::string& rate_range,
              std::vector<DashboardQuery>& out) {
  if (!panel.is_object()) return;
  if (panel.contains("targets") && panel.at("targets").is_array()) {
    for (const auto& target : panel.at("targets")) {
      const std::string expr = Text(target, "expr");
      if (expr.empty()) continue;
      out.push_back({file + " panel " + IdOf(panel) + " (" + Text(panel, "title") + ") " +
                         Text(target, "refId"),
                     SubstituteTemplateVariables(expr, rate_range), "", false, ""});
    }
  }
  if (panel.contains("panels") && panel.at("panels").is_array()) {
    for (const auto& nested : panel.at("panels")) AddPanel(nested, file, rate_range, out);
  }
}

}  // namespace

std::string SubstituteTemplateVariables(std::string expr, const std::string& rate_range) {
  static constexpr std::string_view kMatcher = "=~\"$";
  static constexpr std::string_view kAnything = "=~\".*\"";
  // Each round replaces one =~"$name" (a whole quoted variable) and moves past it.
  for (auto at = expr.find(kMatcher); at != std::string::npos; at = expr.find(kMatcher, at + 1)) {
    const auto name_start = at + kMatcher.size();
    auto name_end = name_start;
    while (name_end < expr.size() && IsNameChar(expr[name_end], name_end == name_start)) {
      ++name_end;
    }
    if (name_end == name_start || name_end >= expr.size() || expr[name_end] != '"') continue;
    expr.replace(at, name_end + 1 - at, kAnything);
  }
  static constexpr std::string_view kRateInterval = "$__rate_interval";
  for (auto at = expr.find(kRateInterval); at != std::string::npos;
       at = expr.find(kRateInterval, at + rate_range.size())) {
    expr.replace(at, kRateInterval.size(), rate_range);
  }
  return expr;
}

std::vector<DashboardQuery> PanelQueries(const json& dashboard, const std::string& file,
                                         const std::string& rate_range) {
  std::vector<DashboardQuery> out;
  if (dashboard.contains("panels") && dashboard.at("panels").is_array()) {
    for (const auto& panel : dashboard.at("panels")) AddPanel(panel, file, rate_range, out);
  }
  return out;
}

std::vector<DashboardQuery> VariableQueries(const json& dashboard, const std::string& file) {
  std::vector<DashboardQuery> out;
  if (!dashboard.contains("templating") || !dashboard.at("templating").is_object()) return out;
  const json& list = dashboard.at("templating").value("list", json::array());
  for (const auto& variable : list) {
    if (Text(variable, "type") != "query") continue;
    const json& query = variable.contains("query") ? variable.at("query") : json();
    const std::string text = query.is_object()   ? Text(query, "query")
                             : query.is_string() ? query.get<std::string>()
                                                 : "";
    DashboardQuery item;
    item.where = file + " variable " + Text(variable, "name");
    item.expr = text;
    static constexpr std::string_view kQueryResult = "query_result(";
    const std::string_view trimmed = Trimmed(text);
    if (const auto parts = SplitLabelValues(text)) {
      item.expr = SubstituteTemplateVariables(parts->first, "");
      item.label = parts->second;
    } else if (trimmed.starts_with(kQueryResult) && trimmed.ends_with(")")) {
      item.expr = SubstituteTemplateVariables(
          std::string(
              trimmed.substr(kQueryResult.size(), trimmed.size() - kQueryResult.size() - 1)),
          "");
      item.query_result = true;
    }
    item.regex = Text(variable, "regex");
    out.push_back(std::move(item));
  }
  return out;
}

std::string GrafanaQueryResultText(const std::map<std::string, std::string>& labels,
                                   const std::string& value, long long time_ms) {
  std::string text;
  if (const auto name = labels.find("__name__"); name != labels.end()) text = name->second;
  text += '{';
  bool first = true;
  for (const auto& [label, label_value] : labels) {
    if (label == "__name__") continue;
    if (!first) text += ',';
    first = false;
    text += label + "=\"" + label_value + "\"";
  }
  return text + "} " + value + " " + std::to_string(time_ms);
}

std::optional<VariableOption> ApplyVariableRegex(const std::string& regex,
                                                 const std::string& option) {
  if (regex.size() < 2 || regex.front() != '/') return std::nullopt;
  const std::size_t close = regex.rfind('/');
  if (close == 0) return std::nullopt;
  std::string pattern = regex.substr(1, close - 1);
  // std::regex (ECMAScript as of C++11) has no named groups: number them instead.
  int text_group = 0;
  int value_group = 0;
  int group = 0;
  std::string plain;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      plain += pattern.substr(i, 2);
      ++i;
      continue;
    }
    if (pattern[i] == '(' && pattern.compare(i, 3, "(?<") != 0 &&
        pattern.compare(i, 2, "(?") == 0) {
      plain += '(';  // a non-capturing or look-around group: not numbered
      continue;
    }
    if (pattern[i] == '(') {
      ++group;
      if (pattern.compare(i, 3, "(?<") == 0) {
        const std::size_t end = pattern.find('>', i);
        if (end == std::string::npos) return std::nullopt;
        const std::string name = pattern.substr(i + 3, end - i - 3);
        if (name == "text") text_group = group;
        if (name == "value") value_group = group;
        plain += '(';
        i = end;
        continue;
      }
    }
    plain += pattern[i];
  }
  std::smatch m;
  try {
    if (!std::regex_search(option, m, std::regex(plain))) return std::nullopt;
  } catch (const std::regex_error&) {
    return std::nullopt;
  }
  VariableOption result;
  result.value = value_group > 0 ? m[value_group].str() : (group > 0 ? m[1].str() : m[0].str());
  result.text = text_group > 0 ? m[text_group].str() : result.value;
  return result;
}

}  // namespace drmm::e2e
