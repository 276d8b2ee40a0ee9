// The faults waiting to fire, in the order they were injected, and which request each one hits.
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "sim/faults.h"

namespace drmm::sim {

// What fault matching needs to know about a request.
struct RequestFacts {
  std::string_view path;
  bool is_list = false;   // a paged list endpoint
  std::int64_t page = 0;  // the requested page (lists only)
};

class FaultQueue {
 public:
  FaultQueue() = default;
  FaultQueue(const FaultQueue&) = delete;
  FaultQueue& operator=(const FaultQueue&) = delete;

  void Add(const FaultSpec& fault);
  void Clear();
  // The pending faults with their remaining counts.
  nlohmann::json ToJson() const;

  // Before the rate window: the first matching rate_limit or block fault, consumed.
  std::optional<FaultSpec> TakeAdmissionFault(const RequestFacts& request);
  // True when an armed revoke_token fault fires on this request (it counts the pages first).
  bool TakeRevocation(const RequestFacts& request);
  // After admission: the first matching fault of any other kind, consumed.
  std::optional<FaultSpec> TakeResponseFault(const RequestFacts& request);

 private:
  struct Pending {
    FaultSpec spec;
    int remaining = 0;
    int pages_left = 0;  // revoke_token
  };
  static bool Matches(const FaultSpec& fault, const RequestFacts& request);
  std::optional<FaultSpec> TakeFirst(const RequestFacts& request, bool admission);

  mutable std::mutex mutex_;
  std::vector<Pending> pending_;
};

}  // namespace drmm::sim
