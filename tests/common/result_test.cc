#include "common/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace drmm {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return Error{std::to_string(n) + " is odd"};
  return n / 2;
}

TEST(Result, HoldsTheValueOrTheError) {
  const Result<int> even = Half(8);
  ASSERT_TRUE(even.ok());
  EXPECT_EQ(even.value(), 4);
  const Result<int> odd = Half(7);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().message, "7 is odd");
}

TEST(Result, ARicherErrorTypeAndAMoveOnlyValue) {
  Result<std::unique_ptr<int>, std::vector<std::string>> value = std::make_unique<int>(3);
  ASSERT_TRUE(value.ok());
  const std::unique_ptr<int> taken = std::move(value).value();
  EXPECT_EQ(*taken, 3);
  const Result<int, std::vector<std::string>> errors = std::vector<std::string>{"a", "b"};
  ASSERT_FALSE(errors.ok());
  EXPECT_EQ(errors.error().size(), 2u);
}

}  // namespace
}  // namespace drmm
