#include "common/yaml_guard.h"

#include <gtest/gtest.h>

#include <string>

namespace drmm {
namespace {

void ExpectLoopAt(const std::string& text, int line, int column) {
  SCOPED_TRACE(text);
  const auto spot = FindYamlDocumentLoop(text);
  ASSERT_TRUE(spot.has_value());
  EXPECT_EQ(spot->line, line);
  EXPECT_EQ(spot->column, column);
}

TEST(YamlGuard, FindsACommaWhereADocumentOrValueShouldStart) {
  // Each of these makes YAML::LoadAll loop and allocate forever (seen with yaml-cpp 0.7).
  ExpectLoopAt(",", 1, 1);
  ExpectLoopAt("  ,", 1, 3);
  ExpectLoopAt("# comment\n,", 2, 1);
  ExpectLoopAt("--- ,", 1, 5);
  ExpectLoopAt("- x\n,", 2, 1);
  ExpectLoopAt("\"s\"\n,", 2, 1);
  ExpectLoopAt("a: 1\n...\n,", 3, 1);
  ExpectLoopAt("&anchor ,", 1, 9);
  ExpectLoopAt("%YAML 1.2\n---\n,", 3, 1);
}

TEST(YamlGuard, LeavesReadableAndBrokenTextsToTheLoader) {
  for (const std::string text :
       {"", "# only a comment\n", "a: 1\n", "a: 1\n---\nb: 2\n", "a: [x, y]\n", "a: b,c\n", "[a,]",
        "- x\n- y\n", "a: {b: 1, c: 2}\n",
        // Syntax errors: yaml-cpp reports them itself, with a position.
        "[,", "a: ,", "- ,", "a: [1\n", "\tb: 1\n"}) {
    EXPECT_EQ(FindYamlDocumentLoop(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace drmm
