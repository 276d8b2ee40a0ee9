// RenderSnapshotText on the hand-made GoldenSnapshot, against testdata/golden.prom. After an
// intended change, review the printed text and run with DRMM_UPDATE_GOLDEN=1 to rewrite it;
// CTest also runs `promtool check metrics` on the file (label `tool`).
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "exporter/metrics/render.h"
#include "golden_file.h"
#include "golden_snapshot.h"

namespace drmm {
namespace {

std::string Render(const Snapshot& snapshot) { return RenderSnapshotText(snapshot); }

TEST(GoldenTest, SnapshotRendersAsTheGoldenFile) {
  const std::string path = testing::SourcePath("tests/exporter/metrics/testdata/golden.prom");
  const std::string actual = Render(testing::GoldenSnapshot());
  if (testing::UpdateGolden()) {
    ASSERT_TRUE(testing::WriteText(path, actual)) << path;
  }
  const auto expected = testing::ReadText(path);
  ASSERT_TRUE(expected.has_value())
      << "missing " << path << " (run with DRMM_UPDATE_GOLDEN=1 to create it)";
  EXPECT_EQ(*expected, actual) << "RenderSnapshotText output differs from " << path
                               << "; if the change is intended, rerun with DRMM_UPDATE_GOLDEN=1."
                               << "\nRegenerated text:\n"
                               << actual;
}

TEST(GoldenTest, RenderingIsDeterministic) {
  EXPECT_EQ(Render(testing::GoldenSnapshot()), Render(testing::GoldenSnapshot()));
}

}  // namespace
}  // namespace drmm
