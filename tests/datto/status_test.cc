#include "datto/status.h"

#include <gtest/gtest.h>

namespace drmm::datto {
namespace {

TEST(ErrorKindName, IsStableSnakeCase) {
  EXPECT_STREQ(ErrorKindName(ErrorKind::kCredentials), "credentials");
  EXPECT_STREQ(ErrorKindName(ErrorKind::kRateLimited), "rate_limited");
  EXPECT_STREQ(ErrorKindName(ErrorKind::kProtocol), "protocol");
  EXPECT_STREQ(ErrorKindName(ErrorKind::kCancelled), "cancelled");
}

}  // namespace
}  // namespace drmm::datto
