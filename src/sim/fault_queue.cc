#include "sim/fault_queue.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace drmm::sim {

void FaultQueue::Add(const FaultSpec& fault) {
  std::lock_guard lock(mutex_);
  pending_.push_back({fault, std::max(fault.count, 1), fault.after_pages});
}

void FaultQueue::Clear() {
  std::lock_guard lock(mutex_);
  pending_.clear();
}

nlohmann::json FaultQueue::ToJson() const {
  std::lock_guard lock(mutex_);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : pending_) {
    nlohmann::json j = FaultToJson(p.spec);
    j["remaining"] = p.remaining;
    if (p.spec.kind == FaultKind::kRevokeToken) j["pages_left"] = p.pages_left;
    list.push_back(std::move(j));
  }
  return list;
}

bool FaultQueue::Matches(const FaultSpec& fault, const RequestFacts& request) {
  if (!request.path.starts_with(fault.path_prefix)) return false;
  switch (fault.kind) {
    case FaultKind::kForeignNextPage:
    case FaultKind::kRevokeToken:
      return request.is_list;
    case FaultKind::kRepeatItems:
      return request.is_list && request.page >= 1;
    default:
      return true;
  }
}

std::optional<FaultSpec> FaultQueue::TakeFirst(const RequestFacts& request, bool admission) {
  std::lock_guard lock(mutex_);
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    const FaultKind kind = it->spec.kind;
    if (kind == FaultKind::kRevokeToken) continue;
    const bool admission_kind = kind == FaultKind::kRateLimit || kind == FaultKind::kBlock;
    if (admission_kind != admission || !Matches(it->spec, request)) continue;
    FaultSpec fault = it->spec;
    if (--it->remaining <= 0) pending_.erase(it);
    return fault;
  }
  return std::nullopt;
}

std::optional<FaultSpec> FaultQueue::TakeAdmissionFault(const RequestFacts& request) {
  return TakeFirst(request, true);
}

std::optional<FaultSpec> FaultQueue::TakeResponseFault(const RequestFacts& request) {
  return TakeFirst(request, false);
}

bool FaultQueue::TakeRevocation(const RequestFacts& request) {
  std::lock_guard lock(mutex_);
  bool fired = false;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->spec.kind != FaultKind::kRevokeToken || !Matches(it->spec, request)) {
      ++it;
      continue;
    }
    if (it->pages_left > 0) {
      --it->pages_left;
      ++it;
      continue;
    }
    fired = true;
    if (--it->remaining <= 0) {
      it = pending_.erase(it);
    } else {
      it->pages_left = it->spec.after_pages;
      ++it;
    }
  }
  return fired;
}

}  // namespace drmm::sim
