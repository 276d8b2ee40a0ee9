#include "exporter/config/yaml_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>

namespace drmm {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Parses `yaml` (a map) and returns the field under `key`, located as the loader would.
class YamlReaderTest : public ::testing::Test {
 protected:
  YamlField FieldOf(const std::string& yaml, std::string_view key = "k") {
    root_ = YAML::Load(yaml);
    static constexpr std::array<std::string_view, 1> kKnown = {"k"};
    auto map = YamlMapReader::Open(YamlField{root_, {1, "x"}}, kKnown, errors_);
    EXPECT_TRUE(map.has_value());
    const YamlField* field = map ? map->Find(key) : nullptr;
    EXPECT_NE(field, nullptr);
    return field ? *field : YamlField{};
  }
  std::vector<std::string> Errors() {
    std::vector<std::string> out;
    for (const auto& e : std::move(errors_).Take()) out.push_back(e.ToString());
    return out;
  }

  YAML::Node root_;
  ConfigErrorList errors_{"f.yaml"};
};

TEST_F(YamlReaderTest, StringsAcceptAnyScalar) {
  EXPECT_EQ(ReadYamlString(FieldOf("k: abc"), errors_), "abc");
  EXPECT_EQ(ReadYamlString(FieldOf("k: 123"), errors_), "123");
  EXPECT_EQ(ReadYamlString(FieldOf("k: ''"), errors_), "");
  EXPECT_THAT(Errors(), IsEmpty());
}

TEST_F(YamlReaderTest, WrongKindsAreNamed) {
  EXPECT_EQ(ReadYamlString(FieldOf("k: [a]"), errors_), std::nullopt);
  EXPECT_EQ(ReadYamlInt(FieldOf("\nk: {a: 1}"), errors_), std::nullopt);
  EXPECT_EQ(ReadYamlBool(FieldOf("\n\nk: [true]"), errors_), std::nullopt);
  EXPECT_EQ(ReadYamlDuration(FieldOf("\n\n\nk: {}"), errors_), std::nullopt);
  EXPECT_EQ(ReadYamlStringList(FieldOf("\n\n\n\nk: {a: b}"), errors_), std::nullopt);
  EXPECT_THAT(Errors(), ElementsAre("f.yaml:1: x.k: expected a string, got a list",
                                    "f.yaml:2: x.k: expected an integer, got a map",
                                    "f.yaml:3: x.k: expected a boolean (true or false), got a list",
                                    "f.yaml:4: x.k: expected a duration (examples: 30s, 5m, "
                                    "1h30m), got a map",
                                    "f.yaml:5: x.k: expected a list, got a map"));
}

TEST_F(YamlReaderTest, EmptyValueIsReportedOnTheKeysLine) {
  // yaml-cpp marks an empty value at the next token (line 3 here); the key's line is meant.
  EXPECT_EQ(ReadYamlString(FieldOf("k:\n\nother: 1\n"), errors_), std::nullopt);
  EXPECT_THAT(Errors(), ElementsAre("f.yaml:1: x.k: has no value",
                                    "f.yaml:3: x.other: unknown key (known keys: k)"));
}

TEST_F(YamlReaderTest, Integers) {
  EXPECT_EQ(ReadYamlInt(FieldOf("k: 42"), errors_), 42);
  EXPECT_EQ(ReadYamlInt(FieldOf("k: -7"), errors_), -7);
  EXPECT_EQ(ReadYamlInt(FieldOf("k: 1e3"), errors_), std::nullopt);
  EXPECT_EQ(ReadYamlInt(FieldOf("k: 0x10"), errors_), std::nullopt);
  EXPECT_EQ(ReadYamlInt(FieldOf("k: 99999999999999999999"), errors_), std::nullopt);
  EXPECT_THAT(Errors(), ElementsAre("f.yaml:1: x.k: \"1e3\" is not an integer",
                                    "f.yaml:1: x.k: \"0x10\" is not an integer",
                                    "f.yaml:1: x.k: \"99999999999999999999\" is too large"));
}

TEST_F(YamlReaderTest, BooleansInTheSpellingsYamlAllows) {
  for (const char* yes : {"true", "True", "TRUE", "yes", "Yes", "on", "y"}) {
    EXPECT_EQ(ReadYamlBool(FieldOf(std::string("k: ") + yes), errors_), true) << yes;
  }
  for (const char* no : {"false", "False", "no", "NO", "off", "n"}) {
    EXPECT_EQ(ReadYamlBool(FieldOf(std::string("k: ") + no), errors_), false) << no;
  }
  EXPECT_EQ(ReadYamlBool(FieldOf("k: 1"), errors_), std::nullopt);
  EXPECT_THAT(Errors(), ElementsAre("f.yaml:1: x.k: \"1\" is not a boolean (true or false)"));
}

TEST_F(YamlReaderTest, Durations) {
  EXPECT_EQ(ReadYamlDuration(FieldOf("k: 1h30m"), errors_), milliseconds(5'400'000));
  EXPECT_EQ(ReadYamlDuration(FieldOf("k: 250ms"), errors_), milliseconds(250));
  EXPECT_EQ(ReadYamlDuration(FieldOf("k: 5 m"), errors_), std::nullopt);
  EXPECT_EQ(ReadYamlDuration(FieldOf("k: 60"), errors_), std::nullopt);
  EXPECT_THAT(Errors(),
              ElementsAre("f.yaml:1: x.k: \"5 m\" is not a duration (examples: 30s, 5m, 1h30m)",
                          "f.yaml:1: x.k: \"60\" is not a duration: add a unit (examples: 30s, "
                          "5m, 1h30m)"));
}

TEST_F(YamlReaderTest, StringListsKeepEachEntrysLocation) {
  const auto list = ReadYamlStringList(FieldOf("k:\n  - a\n  - b\n"), errors_);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].value, "b");
  EXPECT_EQ((*list)[1].at.line, 3);
  EXPECT_EQ((*list)[1].at.path, "x.k[1]");
  EXPECT_THAT(ReadYamlStringList(FieldOf("k: []"), errors_).value(), IsEmpty());
  EXPECT_EQ(ReadYamlStringList(FieldOf("k: [a, [b]]"), errors_), std::nullopt);
  EXPECT_THAT(Errors(), ElementsAre("f.yaml:1: x.k[1]: expected a string, got a list"));
}

TEST_F(YamlReaderTest, LongScalarsAreShortenedInMessages) {
  EXPECT_EQ(ReadYamlInt(FieldOf("k: " + std::string(60, 'z')), errors_), std::nullopt);
  EXPECT_THAT(Errors(),
              ElementsAre("f.yaml:1: x.k: \"" + std::string(40, 'z') + "...\" is not an integer"));
}

TEST(YamlMapReader, RejectsUnknownDuplicateRefusedAndComplexKeys) {
  const YAML::Node node = YAML::Load("a: 1\nb: 2\na: 3\nc: 4\n[x]: 5\nsecret: 6\n");
  static constexpr std::array<std::string_view, 2> kKnown = {"a", "b"};
  static constexpr std::array<YamlMapReader::Refusal, 1> kRefused = {{{"secret", "not here"}}};
  ConfigErrorList errors("f.yaml");
  const auto map = YamlMapReader::Open(YamlField{node, {1, "p"}}, kKnown, errors, kRefused);
  ASSERT_TRUE(map);
  ASSERT_NE(map->Find("a"), nullptr);
  EXPECT_EQ(map->Find("a")->node.Scalar(), "1");  // the first one counts
  EXPECT_EQ(map->Find("a")->at.path, "p.a");
  EXPECT_TRUE(map->Has("b"));
  EXPECT_FALSE(map->Has("c"));
  EXPECT_FALSE(map->Has("secret"));
  std::vector<std::string> lines;
  for (const auto& e : std::move(errors).Take()) lines.push_back(e.ToString());
  EXPECT_THAT(lines, ElementsAre("f.yaml:3: p.a: duplicate key (first set on line 1)",
                                 "f.yaml:4: p.c: unknown key (known keys: a, b)",
                                 "f.yaml:5: p: keys must be plain names, got a list as a key",
                                 "f.yaml:6: p.secret: not here"));
}

TEST(YamlMapReader, NotAMap) {
  ConfigErrorList errors("f.yaml");
  static constexpr std::array<std::string_view, 2> kKnown = {"a", "b"};
  EXPECT_FALSE(YamlMapReader::Open(YamlField{YAML::Load("[1]"), {2, "p"}}, kKnown, errors));
  EXPECT_FALSE(
      YamlMapReader::Open(YamlField{YAML::Node(YAML::NodeType::Null), {3, "q"}}, kKnown, errors));
  std::vector<std::string> lines;
  for (const auto& e : std::move(errors).Take()) lines.push_back(e.ToString());
  EXPECT_THAT(lines, ElementsAre("f.yaml:2: p: expected a map (keys: a, b), got a list",
                                 "f.yaml:3: q: has no value (expected a map with the keys a, b)"));
}

}  // namespace
}  // namespace drmm
