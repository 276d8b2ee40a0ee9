// Pieces compressed on their own: each inflates back to its text exactly, and a damaged one is
// an error rather than other text (the exposition keeps only the compressed form, and plain
// scrapes read the text back from it).
#include "exporter/metrics/deflate_piece.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace drmm {
namespace {

std::uint32_t Crc32(const std::string& text) {
  return static_cast<std::uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(text.data()), text.size()));
}

TEST(DeflatePieceTest, InflatesBackToItsTextAtEveryLevel) {
  std::string big;
  for (int i = 0; i < 50'000; ++i) {
    big += "datto_rmm_site_devices{account=\"acme\",site_uid=\"s-" + std::to_string(i % 997) +
           "\"} " + std::to_string(i * 7919 % 100'003) + "\n";
  }
  for (const std::string& text : {std::string(), std::string("x"), std::string(70'000, 'a'), big}) {
    for (const int level : {1, 6, 9}) {
      const DeflatedPiece piece = DeflatePiece(text, level);
      EXPECT_EQ(piece.size, text.size());
      EXPECT_EQ(piece.crc, Crc32(text));
      const Result<std::string> inflated = InflatePiece(piece);
      ASSERT_TRUE(inflated.ok()) << inflated.error().message;
      EXPECT_EQ(inflated.value(), text) << text.size() << " bytes at level " << level;
    }
  }
}

TEST(DeflatePieceTest, ADamagedPieceIsAnErrorNotOtherText) {
  const std::string text(10'000, 'z');
  DeflatedPiece truncated = DeflatePiece(text + "tail", 6);
  truncated.deflated.resize(truncated.deflated.size() / 2);
  EXPECT_FALSE(InflatePiece(truncated).ok());
  DeflatedPiece wrong_size = DeflatePiece(text, 6);
  wrong_size.size += 1;
  const Result<std::string> inflated = InflatePiece(wrong_size);
  ASSERT_FALSE(inflated.ok());
  EXPECT_EQ(inflated.error().message, "a prepared piece did not inflate to its recorded size");
}

}  // namespace
}  // namespace drmm
