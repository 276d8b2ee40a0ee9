// HTTP basic authentication against the bcrypt hashes of the web config (basic_auth_users),
// checked with libxcrypt's crypt_r. A bcrypt check costs tens of milliseconds of CPU by design,
// so the server never runs one on its I/O threads: Lookup answers from a cache of recent
// verdicts at once, and only a miss goes to Check on a worker. The cache is keyed by a SHA-256
// of user and password (the password itself is not kept), and failures are cached apart from
// successes, so a flood of wrong passwords cannot push a scraper's good credentials out.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/web/web_config.h"

namespace drmm {

// "" when `hash` is a bcrypt hash ($2a$, $2b$ or $2y$, cost 4..31, 60 characters) that crypt_r
// can check; otherwise why not, without quoting the hash.
std::string BcryptHashProblem(std::string_view hash);

// Whether `password` hashes to `hash` (compared in constant time).
bool BcryptMatches(std::string_view password, const std::string& hash);

struct BasicCredentials {
  std::string user;
  std::string password;
};

// The credentials of an Authorization header value ("Basic " + base64 of "user:password",
// the scheme in any case); nullopt when it is anything else.
std::optional<BasicCredentials> ParseBasicAuthorization(std::string_view header);

class BasicAuthenticator {
 public:
  enum class Verdict { kAllowed, kDenied, kUnknown };
  // How a password is checked against a hash; tests count the calls.
  using Matcher = bool (*)(std::string_view password, const std::string& hash);

  explicit BasicAuthenticator(std::vector<BasicAuthUser> users, Matcher matcher = BcryptMatches);
  BasicAuthenticator(const BasicAuthenticator&) = delete;
  BasicAuthenticator& operator=(const BasicAuthenticator&) = delete;

  bool Enabled() const { return !users_.empty(); }
  // The cached verdict for these credentials; kUnknown when Check has to run bcrypt.
  Verdict Lookup(const BasicCredentials& credentials) const;
  // Runs bcrypt (an unknown user is checked against a configured hash too, so the time taken
  // does not tell which user names exist) and caches the verdict. Thread-safe.
  bool Check(const BasicCredentials& credentials);

 private:
  using Key = std::array<std::uint8_t, 32>;
  static Key KeyOf(const BasicCredentials& credentials);

  const std::vector<BasicAuthUser> users_;
  const Matcher matcher_;
  mutable std::mutex mutex_;  // guards the two sets
  std::set<Key> allowed_;
  std::set<Key> denied_;
};

}  // namespace drmm
