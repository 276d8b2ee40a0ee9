#include "exporter/web/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>

#include "common/ascii.h"

namespace drmm {
namespace {

// Verdicts kept per kind; when full, that kind starts over (a scraper's credentials are back
// in the cache after one more bcrypt check).
constexpr std::size_t kMaxCached = 64;
constexpr std::string_view kBcryptAlphabet =
    "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard base64 with padding, strictly (as Go's base64.StdEncoding).
std::optional<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::array<int, 4> values{};
    int padding = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = text[i + static_cast<std::size_t>(j)];
      if (c == '=' && i + 4 == text.size() && j >= 2) {
        values[j] = 0;
        ++padding;
        continue;
      }
      if (padding > 0) return std::nullopt;  // data after '='
      values[j] = Base64Value(c);
      if (values[j] < 0) return std::nullopt;
    }
    const unsigned bits =
        (static_cast<unsigned>(values[0]) << 18) | (static_cast<unsigned>(values[1]) << 12) |
        (static_cast<unsigned>(values[2]) << 6) | static_cast<unsigned>(values[3]);
    out.push_back(static_cast<char>((bits >> 16) & 0xff));
    if (padding < 2) out.push_back(static_cast<char>((bits >> 8) & 0xff));
    if (padding < 1) out.push_back(static_cast<char>(bits & 0xff));
  }
  return out;
}

}  // namespace

std::string BcryptHashProblem(std::string_view hash) {
  constexpr std::string_view kExpected =
      "not a bcrypt hash (expected $2y$, $2b$ or $2a$, a cost and 53 characters, as "
      "htpasswd -nBC 10 \"\" prints)";
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$') {
    return std::string(kExpected);
  }
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return std::string(kExpected);
  if (std::isdigit(static_cast<unsigned char>(hash[4])) == 0 ||
      std::isdigit(static_cast<unsigned char>(hash[5])) == 0) {
    return std::string(kExpected);
  }
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4 || cost > 31) return "a bcrypt cost must be 04..31";
  const std::string_view rest = hash.substr(7);
  if (rest.find_first_not_of(kBcryptAlphabet) != std::string_view::npos) {
    return std::string(kExpected);
  }
  return "";
}

bool BcryptMatches(std::string_view password, const std::string& hash) {
  // crypt_r reads C strings: a password with a NUL byte cannot be what was hashed.
  if (password.find('\0') != std::string_view::npos) return false;
  const std::string plain(password);
  auto data = std::make_unique<crypt_data>();  // 32 KiB: not on the stack
  const char* computed = crypt_r(plain.c_str(), hash.c_str(), data.get());
  if (computed == nullptr || computed[0] == '*') return false;
  const std::string_view result(computed);
  return result.size() == hash.size() &&
         CRYPTO_memcmp(result.data(), hash.data(), hash.size()) == 0;
}

std::optional<BasicCredentials> ParseBasicAuthorization(std::string_view header) {
  constexpr std::string_view kScheme = "basic ";
  if (!StartsWithIgnoringAsciiCase(header, kScheme)) return std::nullopt;
  const auto decoded = DecodeBase64(header.substr(kScheme.size()));
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

BasicAuthenticator::BasicAuthenticator(std::vector<BasicAuthUser> users, Matcher matcher)
    : users_(std::move(users)), matcher_(matcher) {}

BasicAuthenticator::Key BasicAuthenticator::KeyOf(const BasicCredentials& credentials) {
  std::string material = credentials.user;
  material.push_back('\0');
  material += credentials.password;
  Key key{};
  unsigned int size = 0;
  EVP_Digest(material.data(), material.size(), key.data(), &size, EVP_sha256(), nullptr);
  OPENSSL_cleanse(material.data(), material.size());
  return key;
}

BasicAuthenticator::Verdict BasicAuthenticator::Lookup(const BasicCredentials& credentials) const {
  const Key key = KeyOf(credentials);
  std::lock_guard lock(mutex_);
  if (allowed_.contains(key)) return Verdict::kAllowed;
  if (denied_.contains(key)) return Verdict::kDenied;
  return Verdict::kUnknown;
}

bool BasicAuthenticator::Check(const BasicCredentials& credentials) {
  if (users_.empty()) return false;
  const auto user = std::find_if(users_.begin(), users_.end(), [&](const BasicAuthUser& u) {
    return u.name == credentials.user;
  });
  const bool known = user != users_.end();
  const bool matches =
      matcher_(credentials.password, known ? user->bcrypt_hash : users_.front().bcrypt_hash);
  const bool allowed = known && matches;
  const Key key = KeyOf(credentials);
  std::lock_guard lock(mutex_);
  auto& cache = allowed ? allowed_ : denied_;
  if (cache.size() >= kMaxCached) cache.clear();
  cache.insert(key);
  return allowed;
}

}  // namespace drmm
