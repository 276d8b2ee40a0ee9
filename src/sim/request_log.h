// Every API request the simulator answered (admin paths excluded), with counters by status and by
// path, so tests can assert exact request counts. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace drmm::sim {

struct RequestRecord {
  std::uint64_t seq = 0;
  double t = 0;  // seconds since the simulator started, from its Clock
  std::string method;
  std::string path;
  std::string query;  // raw, without "?"
  int status = 0;     // 0: the connection was dropped without a response
};

class RequestLog {
 public:
  // Only the newest entries are kept (the counters cover everything since the last reset).
  static constexpr std::size_t kMaxEntries = 100'000;

  RequestLog() = default;
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;

  std::uint64_t Add(double t, std::string method, std::string path, std::string query, int status);
  // {"total", "by_status", "by_path", "last_seq", "requests": [entries with seq > since]}
  nlohmann::json ToJson(std::uint64_t since_seq) const;
  // Clears entries and counters; sequence numbers keep increasing.
  void Reset();

 private:
  mutable std::mutex mutex_;
  std::uint64_t next_seq_ = 1;
  std::deque<RequestRecord> entries_;
  std::uint64_t total_ = 0;
  std::map<std::string, std::uint64_t> by_status_;
  std::map<std::string, std::uint64_t> by_path_;
};

}  // namespace drmm::sim
