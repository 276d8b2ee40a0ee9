#include "common/byte_size.h"

#include <gtest/gtest.h>

namespace drmm {
namespace {

TEST(ByteSize, ReadsDecimalAndBinaryUnits) {
  EXPECT_EQ(ParseByteSize("1048576"), 1048576u);
  EXPECT_EQ(ParseByteSize("512B"), 512u);
  EXPECT_EQ(ParseByteSize("500KB"), 500000u);
  EXPECT_EQ(ParseByteSize("32MiB"), 32u << 20);
  EXPECT_EQ(ParseByteSize("2GB"), 2000000000u);
  EXPECT_EQ(ParseByteSize("1GiB"), 1u << 30);
}

TEST(ByteSize, RejectsWhatIsNotASize) {
  for (const char* bad : {"", "MiB", "32 MiB", "32mib", "-1", "1.5MB", "32M", "99999999999GiB"}) {
    EXPECT_EQ(ParseByteSize(bad), std::nullopt) << bad;
  }
}

TEST(ByteSize, FormatsWithTheLargestExactUnit) {
  EXPECT_EQ(FormatByteSize(32u << 20), "32MiB");
  EXPECT_EQ(FormatByteSize(1536), "1536B");
  EXPECT_EQ(FormatByteSize(3072), "3KiB");
  EXPECT_EQ(FormatByteSize(1000), "1000B");
}

}  // namespace
}  // namespace drmm
