// A small PromQL scanner for the dashboard and rule lint: finds the vector selectors of an
// expression (metric name plus label matchers) and the range selectors with the function they
// belong to. It is not a parser (promtool checks syntax): it only has to be right about which
// identifiers are series names, so that the lint can check names, labels and template
// variables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace drmm::lint {

struct Matcher {
  std::string label;
  std::string op;  // =, !=, =~, !~
  std::string value;
};

struct Selector {
  std::string name;
  std::vector<Matcher> matchers;
};

// A `[...]` range or subquery, with the innermost function call around it ("rate").
struct RangeUse {
  std::string function;
  std::string range;
};

struct PromQlScan {
  std::vector<Selector> selectors;
  std::vector<RangeUse> ranges;
  // Text that is neither PromQL this scanner understands nor allowed here: a selector without a
  // metric name, a malformed matcher, a `$` outside matchers, ranges and string literals.
  std::vector<std::string> errors;
};

PromQlScan ScanPromQl(std::string_view expr);

// Splits `a|b|c` into its alternatives when the regex is nothing but a plain alternation of
// label-value-like words; empty otherwise (a real regex, which the lint does not check).
std::vector<std::string> PlainAlternatives(std::string_view regex);

}  // namespace drmm::lint
