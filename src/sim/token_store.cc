#include "sim/token_store.h"

#include <nlohmann/json.hpp>

#include "sim/encoding.h"

namespace drmm::sim {
namespace {

std::string RandomBytes(Rng& rng, int words) {
  std::string bytes;
  for (int i = 0; i < words; ++i) {
    const std::uint64_t v = rng.Next();
    for (int b = 0; b < 8; ++b) bytes += static_cast<char>((v >> (8 * b)) & 0xff);
  }
  return bytes;
}

}  // namespace

IssuedToken TokenStore::Issue(std::string_view username, SteadyTime now, WallTime wall_now,
                              Duration lifetime) {
  std::lock_guard lock(mutex_);
  // Forget expired tokens so a long-running simulator does not accumulate them.
  std::erase_if(expiry_, [&](const auto& entry) { return entry.second <= now; });

  IssuedToken token;
  token.jti = rng_.Uuid();
  token.expires_in_seconds = std::chrono::duration_cast<std::chrono::seconds>(lifetime).count();
  const auto exp =
      std::chrono::duration_cast<std::chrono::seconds>(
          (wall_now + std::chrono::duration_cast<WallTime::duration>(lifetime)).time_since_epoch())
          .count();
  const nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  const nlohmann::json payload = {{"user_name", std::string(username)},
                                  {"scope", nlohmann::json::array({"default"})},
                                  {"exp", exp},
                                  {"authorities", nlohmann::json::array({"ROLE_API_USER"})},
                                  {"jti", token.jti},
                                  {"client_id", "public-client"}};
  token.access_token = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump()) +
                       "." + Base64UrlEncode(RandomBytes(rng_, 32));
  token.refresh_token = Base64UrlEncode(header.dump()) + "." +
                        Base64UrlEncode(nlohmann::json{{"ati", token.jti}}.dump()) + "." +
                        Base64UrlEncode(RandomBytes(rng_, 32));
  expiry_[token.access_token] = now + lifetime;
  return token;
}

TokenCheck TokenStore::Check(std::string_view access_token, SteadyTime now) {
  std::lock_guard lock(mutex_);
  const auto it = expiry_.find(std::string(access_token));
  if (it == expiry_.end()) return TokenCheck::kUnknown;
  if (it->second <= now) return TokenCheck::kExpired;
  return TokenCheck::kValid;
}

void TokenStore::RevokeAll() {
  std::lock_guard lock(mutex_);
  expiry_.clear();
}

std::size_t TokenStore::Size() const {
  std::lock_guard lock(mutex_);
  return expiry_.size();
}

}  // namespace drmm::sim
