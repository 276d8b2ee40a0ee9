// The test-side reader of the text format (tests/support/exposition_text.h) must give back what
// was rendered, or every test that asserts on served text would assert on a misreading.
#include "support/exposition_text.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <stdexcept>

#include "golden_snapshot.h"
#include "prometheus/text_serializer.h"
#include "reference_families.h"
#include "support/metric_query.h"

namespace drmm {
namespace {

TEST(ExpositionTextTest, ReadsBackEverySeriesOfTheGoldenSnapshot) {
  const auto built = testing::ReferenceFamilies(testing::GoldenSnapshot());
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, built);
  const auto parsed = testing::ParseExposition(text.str());
  ASSERT_EQ(parsed.size(), built.size());
  for (std::size_t i = 0; i < built.size(); ++i) {
    SCOPED_TRACE(built[i].name);
    EXPECT_EQ(parsed[i].name, built[i].name);
    EXPECT_EQ(parsed[i].help, built[i].help);
    EXPECT_EQ(parsed[i].type, built[i].type);
    ASSERT_EQ(parsed[i].metric.size(), built[i].metric.size());
    for (std::size_t j = 0; j < built[i].metric.size(); ++j) {
      EXPECT_EQ(parsed[i].metric[j].label, built[i].metric[j].label);
      EXPECT_EQ(parsed[i].metric[j].gauge.value, built[i].metric[j].gauge.value);
    }
  }
}

TEST(ExpositionTextTest, UnescapesLabelValuesAndReadsSpecialValues) {
  const auto parsed = testing::ParseExposition(
      "# TYPE a_total counter\n"
      "a_total{x=\"q\\\"u\\\\o\\nte\"} 3 1700000000000\n"
      "b +Inf\n"
      "b{y=\"\"} -2.5e-3\n");
  EXPECT_EQ(testing::ValueOf(parsed, "a_total", {{"x", "q\"u\\o\nte"}}), 3);
  EXPECT_EQ(testing::ValueOf(parsed, "b", {}), std::numeric_limits<double>::infinity());
  EXPECT_EQ(testing::ValueOf(parsed, "b", {{"y", ""}}), -0.0025);
}

TEST(ExpositionTextTest, MalformedLinesFailLoudly) {
  EXPECT_THROW(testing::ParseExposition("a{x=\"1} 2\n"), std::runtime_error);
  EXPECT_THROW(testing::ParseExposition("a{x=1} 2\n"), std::runtime_error);
  EXPECT_THROW(testing::ParseExposition("a 2x\n"), std::runtime_error);
  EXPECT_THROW(testing::ParseExposition("a\n"), std::runtime_error);
}

}  // namespace
}  // namespace drmm
