// A fake HttpTransport for tests of anything that talks to the Datto API through the client.
// It records every request and answers from a queue of scripted responses, falling back to a
// handler function (e.g. a small router) when the queue is empty. Thread-safe: handlers run
// outside the lock, so a handler may block (see WaitForCancel) while other threads send.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "datto/http_transport.h"

namespace drmm::testing {

class ScriptedTransport final : public datto::HttpTransport {
 public:
  using Handler = std::function<datto::HttpResponse(const datto::HttpRequest&)>;

  // Response helpers.
  static datto::HttpResponse Response(int status, std::string body = {},
                                      datto::Headers headers = {}) {
    datto::HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
    return response;
  }
  static datto::HttpResponse Json(std::string body) {
    return Response(200, std::move(body), {{"Content-Type", "application/json"}});
  }
  static datto::HttpResponse TransportError(std::string error = "Connection") {
    datto::HttpResponse response;
    response.transport_error = std::move(error);
    return response;
  }

  ScriptedTransport() = default;
  explicit ScriptedTransport(Handler handler) : handler_(std::move(handler)) {}
  ScriptedTransport(const ScriptedTransport&) = delete;
  ScriptedTransport& operator=(const ScriptedTransport&) = delete;

  // Queued responses answer the next requests in order, before the handler is consulted.
  void Enqueue(datto::HttpResponse response) {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(response));
  }
  void SetHandler(Handler handler) {
    std::lock_guard lock(mutex_);
    handler_ = std::move(handler);
  }

  datto::HttpResponse Send(const datto::HttpRequest& request,
                           const std::stop_token& stop) override {
    // A stop while the handler plays a slow server counts as a cancellation (see WaitForCancel).
    const std::stop_callback cancel(stop, [this] { CancelInFlight(); });
    Handler handler;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      changed_.notify_all();
      if (!queue_.empty()) {
        datto::HttpResponse response = std::move(queue_.front());
        queue_.pop_front();
        return response;
      }
      handler = handler_;
    }
    if (handler) return handler(request);
    return Response(
        599, "ScriptedTransport: no response scripted for " + request.method + " " + request.url);
  }

  // What a stop requested during a Send does; tests may also call it directly.
  void CancelInFlight() {
    std::lock_guard lock(mutex_);
    ++cancels_;
    changed_.notify_all();
  }

  // Every request so far, in arrival order (copies).
  std::vector<datto::HttpRequest> Requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t RequestCount() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  // Requests whose URL contains `fragment`.
  std::size_t CountRequests(std::string_view fragment) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& r : requests_) n += r.url.find(fragment) != std::string::npos ? 1 : 0;
    return n;
  }
  int CancelCount() const {
    std::lock_guard lock(mutex_);
    return cancels_;
  }
  std::size_t QueuedResponses() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
  }

  // Blocks until at least `n` requests arrived, or `timeout` passed; returns whether they did.
  bool WaitForRequests(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
  }
  // For a handler that plays a slow server: blocks until CancelInFlight() is called (or was
  // called before), or `timeout` passed; returns whether it was cancelled.
  bool WaitForCancel(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return cancels_ > 0; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<datto::HttpResponse> queue_;
  Handler handler_;
  std::vector<datto::HttpRequest> requests_;
  int cancels_ = 0;
};

}  // namespace drmm::testing
