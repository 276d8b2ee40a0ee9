#include "dashboard_queries.h"

#include <optional>
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
                     SubstituteTemplateVariables(expr, rate_range), ""});
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
    if (const auto parts = SplitLabelValues(text)) {
      item.expr = SubstituteTemplateVariables(parts->first, "");
      item.label = parts->second;
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace drmm::e2e
