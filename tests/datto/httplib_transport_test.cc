// The production transport against a real cpp-httplib server on 127.0.0.1:0 (plain and TLS with
// a throw-away self-signed certificate).
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "datto/http_transport.h"
#include "support/gzip_bomb.h"

namespace drmm::datto {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using Steady = std::chrono::steady_clock;

constexpr auto kWaitLimit = std::chrono::seconds(10);

// Runs a server on 127.0.0.1:<any> with the test's routes; /slow blocks until Release().
class LocalServer {
 public:
  explicit LocalServer(std::unique_ptr<httplib::Server> server) : server_(std::move(server)) {
    server_->Get("/echo",
                 [](const httplib::Request& req, httplib::Response& res) { Echo(req, res); });
    server_->Post("/echo",
                  [](const httplib::Request& req, httplib::Response& res) { Echo(req, res); });
    server_->Get("/status/503", [](const httplib::Request&, httplib::Response& res) {
      res.status = 503;
      res.set_header("Retry-After", "30");
      res.set_content("maintenance", "text/plain");
    });
    server_->Get("/redirect", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/echo");
    });
    server_->Get("/big", [](const httplib::Request& req, httplib::Response& res) {
      res.set_header("X-Accept-Encoding", req.get_header_value("Accept-Encoding"));
      res.set_content(BigBody(), "application/json");
    });
    server_->Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock lock(mutex_);
      ++slow_entered_;
      changed_.notify_all();
      changed_.wait_for(lock, kWaitLimit, [&] { return released_; });
      res.set_content("finally", "text/plain");
    });
    // A hostile or broken server: a body trickled a byte at a time, one that never ends, a
    // gzip bomb, a declared length over the cap. Each stops on its own after kWaitLimit.
    server_->Get("/trickle", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/json",
                                       [](std::size_t, httplib::DataSink& sink) {
                                         const auto until = Steady::now() + kWaitLimit;
                                         while (Steady::now() < until && sink.is_writable()) {
                                           if (!sink.write("{", 1)) return false;
                                           std::this_thread::sleep_for(milliseconds(100));
                                         }
                                         sink.done();
                                         return true;
                                       });
    });
    server_->Get("/endless", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/json",
                                       [](std::size_t, httplib::DataSink& sink) {
                                         const std::string chunk(64 * 1024, ' ');
                                         const auto until = Steady::now() + kWaitLimit;
                                         while (Steady::now() < until) {
                                           if (!sink.write(chunk.data(), chunk.size()))
                                             return false;
                                         }
                                         sink.done();
                                         return true;
                                       });
    });
    server_->Get("/bomb", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Encoding", "gzip");
      res.set_content(GzipBomb(), "application/octet-stream");  // not compressed again
    });
    server_->Get("/large", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(3 << 20, 'x'), "application/json");
    });
    server_->set_tcp_nodelay(true);
    server_->set_keep_alive_max_count(1000);  // the default (5) would hide connection reuse
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
  }
  ~LocalServer() {
    Release();
    server_->stop();
    thread_.join();
  }
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;

  static std::string BigBody() {
    std::string body = "{\"devices\":[";
    for (int i = 0; i < 20000; ++i)
      body += (i ? ",{\"udf" : "{\"udf") + std::to_string(i) + "\":null}";
    return body + "]}";
  }

  // 128 MB of zeros in about 130 KB of gzip.
  static const std::string& GzipBomb() {
    static const std::string kBomb = drmm::testing::MakeGzipBomb(128);
    return kBomb;
  }

  int port() const { return port_; }
  std::string Url(const std::string& scheme, const std::string& target) const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + target;
  }
  bool WaitForSlowRequest() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kWaitLimit, [&] { return slow_entered_ > 0; });
  }
  void Release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

 private:
  static void Echo(const httplib::Request& req, httplib::Response& res) {
    std::string target = req.path;
    if (!req.params.empty()) {
      target += "?";
      bool first = true;
      for (const auto& [k, v] : req.params) {
        target += (first ? "" : "&") + k + "=" + v;
        first = false;
      }
    }
    res.set_header("X-Seen-Method", req.method);
    res.set_header("X-Seen-Target", target);
    res.set_header("X-Seen-User-Agent", req.get_header_value("User-Agent"));
    res.set_header("X-Seen-Authorization", req.get_header_value("Authorization"));
    res.set_header("X-Seen-Content-Type", req.get_header_value("Content-Type"));
    res.set_header("X-Seen-Remote-Port", std::to_string(req.remote_port));
    res.set_content("body:" + req.body, "text/plain");
  }

  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int slow_entered_ = 0;
  bool released_ = false;
};

TransportOptions Options() {
  TransportOptions options;
  options.connect_timeout = milliseconds(2000);
  options.read_timeout = milliseconds(5000);
  options.user_agent = "datto-rmm-exporter/test";
  return options;
}

HttpRequest Get(std::string url) { return {"GET", std::move(url), {}, {}}; }

TEST(HttplibTransport, RoundTripsStatusHeadersAndBody) {
  LocalServer server(std::make_unique<httplib::Server>());
  auto transport = MakeHttplibTransport(Options());
  HttpRequest request = Get(server.Url("http", "/echo?max=250&page=0"));
  request.headers = {{"Authorization", "Bearer abc"}, {"Accept", "application/json"}};
  const HttpResponse response = transport->Send(request, {});
  ASSERT_EQ(response.status, 200) << response.transport_error;
  EXPECT_TRUE(response.transport_error.empty());
  EXPECT_EQ(response.body, "body:");
  EXPECT_EQ(response.Header("x-seen-method"), "GET");
  EXPECT_EQ(response.Header("X-SEEN-TARGET"), "/echo?max=250&page=0");
  EXPECT_EQ(response.Header("X-Seen-User-Agent"), "datto-rmm-exporter/test");
  EXPECT_EQ(response.Header("X-Seen-Authorization"), "Bearer abc");
  EXPECT_EQ(response.Header("Content-Type"), "text/plain");
  EXPECT_EQ(response.Header("No-Such-Header"), "");
}

TEST(HttplibTransport, PostsAFormBody) {
  LocalServer server(std::make_unique<httplib::Server>());
  auto transport = MakeHttplibTransport(Options());
  const HttpResponse response =
      transport->Send({"POST",
                       server.Url("http", "/echo"),
                       {{"Content-Type", "application/x-www-form-urlencoded"}},
                       "grant_type=password&username=a%2Bb&password=c%20d"},
                      {});
  ASSERT_EQ(response.status, 200) << response.transport_error;
  EXPECT_EQ(response.body, "body:grant_type=password&username=a%2Bb&password=c%20d");
  EXPECT_EQ(response.Header("X-Seen-Method"), "POST");
  EXPECT_EQ(response.Header("X-Seen-Content-Type"), "application/x-www-form-urlencoded");
}

TEST(HttplibTransport, ReturnsErrorStatusesAsIsAndFollowsNoRedirect) {
  LocalServer server(std::make_unique<httplib::Server>());
  auto transport = MakeHttplibTransport(Options());
  const HttpResponse unavailable = transport->Send(Get(server.Url("http", "/status/503")), {});
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(unavailable.body, "maintenance");
  EXPECT_EQ(unavailable.Header("retry-after"), "30");
  const HttpResponse redirect = transport->Send(Get(server.Url("http", "/redirect")), {});
  EXPECT_EQ(redirect.status, 302);
  EXPECT_EQ(redirect.Header("Location"), "/echo");
  EXPECT_EQ(transport->Send(Get(server.Url("http", "/missing")), {}).status, 404);
}

TEST(HttplibTransport, CarriesALargeBodyCompressed) {
  LocalServer server(std::make_unique<httplib::Server>());
  auto transport = MakeHttplibTransport(Options());
  const HttpResponse response = transport->Send(Get(server.Url("http", "/big")), {});
  ASSERT_EQ(response.status, 200) << response.transport_error;
  EXPECT_EQ(response.Header("X-Accept-Encoding"), "gzip");
  EXPECT_EQ(response.body, LocalServer::BigBody());
}

TEST(HttplibTransport, AReadTimeoutIsATransportErrorWithinBounds) {
  LocalServer server(std::make_unique<httplib::Server>());
  TransportOptions options = Options();
  options.read_timeout = milliseconds(300);
  auto transport = MakeHttplibTransport(options);
  const auto start = Steady::now();
  const HttpResponse response = transport->Send(Get(server.Url("http", "/slow")), {});
  const auto elapsed = Steady::now() - start;
  EXPECT_EQ(response.status, 0);
  EXPECT_THAT(response.transport_error,
              HasSubstr("reading from 127.0.0.1:" + std::to_string(server.port()) + " failed"));
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(3000));
}

TEST(HttplibTransport, ARefusedConnectionIsATransportError) {
  // A port that was free a moment ago: bound, never listened on, closed.
  int port = 0;
  {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), length), 0);
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port = ntohs(address.sin_port);
    ::close(fd);
  }
  auto transport = MakeHttplibTransport(Options());
  const HttpResponse response =
      transport->Send(Get("http://127.0.0.1:" + std::to_string(port) + "/echo"), {});
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.transport_error,
            "cannot connect to 127.0.0.1:" + std::to_string(port) + " (refused or unreachable)");
  EXPECT_EQ(transport->Send(Get("not a url"), {}).status, 0);
}

TEST(HttplibTransport, AStopMakesASendReturnPromptly) {
  LocalServer server(std::make_unique<httplib::Server>());
  TransportOptions options = Options();
  options.read_timeout = milliseconds(30'000);
  auto transport = MakeHttplibTransport(options);
  std::stop_source stop;
  auto pending = std::async(std::launch::async, [&] {
    return transport->Send(Get(server.Url("http", "/slow")), stop.get_token());
  });
  ASSERT_TRUE(server.WaitForSlowRequest());
  const auto cancelled_at = Steady::now();
  stop.request_stop();
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_LT(Steady::now() - cancelled_at, milliseconds(2000));
  const HttpResponse response = pending.get();
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.transport_error.empty());
  // The transport stays usable after a cancellation.
  server.Release();
  EXPECT_EQ(transport->Send(Get(server.Url("http", "/echo")), {}).status, 200);
}

TEST(HttplibTransport, ATrickledBodyEndsAtTheRequestDeadline) {
  LocalServer server(std::make_unique<httplib::Server>());
  TransportOptions options = Options();
  options.read_timeout = milliseconds(5000);  // every read succeeds well within this
  options.request_deadline = milliseconds(700);
  auto transport = MakeHttplibTransport(options);
  const auto start = Steady::now();
  const HttpResponse response = transport->Send(Get(server.Url("http", "/trickle")), {});
  EXPECT_LT(Steady::now() - start, milliseconds(3000));
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.transport_error,
            "no complete response from 127.0.0.1:" + std::to_string(server.port()) +
                " within 700ms (timeouts.request)");
}

TEST(HttplibTransport, BodiesOverTheCapAreRefusedHoweverTheyCome) {
  LocalServer server(std::make_unique<httplib::Server>());
  TransportOptions options = Options();
  options.max_response_bytes = 1 << 20;
  auto transport = MakeHttplibTransport(options);
  const std::string refused = "response from 127.0.0.1:" + std::to_string(server.port()) +
                              " larger than 1048576 bytes (max_response_size)";
  LocalServer::GzipBomb();  // made before the clock starts
  for (const char* path : {"/large", "/endless", "/bomb"}) {
    const auto start = Steady::now();
    const HttpResponse response = transport->Send(Get(server.Url("http", path)), {});
    EXPECT_EQ(response.status, 0) << path;
    EXPECT_EQ(response.transport_error, refused) << path;
    EXPECT_LT(Steady::now() - start, milliseconds(5000)) << path;
  }
  // Under the cap, the same inflating path works.
  EXPECT_EQ(transport->Send(Get(server.Url("http", "/big")), {}).status, 200);
}

TEST(HttplibTransport, AnUnknownHostIsNamedAsSuch) {
  auto transport = MakeHttplibTransport(Options());
  const HttpResponse response = transport->Send(Get("http://no-such-host.invalid/echo"), {});
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.transport_error, "cannot resolve host no-such-host.invalid");
}

TEST(HttplibTransport, SendsConcurrentlyFromSeveralThreadsEachOnItsOwnKeptAliveConnection) {
  LocalServer server(std::make_unique<httplib::Server>());
  auto transport = MakeHttplibTransport(Options());
  struct Outcome {
    int ok = 0;
    std::set<std::string> client_ports;  // one per TCP connection the server saw
  };
  std::vector<std::future<Outcome>> threads;
  for (int t = 0; t < 4; ++t) {
    threads.push_back(std::async(std::launch::async, [&, t] {
      Outcome outcome;
      for (int i = 0; i < 20; ++i) {
        const auto response =
            transport->Send(Get(server.Url("http", "/echo?t=" + std::to_string(t))), {});
        outcome.ok += response.status == 200 &&
                      response.Header("X-Seen-Target") == "/echo?t=" + std::to_string(t);
        outcome.client_ports.insert(response.Header("X-Seen-Remote-Port"));
      }
      return outcome;
    }));
  }
  std::set<std::string> all_ports;
  for (auto& t : threads) {
    const Outcome outcome = t.get();
    EXPECT_EQ(outcome.ok, 20);
    all_ports.insert(outcome.client_ports.begin(), outcome.client_ports.end());
  }
  // Pooled: never more connections than requests at once, each kept alive and reused.
  EXPECT_GE(all_ports.size(), 1u);
  EXPECT_LE(all_ports.size(), 4u);
}

// A self-signed certificate for 127.0.0.1, written as PEM for use as the CA file.
class SelfSignedCert {
 public:
  SelfSignedCert() : key_(EVP_EC_gen("P-256")), cert_(X509_new()) {
    X509_set_version(cert_, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert_), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert_), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert_), 3600);
    X509_set_pubkey(cert_, key_);
    X509_NAME* name = X509_get_subject_name(cert_);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert_, name);
    AddExtension(NID_subject_alt_name, "IP:127.0.0.1");
    AddExtension(NID_basic_constraints, "critical,CA:TRUE");
    X509_sign(cert_, key_, EVP_sha256());
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("drmm-ca-" + std::to_string(::getpid()) + ".pem");
    FILE* file = std::fopen(path_.c_str(), "w");
    PEM_write_X509(file, cert_);
    std::fclose(file);
  }
  ~SelfSignedCert() {
    std::filesystem::remove(path_);
    X509_free(cert_);
    EVP_PKEY_free(key_);
  }
  SelfSignedCert(const SelfSignedCert&) = delete;
  SelfSignedCert& operator=(const SelfSignedCert&) = delete;

  X509* cert() const { return cert_; }
  EVP_PKEY* key() const { return key_; }
  std::string path() const { return path_.string(); }

 private:
  void AddExtension(int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert_, cert_, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert_, ext, -1);
    X509_EXTENSION_free(ext);
  }

  EVP_PKEY* key_;
  X509* cert_;
  std::filesystem::path path_;
};

TEST(HttplibTransport, VerifiesTheServerCertificate) {
  SelfSignedCert cert;
  LocalServer server(std::make_unique<httplib::SSLServer>(cert.cert(), cert.key()));
  const std::string url = server.Url("https", "/echo");

  // The system trust store does not know this certificate.
  const HttpResponse untrusted = MakeHttplibTransport(Options())->Send(Get(url), {});
  EXPECT_EQ(untrusted.status, 0);
  EXPECT_THAT(untrusted.transport_error, HasSubstr("TLS"));

  TransportOptions with_ca = Options();
  with_ca.ca_file = cert.path();
  const HttpResponse trusted = MakeHttplibTransport(with_ca)->Send(Get(url), {});
  EXPECT_EQ(trusted.status, 200) << trusted.transport_error;

  TransportOptions unverified = Options();
  unverified.verify_tls = false;
  EXPECT_EQ(MakeHttplibTransport(unverified)->Send(Get(url), {}).status, 200);
}

}  // namespace
}  // namespace drmm::datto
