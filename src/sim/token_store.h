// Access tokens issued by the simulated OAuth endpoint: JWT-shaped strings with a lifetime, that
// can expire or be revoked. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "sim/rng.h"

namespace drmm::sim {

struct IssuedToken {
  std::string access_token;
  std::string refresh_token;
  std::string jti;
  std::int64_t expires_in_seconds = 0;
};

enum class TokenCheck { kValid, kUnknown, kExpired };

class TokenStore {
 public:
  explicit TokenStore(std::uint64_t seed) : rng_(seed) {}
  TokenStore(const TokenStore&) = delete;
  TokenStore& operator=(const TokenStore&) = delete;

  IssuedToken Issue(std::string_view username, SteadyTime now, WallTime wall_now,
                    Duration lifetime);
  TokenCheck Check(std::string_view access_token, SteadyTime now);
  void RevokeAll();
  std::size_t Size() const;

 private:
  mutable std::mutex mutex_;
  Rng rng_;
  std::unordered_map<std::string, SteadyTime> expiry_;  // by access token
};

}  // namespace drmm::sim
