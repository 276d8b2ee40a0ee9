#include "common/json_escape.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace drmm {
namespace {

std::string Escaped(std::string_view text) {
  std::string out;
  AppendJsonEscaped(out, text);
  return out;
}

TEST(JsonEscape, LeavesPlainTextAlone) {
  EXPECT_EQ(Escaped("Main Office / Zürich"), "Main Office / Zürich");
  EXPECT_EQ(Escaped(""), "");
}

TEST(JsonEscape, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Escaped("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(Escaped("line\nnext\r\ttab"), "line\\nnext\\r\\ttab");
  EXPECT_EQ(Escaped(std::string("\x01\x1f", 2)), "\\u0001\\u001f");
}

TEST(JsonEscape, AppendsAndRoundTripsThroughAJsonParser) {
  const std::string text = "say \"hi\"\\ \x02 end\n";
  std::string out = "\"";
  AppendJsonEscaped(out, text);
  out += '"';
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), text);
}

}  // namespace
}  // namespace drmm
