#include "common/listen_address.h"

#include <gtest/gtest.h>

namespace drmm {
namespace {

TEST(ParseListenAddress, AcceptsThePrometheusForms) {
  auto any = ParseListenAddress(":9768");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->host, "0.0.0.0");
  EXPECT_EQ(any->port, 9768);
  auto v4 = ParseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 0);
  auto v6 = ParseListenAddress("[::1]:9768");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
}

TEST(ParseListenAddress, RejectsWhatCannotBeBound) {
  for (const char* bad : {"9768", "host:", "host:http", ":65536", ":-1", "::1:9768", ":97 68"}) {
    EXPECT_FALSE(ParseListenAddress(bad)) << bad;
  }
}

}  // namespace
}  // namespace drmm
