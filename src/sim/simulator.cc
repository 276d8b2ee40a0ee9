// The HTTP side of the simulator: the only file of src/sim that includes httplib.h.
#include "sim/simulator.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <stop_token>
#include <system_error>
#include <thread>

#include "common/log.h"
#include "sim/service.h"

namespace drmm::sim {
namespace {

int PortOf(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return -1;
}

// cpp-httplib gives handlers no access to their socket, so a "dropped connection" finds it among
// the process's descriptors by its two ports and shuts it down: the client sees the connection
// close before any byte of a response, and httplib's own write then fails quietly.
void ShutdownConnection(int local_port, int remote_port) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
    const std::string name = entry.path().filename().string();
    int sock = -1;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), sock);
    if (ec != std::errc() || end != name.data() + name.size()) continue;
    sockaddr_storage local{};
    sockaddr_storage peer{};
    socklen_t local_len = sizeof local;
    socklen_t peer_len = sizeof peer;
    if (getsockname(sock, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) continue;
    if (PortOf(local) != local_port) continue;
    if (getpeername(sock, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    if (PortOf(peer) != remote_port) continue;
    shutdown(sock, SHUT_RDWR);
    break;
  }
}

// cpp-httplib listens with a backlog of 5, compiled into Debian's library (0.11 and 0.18 alike).
// An exporter opening its connection pool (20 connections at its defaults) at once overflows the
// accept queue; the kernel drops the extra SYNs and the client resends them a second later, so
// those requests arrive a second late. listen() again on the bound socket raises the backlog.
constexpr int kListenBacklog = 256;

SimRequest ToSimRequest(const httplib::Request& req) {
  SimRequest r;
  r.method = req.method;
  r.path = req.path;
  const auto question = req.target.find('?');
  if (question != std::string::npos) r.query = req.target.substr(question + 1);
  r.headers.reserve(req.headers.size());
  for (const auto& [key, value] : req.headers) r.headers.emplace_back(key, value);
  r.body = req.body;
  return r;
}

}  // namespace

class Simulator::Impl {
 public:
  Impl(const SimulatorOptions& options, Clock& clock) : clock_(clock), service_(options, clock) {}

  ~Impl() { Stop(); }

  int Start() {
    std::lock_guard lock(mutex_);
    if (started_) throw std::logic_error("Simulator::Start called twice");
    started_ = true;
    server_ = std::make_unique<httplib::Server>();
    const auto threads = static_cast<std::size_t>(service_.options().threads);
    server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    // Long enough for a client walking pages back to back; short enough that an idle
    // keep-alive connection never delays Stop() by more than a second.
    server_->set_keep_alive_max_count(10'000);
    server_->set_keep_alive_timeout(1);
    server_->set_read_timeout(5, 0);
    server_->set_write_timeout(10, 0);
    server_->set_tcp_nodelay(true);
    // Not cpp-httplib's default SO_REUSEPORT: a second simulator on the same port must fail to
    // start rather than silently take half the requests.
    // Called for the listening socket only, before bind: kept to raise its backlog after it.
    server_->set_socket_options([this](int sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
      listening_socket_ = sock;
    });
    const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      Serve(req, res);
    };
    server_->Get(".*", handler);
    server_->Post(".*", handler);
    server_->Put(".*", handler);
    server_->Delete(".*", handler);
    server_->Patch(".*", handler);
    server_->Options(".*", handler);

    const int wanted = service_.options().port;
    const int bound = wanted == 0 ? server_->bind_to_any_port("127.0.0.1")
                                  : (server_->bind_to_port("127.0.0.1", wanted) ? wanted : -1);
    if (bound <= 0) {
      server_.reset();
      throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(wanted));
    }
    port_ = bound;
    RaiseListenBacklog();
    service_.SetOrigin(BaseUrl());
    listener_done_ = false;
    listener_ = std::thread([this, server = server_.get()] {
      server->listen_after_bind();
      listener_done_ = true;
    });
    // httplib's stop() does nothing until the accept loop runs, so a Stop() right after Start()
    // would leave the listener blocked in accept(): wait for the loop (bounded).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_->is_running() && !listener_done_ &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    LogInfo("simulator listening", {{"url", BaseUrl()}});
    return bound;
  }

  void Stop() {
    std::lock_guard lock(mutex_);
    if (!server_) return;
    stop_.request_stop();  // releases responses held back by a delay
    server_->stop();
    if (listener_.joinable()) listener_.join();
    server_.reset();
  }

  int port() const { return port_.load(); }
  std::string BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port_.load()); }
  Service& service() { return service_; }

 private:
  void RaiseListenBacklog() const {
    int listening = 0;
    socklen_t length = sizeof listening;
    const bool is_listening =
        listening_socket_ >= 0 &&
        getsockopt(listening_socket_, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0 &&
        listening != 0;
    if (!is_listening || ::listen(listening_socket_, kListenBacklog) != 0) {
      LogWarn("simulator: cannot raise the listen backlog; a burst of new connections may wait",
              {{"backlog", std::to_string(kListenBacklog)}});
    }
  }

  void Serve(const httplib::Request& req, httplib::Response& res) {
    SimResponse response = service_.Handle(ToSimRequest(req));
    if (response.drop_connection) {
      ShutdownConnection(req.local_port, req.remote_port);
      res.status = 500;
      return;
    }
    if (response.delay > Duration::zero()) clock_.SleepFor(response.delay, stop_.get_token());
    res.status = response.status;
    for (const auto& [key, value] : response.headers) res.set_header(key, value);
    res.set_header("Content-Type", response.content_type);
    res.body = std::move(response.body);
  }

  Clock& clock_;
  Service service_;
  std::stop_source stop_;
  std::atomic<int> port_{0};
  std::mutex mutex_;  // guards started_, server_ and listener_ (Start/Stop)
  bool started_ = false;
  std::unique_ptr<httplib::Server> server_;
  int listening_socket_ = -1;  // set by the socket options callback during bind
  std::thread listener_;
  std::atomic<bool> listener_done_{false};
};

Simulator::Simulator(const SimulatorOptions& options, Clock& clock)
    : impl_(std::make_unique<Impl>(options, clock)) {}

Simulator::~Simulator() = default;

int Simulator::Start() { return impl_->Start(); }
void Simulator::Stop() { impl_->Stop(); }
int Simulator::port() const { return impl_->port(); }
std::string Simulator::base_url() const { return impl_->BaseUrl(); }
std::string Simulator::advertised_url() const { return impl_->service().Origin(); }
nlohmann::json Simulator::GroundTruth() const { return impl_->service().GroundTruth(); }
nlohmann::json Simulator::RequestLog(std::uint64_t since_seq) const {
  return impl_->service().RequestLog(since_seq);
}
void Simulator::ResetRequestLog() { impl_->service().ResetRequestLog(); }
void Simulator::InjectFault(const FaultSpec& fault) { impl_->service().InjectFault(fault); }
void Simulator::ClearFaults() { impl_->service().ClearFaults(); }
void Simulator::ApplyChurn(int events) { impl_->service().ApplyChurn(events); }
void Simulator::RevokeAllTokens() { impl_->service().RevokeAllTokens(); }
void Simulator::SetOtherConsumersRpm(double rpm) { impl_->service().SetOtherConsumersRpm(rpm); }
void Simulator::SetChurnPerMinute(double per_minute) {
  impl_->service().SetChurnPerMinute(per_minute);
}

}  // namespace drmm::sim
