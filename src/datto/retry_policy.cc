#include "datto/retry_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <vector>

#include "common/ascii.h"
#include "datto/civil_time.h"

namespace drmm::datto {
namespace {

bool ReadInt(std::string_view text, int& out) {
  if (text.empty() || text.size() > 9) return false;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end;
}

int MonthNumber(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  const std::string lower = AsciiLowerCopy(name);
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (lower == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

// The three HTTP-date forms, read as tokens split on space, comma, dash and colon:
//   IMF-fixdate  Sun, 06 Nov 1994 08:49:37 GMT   -> Sun 06 Nov 1994 08 49 37 GMT
//   RFC 850      Sunday, 06-Nov-94 08:49:37 GMT  -> Sunday 06 Nov 94 08 49 37 GMT
//   asctime      Sun Nov  6 08:49:37 1994        -> Sun Nov 6 08 49 37 1994
// Seconds since the epoch, not a time point: a year of nine digits must not overflow.
std::optional<std::int64_t> ParseHttpDateSeconds(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ' ' || text[i] == ',' || text[i] == '-' || text[i] == ':') {
      if (i > start) tokens.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  if (tokens.size() < 7) return std::nullopt;
  int day = 0;
  int month = 0;
  int year = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  bool ok = false;
  if (MonthNumber(tokens[1]) != 0) {  // asctime
    month = MonthNumber(tokens[1]);
    ok = tokens.size() == 7 && ReadInt(tokens[2], day) && ReadInt(tokens[3], hour) &&
         ReadInt(tokens[4], minute) && ReadInt(tokens[5], second) && ReadInt(tokens[6], year);
  } else {
    month = MonthNumber(tokens[2]);
    ok = tokens.size() == 8 && AsciiLowerCopy(tokens[7]) == "gmt" && ReadInt(tokens[1], day) &&
         ReadInt(tokens[3], year) && ReadInt(tokens[4], hour) && ReadInt(tokens[5], minute) &&
         ReadInt(tokens[6], second);
    if (ok && tokens[3].size() == 2) year += year >= 70 ? 1900 : 2000;  // RFC 850's two digits
  }
  if (!ok || month == 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const std::int64_t seconds =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
      std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 + second;
  return seconds;
}

}  // namespace

Duration BackoffDelay(const RetryOptions& options, int retry, double unit_random) {
  using Millis = std::chrono::duration<double, std::milli>;
  const double initial = Millis(options.initial_backoff).count();
  const double cap = Millis(options.max_backoff).count();
  // 2^(retry-1) overflows nothing useful beyond 2^62; the cap has long taken over by then.
  const int exponent = std::clamp(retry - 1, 0, 62);
  const double base = std::min(cap, initial * static_cast<double>(std::uint64_t{1} << exponent));
  const double u = std::clamp(unit_random, 0.0, 1.0);
  const double jittered = base * (1.0 + options.jitter * (2.0 * u - 1.0));
  return std::chrono::duration_cast<Duration>(Millis(std::max(0.0, jittered)));
}

JitterSource::JitterSource(std::uint64_t seed)
    : engine_(seed != 0 ? seed
                        : static_cast<std::uint64_t>(
                              std::chrono::steady_clock::now().time_since_epoch().count())) {}

double JitterSource::Next() {
  std::lock_guard lock(mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
}

std::optional<Duration> ParseRetryAfter(std::string_view value, WallTime now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  constexpr std::int64_t kCeiling = std::chrono::seconds(kRetryAfterCeiling).count();
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // More than 9 digits is beyond the ceiling anyway, and would not fit ReadInt.
    if (value.size() > 9) return kRetryAfterCeiling;
    int seconds = 0;
    if (!ReadInt(value, seconds)) return std::nullopt;
    return std::chrono::seconds(std::min<std::int64_t>(seconds, kCeiling));
  }
  const auto date_seconds = ParseHttpDateSeconds(value);
  if (!date_seconds) return std::nullopt;
  // Compared in seconds since the epoch: a date in the year 999999999 does not fit a
  // system_clock time point (nanoseconds end in 2262), but its seconds fit 64 bits.
  const std::int64_t now_seconds =
      std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
  if (*date_seconds <= now_seconds) return Duration::zero();
  if (*date_seconds - now_seconds >= kCeiling) return kRetryAfterCeiling;
  const WallTime date{std::chrono::seconds(*date_seconds)};
  return std::chrono::duration_cast<Duration>(date - now);
}

bool BodyMentionsRateLimit(std::string_view body) {
  // Datto's rule (shared/datto-api/README.md): a 403 whose body "mentions a rate limit or block"
  // is a block. So: a rate-limit phrase, or any word that starts with "block" ("blocked",
  // "BLOCK"). A lone "limit" is not enough: a permission 403 may say "limited permissions", and
  // a block read from it would pause the account for minutes. When in doubt it is a block:
  // going on through a real one only makes it longer. The body is lower-cased and every run of
  // non-alphanumerics becomes one space, so "Rate-Limit", "rate_limit" and "IP  blocked" read
  // alike. A phrase must start a word and may end inside one ("rate limited", "request limits");
  // "accurate limit" does not match.
  static constexpr std::array<std::string_view, 5> kPhrases = {
      "rate limit", "ratelimit", "too many requests", "request limit", "block"};
  std::string text = " ";
  text.reserve(body.size() + 1);
  for (const char c : body) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0) {
      text.push_back(static_cast<char>(std::tolower(u)));
    } else if (text.back() != ' ') {
      text.push_back(' ');
    }
  }
  // `text` starts with a space and phrases with a letter, so every hit has a character before it.
  return std::any_of(kPhrases.begin(), kPhrases.end(), [&](std::string_view phrase) {
    for (auto pos = text.find(phrase); pos != std::string::npos; pos = text.find(phrase, pos + 1)) {
      if (text[pos - 1] == ' ') return true;
    }
    return false;
  });
}

Verdict ClassifyStatus(int status) {
  if (status == 0) return Verdict::kTransport;
  if (status >= 200 && status < 300) return Verdict::kSuccess;
  if (status >= 500 && status < 600) return Verdict::kServer;
  if (status == 429) return Verdict::kRateLimited;
  if (status == 401) return Verdict::kUnauthorized;
  if (status == 403) return Verdict::kForbidden;
  return Verdict::kOther;
}

}  // namespace drmm::datto
