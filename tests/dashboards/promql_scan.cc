#include "promql_scan.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace drmm::lint {
namespace {

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ':';
}
bool IsIdentChar(char c) {
  return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Keywords after which a parenthesised label list may follow ("by (job)"), not an expression.
constexpr std::array<std::string_view, 6> kLabelListKeywords = {
    "by", "without", "on", "ignoring", "group_left", "group_right"};
constexpr std::array<std::string_view, 8> kOtherKeywords = {"and",    "or",    "unless", "bool",
                                                            "offset", "atan2", "inf",    "nan"};
constexpr std::array<std::string_view, 13> kAggregators = {
    "sum",   "min",          "max",     "avg",  "group",    "stddev", "stdvar",
    "count", "count_values", "bottomk", "topk", "quantile", "limitk"};

template <std::size_t N>
bool Contains(const std::array<std::string_view, N>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

class Scanner {
 public:
  explicit Scanner(std::string_view expr) : s_(expr) {}

  PromQlScan Run() {
    // Bounded: every iteration consumes at least one character.
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (IsSpace(c)) {
        ++pos_;
      } else if (c == '#') {
        SkipComment();
      } else if (c == '"' || c == '\'' || c == '`') {
        if (!ReadString()) return Fail("unterminated string literal");
      } else if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
                 (c == '.' && pos_ + 1 < s_.size() &&
                  std::isdigit(static_cast<unsigned char>(s_[pos_ + 1])) != 0)) {
        SkipNumber();
      } else if (IsIdentStart(c)) {
        Identifier();
      } else if (c == '{') {
        if (!last_selector_) {
          out_.errors.push_back("a selector without a metric name at offset " +
                                std::to_string(pos_));
          Selector ignored;
          if (!ReadMatchers(ignored)) return std::move(out_);
        } else if (!ReadMatchers(out_.selectors[*last_selector_])) {
          return std::move(out_);
        }
        last_selector_.reset();
      } else if (c == '[') {
        if (!ReadRange()) return std::move(out_);
      } else if (c == '(') {
        calls_.push_back(pending_call_);
        pending_call_.clear();
        ++pos_;
      } else if (c == ')') {
        if (calls_.empty()) return Fail("unbalanced ')'");
        calls_.pop_back();
        ++pos_;
      } else if (c == '$') {
        out_.errors.push_back("a template variable outside a label matcher or range: '" +
                              std::string(s_.substr(pos_, 20)) + "'");
        ++pos_;
        while (pos_ < s_.size() && (IsIdentChar(s_[pos_]) || s_[pos_] == '{' || s_[pos_] == '}')) {
          ++pos_;
        }
      } else {
        last_selector_.reset();
        pending_call_.clear();
        ++pos_;
      }
    }
    if (!calls_.empty()) out_.errors.emplace_back("unbalanced '('");
    return std::move(out_);
  }

 private:
  PromQlScan Fail(std::string message) {
    out_.errors.push_back(std::move(message));
    return std::move(out_);
  }

  void SkipWs() {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
  }

  void SkipComment() {
    while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
  }

  void SkipNumber() {
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) != 0 ||
                                s_[pos_] == '.' || s_[pos_] == '_')) {
      ++pos_;
    }
    last_selector_.reset();
  }

  // Reads a quoted string at pos_ into `value` (escapes resolved); false when unterminated.
  bool ReadString(std::string* value = nullptr) {
    const char quote = s_[pos_++];
    std::string text;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\' && quote != '`' && pos_ + 1 < s_.size()) ++pos_;
      text.push_back(s_[pos_++]);
    }
    if (pos_ >= s_.size()) return false;
    ++pos_;
    if (value != nullptr) *value = std::move(text);
    last_selector_.reset();
    return true;
  }

  void Identifier() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && IsIdentChar(s_[pos_])) ++pos_;
    const std::string_view word = s_.substr(start, pos_ - start);
    const std::string lower = Lower(word);
    std::size_t next = pos_;
    while (next < s_.size() && IsSpace(s_[next])) ++next;
    const bool call = next < s_.size() && s_[next] == '(';
    last_selector_.reset();
    pending_call_.clear();
    if (Contains(kLabelListKeywords, lower)) {
      if (call) SkipLabelList(next);
      return;
    }
    if (Contains(kOtherKeywords, lower) || Contains(kAggregators, lower)) return;
    if (call) {
      pending_call_ = std::string(word);
      return;
    }
    out_.selectors.push_back(Selector{std::string(word), {}});
    last_selector_ = out_.selectors.size() - 1;
  }

  void SkipLabelList(std::size_t open) {
    const std::size_t close = s_.find(')', open);
    pos_ = close == std::string_view::npos ? s_.size() : close + 1;
  }

  bool ReadMatchers(Selector& selector) {
    ++pos_;  // '{'
    // Bounded by the input: each round consumes a matcher or fails.
    while (true) {
      SkipWs();
      if (pos_ >= s_.size()) return FailBool("unterminated label matchers");
      if (s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      const std::size_t start = pos_;
      while (pos_ < s_.size() && IsIdentChar(s_[pos_])) ++pos_;
      Matcher m;
      m.label = std::string(s_.substr(start, pos_ - start));
      if (m.label.empty()) return FailBool("a label matcher without a label name");
      SkipWs();
      for (const std::string_view op : {"=~", "!~", "!=", "="}) {
        if (s_.substr(pos_, op.size()) == op) {
          m.op = std::string(op);
          pos_ += op.size();
          break;
        }
      }
      if (m.op.empty()) return FailBool("a label matcher without an operator: " + m.label);
      SkipWs();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'' && s_[pos_] != '`')) {
        return FailBool("a label matcher without a quoted value: " + m.label);
      }
      if (!ReadString(&m.value)) return FailBool("unterminated label value: " + m.label);
      selector.matchers.push_back(std::move(m));
      SkipWs();
      if (pos_ < s_.size() && s_[pos_] == ',') ++pos_;
    }
  }

  bool ReadRange() {
    const std::size_t close = s_.find(']', pos_);
    if (close == std::string_view::npos) return FailBool("unterminated range");
    // The innermost enclosing function call; grouping parentheses have no name.
    const auto named = std::find_if(calls_.rbegin(), calls_.rend(),
                                    [](const std::string& call) { return !call.empty(); });
    const std::string function = named == calls_.rend() ? std::string() : *named;
    out_.ranges.push_back(RangeUse{function, std::string(s_.substr(pos_ + 1, close - pos_ - 1))});
    pos_ = close + 1;
    last_selector_.reset();
    return true;
  }

  bool FailBool(std::string message) {
    out_.errors.push_back(std::move(message));
    return false;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  PromQlScan out_;
  std::optional<std::size_t> last_selector_;  // a selector whose `{...}` may follow
  std::string pending_call_;                  // a function name whose `(` comes next
  std::vector<std::string> calls_;            // open parentheses: function name or ""
};

}  // namespace

PromQlScan ScanPromQl(std::string_view expr) { return Scanner(expr).Run(); }

std::vector<std::string> PlainAlternatives(std::string_view regex) {
  std::vector<std::string> out;
  std::string current;
  for (const char c : regex) {
    if (c == '|') {
      if (current.empty()) return {};
      out.push_back(std::move(current));
      current.clear();
    } else if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_') {
      current.push_back(c);
    } else {
      return {};
    }
  }
  if (current.empty()) return {};
  out.push_back(std::move(current));
  return out;
}

}  // namespace drmm::lint
