// libFuzzer target for the Retry-After parser and the 403 body classifier
// (src/datto/retry_policy.h), which read what a server (or anything in the network path) sends.
// Checks: a wait is never negative nor longer than kRetryAfterCeiling, surrounding blanks change
// nothing, a later "now" never makes the wait longer, and a wait for delta-seconds does not
// depend on "now" at all.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "datto/retry_policy.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "retry_after_fuzz: %s: %.*s\n", what, static_cast<int>(input.size()),
               input.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using drmm::datto::ParseRetryAfter;
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  // 2026-01-01T00:00:00Z, and ten seconds later.
  const drmm::WallTime now{std::chrono::seconds(1'767'225'600)};
  const drmm::WallTime later = now + std::chrono::seconds(10);

  const auto wait = ParseRetryAfter(value, now);
  if (wait) {
    if (*wait < drmm::Duration::zero()) Fail("negative wait", value);
    if (*wait > drmm::datto::kRetryAfterCeiling) Fail("wait above kRetryAfterCeiling", value);
  }
  if (ParseRetryAfter(" \t" + std::string(value) + "\t ", now) != wait) {
    Fail("blanks around the value change the result", value);
  }
  const auto wait_later = ParseRetryAfter(value, later);
  if (wait.has_value() != wait_later.has_value()) Fail("readable at one time only", value);
  if (wait && *wait_later > *wait) Fail("a later now gives a longer wait", value);
  const bool digits_only =
      !value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos;
  if (digits_only && wait != wait_later) Fail("delta-seconds depend on now", value);

  (void)drmm::datto::BodyMentionsRateLimit(value);
  return 0;
}
