#include "sim/request_log.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace drmm::sim {

std::uint64_t RequestLog::Add(double t, std::string method, std::string path, std::string query,
                              int status) {
  std::lock_guard lock(mutex_);
  const std::uint64_t seq = next_seq_++;
  ++total_;
  ++by_status_[std::to_string(status)];
  ++by_path_[path];
  entries_.push_back({seq, t, std::move(method), std::move(path), std::move(query), status});
  if (entries_.size() > kMaxEntries) entries_.pop_front();
  return seq;
}

nlohmann::json RequestLog::ToJson(std::uint64_t since_seq) const {
  std::lock_guard lock(mutex_);
  nlohmann::json requests = nlohmann::json::array();
  auto it = std::upper_bound(entries_.begin(), entries_.end(), since_seq,
                             [](std::uint64_t seq, const RequestRecord& r) { return seq < r.seq; });
  for (; it != entries_.end(); ++it) {
    requests.push_back({{"seq", it->seq},
                        {"t", it->t},
                        {"method", it->method},
                        {"path", it->path},
                        {"query", it->query},
                        {"status", it->status}});
  }
  return {{"total", total_},
          {"by_status", by_status_},
          {"by_path", by_path_},
          {"last_seq", next_seq_ - 1},
          {"requests", std::move(requests)}};
}

void RequestLog::Reset() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  total_ = 0;
  by_status_.clear();
  by_path_.clear();
}

}  // namespace drmm::sim
