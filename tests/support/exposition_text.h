// Reads Prometheus text exposition (format 0.0.4) back into prometheus::MetricFamily values, so
// tests can assert on what /metrics serves with the lookups of metric_query.h whatever produced
// the text. Gauges, counters and untyped samples become one ClientMetric each; the _bucket, _sum
// and _count lines of a histogram or summary are kept as untyped families of their own names.
// A line it cannot read makes it throw std::runtime_error naming the line: a test should fail
// loudly on malformed output, never skip it.
#pragma once

#include <cstdlib>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "prometheus/metric_family.h"

namespace drmm::testing {

namespace exposition_detail {

inline prometheus::MetricType TypeFromName(std::string_view name) {
  if (name == "counter") return prometheus::MetricType::Counter;
  if (name == "gauge") return prometheus::MetricType::Gauge;
  if (name == "histogram") return prometheus::MetricType::Histogram;
  if (name == "summary") return prometheus::MetricType::Summary;
  return prometheus::MetricType::Untyped;
}

inline double ParseValue(std::string_view text, std::string_view line) {
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  if (text == "NaN" || text == "Nan") return std::numeric_limits<double>::quiet_NaN();
  const std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size()) {
    throw std::runtime_error("bad sample value in line: " + std::string(line));
  }
  return value;
}

// Reads `{a="x",b="y"}` starting at text[pos] == '{'; leaves pos after the '}'.
inline std::vector<prometheus::ClientMetric::Label> ParseLabels(std::string_view text,
                                                                std::size_t& pos,
                                                                std::string_view line) {
  std::vector<prometheus::ClientMetric::Label> labels;
  auto fail = [&] { throw std::runtime_error("bad label set in line: " + std::string(line)); };
  ++pos;  // '{'
  while (pos < text.size() && text[pos] != '}') {
    const std::size_t eq = text.find('=', pos);
    if (eq == std::string_view::npos || eq + 1 >= text.size() || text[eq + 1] != '"') fail();
    prometheus::ClientMetric::Label label;
    label.name = std::string(text.substr(pos, eq - pos));
    pos = eq + 2;
    while (true) {
      if (pos >= text.size()) fail();
      const char c = text[pos++];
      if (c == '"') break;
      if (c != '\\') {
        label.value += c;
        continue;
      }
      if (pos >= text.size()) fail();
      const char escaped = text[pos++];
      if (escaped == 'n') {
        label.value += '\n';
      } else if (escaped == '\\' || escaped == '"') {
        label.value += escaped;
      } else {
        fail();
      }
    }
    labels.push_back(std::move(label));
    if (pos < text.size() && text[pos] == ',') ++pos;
  }
  if (pos >= text.size()) fail();
  ++pos;  // '}'
  return labels;
}

}  // namespace exposition_detail

inline std::vector<prometheus::MetricFamily> ParseExposition(std::string_view text) {
  using namespace exposition_detail;
  std::vector<prometheus::MetricFamily> families;
  std::map<std::string, std::size_t, std::less<>> index;
  std::map<std::string, prometheus::MetricType, std::less<>> declared;
  auto family_for = [&](const std::string& name) -> prometheus::MetricFamily& {
    const auto [it, inserted] = index.try_emplace(name, families.size());
    if (inserted) {
      prometheus::MetricFamily family;
      family.name = name;
      const auto type = declared.find(name);
      family.type = type == declared.end() ? prometheus::MetricType::Untyped : type->second;
      families.push_back(std::move(family));
    }
    return families[it->second];
  };
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      const std::string_view rest = line.substr(7);
      const std::size_t space = rest.find(' ');
      if (space == std::string_view::npos)
        throw std::runtime_error("bad line: " + std::string(line));
      const std::string name(rest.substr(0, space));
      if (line[2] == 'T') {
        declared[name] = TypeFromName(rest.substr(space + 1));
        family_for(name).type = declared[name];
      } else {
        family_for(name).help = std::string(rest.substr(space + 1));
      }
      continue;
    }
    if (line.front() == '#') continue;
    std::size_t pos = line.find_first_of("{ ");
    if (pos == std::string_view::npos) throw std::runtime_error("bad line: " + std::string(line));
    const std::string name(line.substr(0, pos));
    prometheus::ClientMetric metric;
    if (line[pos] == '{') metric.label = ParseLabels(line, pos, line);
    if (pos >= line.size() || line[pos] != ' ') {
      throw std::runtime_error("no value in line: " + std::string(line));
    }
    std::string_view value = line.substr(pos + 1);
    if (const std::size_t space = value.find(' '); space != std::string_view::npos) {
      value = value.substr(0, space);  // a timestamp follows
    }
    const double number = ParseValue(value, line);
    auto& family = family_for(name);
    if (family.type == prometheus::MetricType::Counter) {
      metric.counter.value = number;
    } else {
      metric.gauge.value = number;  // what metric_query.h's ValueOf reads
      metric.untyped.value = number;
    }
    family.metric.push_back(std::move(metric));
  }
  return families;
}

}  // namespace drmm::testing
