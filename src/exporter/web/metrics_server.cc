// The one file that includes Beast and Asio (heavy to compile: keep it that way). Each
// connection is a Connection on a strand of its own; two I/O threads run them all, and a
// worker thread takes the slow jobs (bcrypt checks, reloads) so the I/O threads never block.
#include "exporter/web/metrics_server.h"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <list>
#include <mutex>
#include <thread>
#include <variant>

#include "common/http_status.h"
#include "common/listen_address.h"
#include "common/log.h"
#include "exporter/web/http_rules.h"

namespace drmm {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kTextContentType = "text/plain; charset=utf-8";
constexpr std::size_t kReadChunk = 4096;
// Go's answer to plain HTTP on a TLS port, word for word.
constexpr std::string_view kHttpOnHttpsPort =
    "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n";

// A request as routing and authentication need it, read without keeping the rest: the header
// fields are counted (beyond the limit the request is refused) and the body is counted and
// dropped.
class RequestParser final : public http::basic_parser<true> {
 public:
  explicit RequestParser(std::size_t max_fields) : max_fields_(max_fields) {}

  std::string method;
  std::string target;
  std::string authorization;
  std::string accept_encoding;

 private:
  void on_request_impl(http::verb /*verb*/, beast::string_view method_text,
                       beast::string_view target_text, int /*version*/,
                       beast::error_code& /*ec*/) override {
    method.assign(method_text.data(), method_text.size());
    target.assign(target_text.data(), target_text.size());
  }
  void on_response_impl(int /*code*/, beast::string_view /*reason*/, int /*version*/,
                        beast::error_code& ec) override {
    ec = http::error::bad_version;  // never a response on a server
  }
  void on_field_impl(http::field name, beast::string_view /*name_text*/, beast::string_view value,
                     beast::error_code& ec) override {
    if (++fields_ > max_fields_) {
      ec = http::error::header_limit;
      return;
    }
    // The first of each counts, as Go's Header.Get reads it.
    if (name == http::field::authorization && !seen_authorization_) {
      authorization.assign(value.data(), value.size());
      seen_authorization_ = true;
    } else if (name == http::field::accept_encoding && !seen_accept_encoding_) {
      accept_encoding.assign(value.data(), value.size());
      seen_accept_encoding_ = true;
    }
  }
  void on_header_impl(beast::error_code& /*ec*/) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& /*length*/,
                         beast::error_code& /*ec*/) override {}
  std::size_t on_body_impl(beast::string_view body, beast::error_code& /*ec*/) override {
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t /*size*/, beast::string_view /*extensions*/,
                            beast::error_code& /*ec*/) override {}
  std::size_t on_chunk_body_impl(std::uint64_t /*remain*/, beast::string_view body,
                                 beast::error_code& /*ec*/) override {
    return body.size();
  }
  void on_finish_impl(beast::error_code& /*ec*/) override {}

  const std::size_t max_fields_;
  std::size_t fields_ = 0;
  bool seen_authorization_ = false;
  bool seen_accept_encoding_ = false;
};

// The status a request that could not be read gets, or 0 for "just close" (the client went
// away or ran out of time: nobody is listening for an answer).
int StatusForReadError(const beast::error_code& ec) {
  if (ec == http::error::header_limit) return 431;
  if (ec == http::error::body_limit) return 413;
  if (ec.category() == beast::error_code(http::error::bad_target).category()) return 400;
  return 0;
}

std::string Endpoint(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

class MetricsServer::Impl {
 public:
  class Connection;

  Impl(WebOptions options, WebHandlers handlers, std::shared_ptr<const ActiveWebConfig> web)
      : options_(std::move(options)),
        handlers_(std::move(handlers)),
        watcher_(std::move(web),
                 [this](const std::vector<ConfigError>* errors) {
                   if (handlers_.web_config_reread) handlers_.web_config_reread(errors == nullptr);
                 }),
        ioc_(std::in_place, std::max(1, options_.limits.io_threads)) {}

  ~Impl() { Stop(); }

  std::optional<std::string> Bind();
  void Start();
  void Stop();

  int port() const {
    std::lock_guard lock(listeners_mutex_);
    return listening_.empty() ? 0 : listening_.front().port();
  }
  std::vector<std::string> listening() const {
    std::lock_guard lock(listeners_mutex_);
    std::vector<std::string> out;
    for (const auto& endpoint : listening_) out.push_back(Endpoint(endpoint));
    return out;
  }
  void ApplyWebConfig(std::shared_ptr<const ActiveWebConfig> web) {
    watcher_.Replace(std::move(web));
  }

 private:
  friend class Connection;
  struct Listener {
    explicit Listener(net::io_context& ioc) : acceptor(net::make_strand(ioc)), retry(ioc) {}
    tcp::acceptor acceptor;
    net::steady_timer retry;
  };

  std::optional<std::string> Listen(const std::string& address);
  std::optional<std::string> Adopt(int fd);
  void Accept(Listener& listener);
  void OnAccept(Listener& listener, const beast::error_code& ec, tcp::socket socket);

  // Connection bookkeeping: the list is in order of last use, so the front is the connection
  // idle the longest.
  using ConnectionList = std::list<std::weak_ptr<Connection>>;
  // Makes room for one more connection; false when every open one is busy.
  bool MakeRoom();
  void Register(const std::shared_ptr<Connection>& connection);
  void Unregister(Connection& connection);
  void Touch(Connection& connection);

  // Runs `job` on the worker thread; false (and nothing runs) when too many wait already.
  bool RunOnWorker(std::function<void()> job);
  // The Asio view of a config's OpenSSL context, made once per loaded config.
  std::shared_ptr<ssl::context> TlsContextFor(const std::shared_ptr<const ActiveWebConfig>& web);

  const WebOptions options_;
  const WebHandlers handlers_;
  WebConfigWatcher watcher_;
  std::atomic<int> metrics_in_flight_{0};
  std::atomic<int> pending_work_{0};
  std::atomic<bool> stopping_{false};

  std::mutex connections_mutex_;  // guards connections_ and each Connection's position_
  ConnectionList connections_;

  std::mutex tls_mutex_;  // guards the two below
  std::shared_ptr<const ActiveWebConfig> tls_for_;
  std::shared_ptr<ssl::context> tls_context_;

  std::atomic<Clock::rep> last_accept_warning_{0};  // a Clock time since its epoch

  mutable std::mutex listeners_mutex_;  // guards listening_ (read by port() from any thread)
  std::vector<tcp::endpoint> listening_;

  std::optional<net::thread_pool> worker_{std::in_place, 1};
  std::vector<std::thread> threads_;
  bool started_ = false;
  bool stopped_ = false;
  // Last, so it goes first: its destruction destroys the connections still queued in it, and
  // they unregister from the members above.
  std::optional<net::io_context> ioc_;
  std::list<Listener> listeners_;
};

class MetricsServer::Impl::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Impl& server, tcp::socket socket, std::shared_ptr<const ActiveWebConfig> web)
      : server_(server),
        limits_(server.options_.limits),
        executor_(socket.get_executor()),
        stream_(std::in_place_index<0>, std::move(socket)),
        buffer_(limits_.max_header_bytes + kReadChunk),
        web_(std::move(web)) {}

  ~Connection() {
    FinishScrape();
    server_.Unregister(*this);
  }

  void Start() {
    Tcp().expires_at(Clock::now() + limits_.request_timeout);
    beast::error_code ignored;
    Tcp().socket().set_option(tcp::no_delay(true), ignored);
    if (web_->Tls()) {
      beast::async_detect_ssl(Tcp(), buffer_,
                              [self = shared_from_this()](beast::error_code ec, bool tls) {
                                self->OnDetected(ec, tls);
                              });
    } else {
      ReadRequest(/*first=*/true);
    }
  }

  // Closes the socket: pending operations end with an error and the connection goes away.
  // Called on the connection's strand.
  void Close() {
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().close();
  }

  // The connection's strand; safe to read from any thread.
  const net::any_io_executor& executor() const { return executor_; }

  // Bookkeeping of the server's connection list (guarded by its mutex).
  ConnectionList::iterator position_;
  bool registered_ = false;
  // Waiting for a request (or reading one): a connection that may be closed to make room.
  std::atomic<bool> waiting_{true};

 private:
  using Tls = ssl::stream<beast::tcp_stream>;

  beast::tcp_stream& Tcp() {
    return stream_.index() == 0 ? std::get<0>(stream_) : std::get<1>(stream_).next_layer();
  }
  template <typename F>
  void WithStream(F&& f) {
    if (stream_.index() == 0) {
      f(std::get<0>(stream_));
    } else {
      f(std::get<1>(stream_));
    }
  }

  void OnDetected(const beast::error_code& ec, bool tls) {
    if (ec) return Close();
    if (!tls) {
      // Not TLS on a TLS port: say so as Go does, then close.
      WriteRaw(std::string(kHttpOnHttpsPort));
      return;
    }
    tls_context_ = server_.TlsContextFor(web_);
    beast::tcp_stream tcp = std::move(std::get<0>(stream_));
    stream_.emplace<1>(std::move(tcp), *tls_context_);
    std::get<1>(stream_).async_handshake(
        ssl::stream_base::server, buffer_.data(),
        [self = shared_from_this()](beast::error_code handshake_ec, std::size_t used) {
          if (handshake_ec) return self->Close();
          self->buffer_.consume(used);
          self->ReadRequest(/*first=*/true);
        });
  }

  void ReadRequest(bool first) {
    waiting_ = true;
    parser_.emplace(limits_.max_header_fields);
    parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    parser_->body_limit(limits_.max_body_bytes);
    parser_->eager(true);
    // The first request runs on the deadline set at accept; a later one may idle first, and
    // gets its own deadline from its first byte.
    started_ = first;
    if (!first) Tcp().expires_after(limits_.idle_timeout);
    if (buffer_.size() > 0) {
      if (!started_) StartRequestDeadline();
      Parse();
      return;
    }
    ReadMore();
  }

  void StartRequestDeadline() {
    started_ = true;
    Tcp().expires_after(limits_.request_timeout);
  }

  void ReadMore() {
    const std::size_t room = buffer_.max_size() - buffer_.size();
    if (room == 0) return Refuse(431);
    WithStream([this, room](auto& stream) {
      stream.async_read_some(buffer_.prepare(std::min(kReadChunk, room)),
                             [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                               self->OnRead(ec, n);
                             });
    });
  }

  void OnRead(const beast::error_code& ec, std::size_t bytes) {
    if (ec) return Close();  // closed, reset or out of time: nobody waits for an answer
    buffer_.commit(bytes);
    if (!started_) StartRequestDeadline();
    Parse();
  }

  void Parse() {
    beast::error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec || used == 0) break;
    }
    if (ec) {
      const int status = StatusForReadError(ec);
      return status == 0 ? Close() : Refuse(status);
    }
    if (parser_->is_done()) return Handle();
    ReadMore();
  }

  void Handle() {
    waiting_ = false;
    keep_alive_ = parser_->keep_alive();
    head_only_ = parser_->method == "HEAD";
    // Auth and headers follow the web config of now, even on an old connection.
    web_now_ = server_.watcher_.Current();
    if (!web_now_->BasicAuth()) return Route();
    const auto credentials = ParseBasicAuthorization(parser_->authorization);
    if (!credentials) return Unauthorized();
    const auto verdict = web_now_->auth->Lookup(*credentials);
    if (verdict == BasicAuthenticator::Verdict::kAllowed) return Route();
    if (verdict == BasicAuthenticator::Verdict::kDenied) return Unauthorized();
    auto self = shared_from_this();
    const bool queued = server_.RunOnWorker([self, credentials = *credentials, web = web_now_] {
      const bool allowed = web->auth->Check(credentials);
      net::post(self->executor(), [self, allowed] {
        if (allowed) {
          self->Route();
        } else {
          self->Unauthorized();
        }
      });
    });
    if (!queued) Respond(503, kTextContentType, "too many authentication checks waiting\n");
  }

  void Route() {
    const RouteDecision decision =
        RouteRequest(parser_->method, parser_->target, server_.options_.telemetry_path,
                     server_.options_.enable_lifecycle);
    const WebHandlers& handlers = server_.handlers_;
    switch (decision.route) {
      case Route::kMetrics:
        return ServeMetrics();
      case Route::kLanding:
        return Respond(200, "text/html; charset=utf-8", handlers.landing_page());
      case Route::kHealthy:
        return Respond(200, kTextContentType, "Healthy\n");
      case Route::kReady: {
        const Readiness readiness = handlers.readiness();
        return Respond(readiness.ready ? 200 : 503, kTextContentType,
                       readiness.ready ? "Ready\n" : "Not ready: " + readiness.detail + "\n");
      }
      case Route::kReload:
        return Reload();
      case Route::kRefused:
        return Respond(decision.status, kTextContentType, decision.body, decision.allow);
    }
  }

  void ServeMetrics() {
    const WebHandlers& handlers = server_.handlers_;
    if (handlers.scrape_started) handlers.scrape_started();
    scrape_pending_ = true;
    ++server_.metrics_in_flight_;
    const int limit = limits_.max_requests_in_flight;
    if (limit > 0 && server_.metrics_in_flight_.load() > limit) {
      return Respond(503, kTextContentType,
                     "Limit of concurrent requests reached (" + std::to_string(limit) +
                         "), try again later.\n");
    }
    MetricsResponse response;
    try {
      response = handlers.metrics(AcceptsGzip(parser_->accept_encoding));
    } catch (const std::exception& e) {
      // Never crash the scrape endpoint; say what failed so the operator can report it.
      LogError("rendering metrics failed", {{"error", e.what()}});
      return Respond(500, kTextContentType,
                     std::string("error rendering metrics: ") + e.what() + "\n");
    }
    ResponseHead head;
    head.status = 200;
    head.content_type = kExpositionContentType;
    head.gzip = response.gzip;
    Send(std::move(head), std::move(response.body));
  }

  void Reload() {
    auto self = shared_from_this();
    const bool queued = server_.RunOnWorker([self] {
      std::string error;
      try {
        error = self->server_.handlers_.reload ? self->server_.handlers_.reload()
                                               : "reloading is not wired up";
      } catch (const std::exception& e) {
        error = e.what();
      }
      net::post(self->executor(), [self, error = std::move(error)] {
        if (error.empty()) {
          self->Respond(200, kTextContentType, "");
        } else {
          self->Respond(500, kTextContentType, "failed to reload config: " + error + "\n");
        }
      });
    });
    if (!queued) Respond(503, kTextContentType, "too many reloads waiting\n");
  }

  void Unauthorized() { Respond(401, kTextContentType, "Unauthorized\n", "", /*challenge=*/true); }

  void Respond(int status, std::string_view content_type, std::string body,
               const std::string& allow = "", bool challenge = false) {
    ResponseHead head;
    head.status = status;
    head.content_type = content_type;
    if (!allow.empty()) head.headers.emplace_back("Allow", allow);
    if (challenge) head.headers.emplace_back("WWW-Authenticate", "Basic");
    SharedBody shared;
    shared.AppendOwned(std::move(body));
    Send(std::move(head), std::move(shared));
  }

  // A request that could not be read: answered, then the connection is closed (what is left
  // of the request cannot be told apart from the next one).
  void Refuse(int status) {
    waiting_ = false;
    keep_alive_ = false;
    head_only_ = false;
    Respond(status, kTextContentType, std::string(HttpReasonPhrase(status)) + "\n");
  }

  void Send(ResponseHead head, SharedBody body) {
    const auto& web = web_now_ ? web_now_ : web_;
    for (const auto& header : web->config.headers) head.headers.push_back(header);
    head.content_length = body.Size();
    head.close = !keep_alive_ || server_.stopping_;
    head_text_ = FormatResponseHead(head);
    status_ = head.status;
    body_ = std::move(body);
    buffers_.clear();
    buffers_.emplace_back(head_text_.data(), head_text_.size());
    if (!head_only_) {
      for (const auto piece : body_.pieces) {
        if (!piece.empty()) buffers_.emplace_back(piece.data(), piece.size());
      }
    }
    Tcp().expires_after(limits_.write_timeout);
    WithStream([this](auto& stream) {
      net::async_write(
          stream, buffers_,
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnWritten(ec); });
    });
  }

  void WriteRaw(std::string bytes) {
    head_text_ = std::move(bytes);
    Tcp().expires_after(limits_.write_timeout);
    net::async_write(
        Tcp(), net::buffer(head_text_),
        [self = shared_from_this()](beast::error_code, std::size_t) { self->Close(); });
  }

  void OnWritten(const beast::error_code& ec) {
    FinishScrape();
    body_ = SharedBody();
    buffers_.clear();
    if (ec || !keep_alive_ || server_.stopping_) return Close();
    server_.Touch(*this);
    ReadRequest(/*first=*/false);
  }

  void FinishScrape() {
    if (!scrape_pending_) return;
    scrape_pending_ = false;
    --server_.metrics_in_flight_;
    if (server_.handlers_.scrape_finished) server_.handlers_.scrape_finished(status_);
  }

  Impl& server_;
  const WebLimits& limits_;
  const net::any_io_executor executor_;
  std::variant<beast::tcp_stream, Tls> stream_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::shared_ptr<const ActiveWebConfig> web_;      // when the connection was accepted
  std::shared_ptr<const ActiveWebConfig> web_now_;  // when the current request was read
  std::shared_ptr<ssl::context> tls_context_;       // outlives the TLS stream that uses it
  bool started_ = false;                            // the current request's first byte came
  bool keep_alive_ = false;
  bool head_only_ = false;
  bool scrape_pending_ = false;
  int status_ = 0;
  std::string head_text_;
  SharedBody body_;  // keeps the pieces alive until written
  std::vector<net::const_buffer> buffers_;
};

std::optional<std::string> MetricsServer::Impl::Bind() {
  if (!options_.inherited_sockets.empty()) {
    for (const int fd : options_.inherited_sockets) {
      if (auto error = Adopt(fd)) return error;
    }
    return std::nullopt;
  }
  if (options_.listen_addresses.empty()) return "no --web.listen-address to listen on";
  for (const auto& address : options_.listen_addresses) {
    if (auto error = Listen(address)) return error;
  }
  return std::nullopt;
}

std::optional<std::string> MetricsServer::Impl::Listen(const std::string& address) {
  const auto parsed = ParseListenAddress(address);
  if (!parsed) return "--web.listen-address: \"" + address + "\" is not [host]:port";
  const auto port = static_cast<unsigned short>(parsed->port);
  std::vector<tcp::endpoint> candidates;
  const bool wildcard = parsed->host == "0.0.0.0" || parsed->host == "::";
  if (wildcard) {
    // As Go listens on ":port": one IPv6 socket that takes IPv4 too, or IPv4 alone where the
    // machine has no IPv6.
    candidates = {tcp::endpoint(net::ip::address_v6::any(), port),
                  tcp::endpoint(net::ip::address_v4::any(), port)};
  } else {
    beast::error_code ec;
    const auto literal = net::ip::make_address(parsed->host, ec);
    if (!ec) {
      candidates = {tcp::endpoint(literal, port)};
    } else {
      tcp::resolver resolver(*ioc_);
      const auto results = resolver.resolve(parsed->host, std::to_string(port), ec);
      if (ec || results.empty()) {
        return "cannot listen on " + address + ": cannot resolve " + parsed->host + " (" +
               ec.message() + ")";
      }
      // Go listens on the first address a name resolves to; IPv4 first, as Go prefers.
      for (const auto& result : results) {
        if (result.endpoint().address().is_v4()) candidates.push_back(result.endpoint());
      }
      for (const auto& result : results) {
        if (result.endpoint().address().is_v6()) candidates.push_back(result.endpoint());
      }
      candidates.resize(1);
    }
  }
  std::string last_error;
  for (const auto& endpoint : candidates) {
    auto& listener = listeners_.emplace_back(*ioc_);
    beast::error_code ec;
    listener.acceptor.open(endpoint.protocol(), ec);
    if (!ec && endpoint.address().is_v6()) {
      listener.acceptor.set_option(net::ip::v6_only(!wildcard), ec);
    }
    // SO_REUSEADDR only (not SO_REUSEPORT, which would let a second exporter share the port
    // silently): a restart need not wait for TIME_WAIT, a port in use is reported.
    if (!ec) listener.acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) listener.acceptor.bind(endpoint, ec);
    if (!ec) listener.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (!ec) {
      std::lock_guard lock(listeners_mutex_);
      listening_.push_back(listener.acceptor.local_endpoint(ec));
      return std::nullopt;
    }
    last_error = ec.message();
    listeners_.pop_back();
    // Only a machine without IPv6 moves on to the IPv4 wildcard.
    if (!(wildcard && endpoint.address().is_v6() &&
          (ec == net::error::address_family_not_supported ||
           ec == boost::system::errc::address_not_available))) {
      break;
    }
  }
  return "cannot listen on " + address + ": " + last_error;
}

std::optional<std::string> MetricsServer::Impl::Adopt(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  int listening = 0;
  socklen_t listening_length = sizeof(listening);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0 ||
      (storage.ss_family != AF_INET && storage.ss_family != AF_INET6) ||
      getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &listening_length) != 0 ||
      listening == 0) {
    return "inherited socket " + std::to_string(fd) + " is not a listening TCP socket";
  }
  auto& listener = listeners_.emplace_back(*ioc_);
  beast::error_code ec;
  listener.acceptor.assign(storage.ss_family == AF_INET ? tcp::v4() : tcp::v6(), fd, ec);
  if (ec) {
    listeners_.pop_back();
    return "cannot use inherited socket " + std::to_string(fd) + ": " + ec.message();
  }
  std::lock_guard lock(listeners_mutex_);
  listening_.push_back(listener.acceptor.local_endpoint(ec));
  return std::nullopt;
}

void MetricsServer::Impl::Start() {
  if (started_ || stopped_) return;
  started_ = true;
  for (auto& listener : listeners_) {
    net::post(listener.acceptor.get_executor(), [this, &listener] { Accept(listener); });
  }
  const int threads = std::max(1, options_.limits.io_threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_->run(); });
}

void MetricsServer::Impl::Accept(Listener& listener) {
  listener.acceptor.async_accept(net::make_strand(*ioc_),
                                 [this, &listener](beast::error_code ec, tcp::socket socket) {
                                   OnAccept(listener, ec, std::move(socket));
                                 });
}

void MetricsServer::Impl::OnAccept(Listener& listener, const beast::error_code& ec,
                                   tcp::socket socket) {
  if (stopping_ || ec == net::error::operation_aborted) return;
  if (ec) {
    // Out of file descriptors (or a passing network error): free one by closing the longest
    // idle connection, and try again shortly instead of spinning on the error.
    const Clock::rep now = Clock::now().time_since_epoch().count();
    const Clock::rep quiet = Clock::duration(std::chrono::seconds(10)).count();
    Clock::rep last = last_accept_warning_.load();
    if (now - last > quiet && last_accept_warning_.compare_exchange_strong(last, now)) {
      LogWarn("accepting a connection failed", {{"error", ec.message()}});
    }
    MakeRoom();
    listener.retry.expires_after(std::chrono::milliseconds(50));
    listener.retry.async_wait(net::bind_executor(listener.acceptor.get_executor(),
                                                 [this, &listener](beast::error_code wait_ec) {
                                                   if (!wait_ec && !stopping_) Accept(listener);
                                                 }));
    return;
  }
  if (MakeRoom()) {
    auto connection = std::make_shared<Connection>(*this, std::move(socket), watcher_.Current());
    Register(connection);
    net::post(connection->executor(), [connection] { connection->Start(); });
  } else {
    LogDebug("refused a connection: every connection is busy",
             {{"max_connections", std::to_string(options_.limits.max_connections)}});
    beast::error_code ignored;
    socket.close(ignored);
  }
  Accept(listener);
}

bool MetricsServer::Impl::MakeRoom() {
  std::shared_ptr<Connection> evicted;
  {
    std::lock_guard lock(connections_mutex_);
    if (connections_.size() < options_.limits.max_connections) return true;
    for (auto it = connections_.begin(); it != connections_.end(); ++it) {
      auto connection = it->lock();
      if (!connection || !connection->waiting_) continue;
      connection->registered_ = false;
      connections_.erase(it);
      evicted = std::move(connection);
      break;
    }
  }
  if (!evicted) return false;
  LogDebug("closed the longest idle connection to make room for a new one");
  net::post(evicted->executor(), [evicted] { evicted->Close(); });
  return true;
}

void MetricsServer::Impl::Register(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(connections_mutex_);
  connection->position_ = connections_.insert(connections_.end(), connection);
  connection->registered_ = true;
}

void MetricsServer::Impl::Unregister(Connection& connection) {
  std::lock_guard lock(connections_mutex_);
  if (!connection.registered_) return;
  connections_.erase(connection.position_);
  connection.registered_ = false;
}

void MetricsServer::Impl::Touch(Connection& connection) {
  std::lock_guard lock(connections_mutex_);
  if (!connection.registered_) return;
  connections_.splice(connections_.end(), connections_, connection.position_);
}

bool MetricsServer::Impl::RunOnWorker(std::function<void()> job) {
  if (pending_work_.fetch_add(1) >= options_.limits.max_pending_work) {
    --pending_work_;
    return false;
  }
  net::post(*worker_, [this, job = std::move(job)] {
    job();
    --pending_work_;
  });
  return true;
}

std::shared_ptr<ssl::context> MetricsServer::Impl::TlsContextFor(
    const std::shared_ptr<const ActiveWebConfig>& web) {
  std::lock_guard lock(tls_mutex_);
  if (tls_for_ != web) {
    // The Asio context takes over one reference; the loaded config keeps its own.
    SSL_CTX_up_ref(web->tls.get());
    tls_context_ = std::make_shared<ssl::context>(web->tls.get());
    tls_for_ = web;
  }
  return tls_context_;
}

void MetricsServer::Impl::Stop() {
  if (stopped_) return;
  stopped_ = true;
  stopping_ = true;
  // Connections are not drained: a client in the middle of a request gets a closed socket.
  ioc_->stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  // Jobs not started are dropped (a queue of bcrypt checks must not hold the exit up); the
  // pool goes before the context, since the connections its jobs hold use the context.
  worker_->stop();
  worker_->join();
  worker_.reset();
  // Destroying the context destroys every connection's pending handlers, and so the
  // connections, closing their sockets.
  listeners_.clear();
  ioc_.reset();
}

MetricsServer::MetricsServer(WebOptions options, WebHandlers handlers,
                             std::shared_ptr<const ActiveWebConfig> web_config)
    : impl_(
          std::make_unique<Impl>(std::move(options), std::move(handlers), std::move(web_config))) {}

MetricsServer::~MetricsServer() = default;

std::optional<std::string> MetricsServer::Bind() { return impl_->Bind(); }
void MetricsServer::Start() { impl_->Start(); }
void MetricsServer::Stop() { impl_->Stop(); }
int MetricsServer::port() const { return impl_->port(); }
std::vector<std::string> MetricsServer::listening() const { return impl_->listening(); }
void MetricsServer::ApplyWebConfig(std::shared_ptr<const ActiveWebConfig> web_config) {
  impl_->ApplyWebConfig(std::move(web_config));
}

}  // namespace drmm
