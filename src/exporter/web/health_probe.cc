// The second (and last) file that includes Asio and Beast: the client side of --healthcheck.
#include "exporter/web/health_probe.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <optional>

#include "common/listen_address.h"
#include "exporter/web/web_config.h"

namespace drmm {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr auto kConnectTimeout = std::chrono::seconds(2);
constexpr auto kAnswerTimeout = std::chrono::seconds(3);
constexpr std::string_view kWantsTls = "Client sent an HTTP request to an HTTPS server.";

struct Answer {
  int status = 0;  // 0: none
  std::string www_authenticate;
  std::string body;
  bool client_certificate_requested = false;
  std::string error;
};

// Where the Answer hangs on the SSL object (Asio keeps its own data in the "app data" slot).
int AnswerIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// OpenSSL calls this when the server asks for a client certificate: note it and send none.
int NoteCertificateRequest(SSL* ssl, X509** /*certificate*/, EVP_PKEY** /*key*/) {
  auto* answer = static_cast<Answer*>(SSL_get_ex_data(ssl, AnswerIndex()));
  if (answer != nullptr) answer->client_certificate_requested = true;
  return 0;
}

class Probe {
 public:
  Probe(const std::string& host, int port, bool tls) : host_(host), port_(port), tls_(tls) {}

  Answer Run() {
    beast::error_code ec;
    const auto address = net::ip::make_address(host_, ec);
    if (ec) {
      answer_.error = "\"" + host_ + "\" is not an IP address";
      return answer_;
    }
    endpoint_ = tcp::endpoint(address, static_cast<unsigned short>(port_));
    request_ = "GET /-/healthy HTTP/1.1\r\nHost: " + (address.is_v6() ? "[" + host_ + "]" : host_) +
               ":" + std::to_string(port_) +
               "\r\nUser-Agent: datto-rmm-exporter-healthcheck\r\nConnection: close\r\n\r\n";
    parser_.body_limit(64 * 1024);
    tcp_.expires_after(kConnectTimeout);
    tcp_.async_connect(endpoint_, [this](beast::error_code connect_ec) { OnConnect(connect_ec); });
    ioc_.run();
    return answer_;
  }

 private:
  void OnConnect(const beast::error_code& ec) {
    if (ec) return Fail("cannot connect", ec);
    tcp_.expires_after(kAnswerTimeout);
    if (!tls_) {
      net::async_write(tcp_, net::buffer(request_),
                       [this](beast::error_code write_ec, std::size_t) { OnWritten(write_ec); });
      return;
    }
    context_.emplace(ssl::context::tls_client);
    context_->set_verify_mode(ssl::verify_none);
    SSL_CTX_set_client_cert_cb(context_->native_handle(), NoteCertificateRequest);
    tls_stream_.emplace(std::move(tcp_), *context_);
    SSL_set_ex_data(tls_stream_->native_handle(), AnswerIndex(), &answer_);
    tls_stream_->async_handshake(ssl::stream_base::client, [this](beast::error_code hs_ec) {
      if (hs_ec) return Fail("TLS handshake failed", hs_ec);
      net::async_write(*tls_stream_, net::buffer(request_),
                       [this](beast::error_code write_ec, std::size_t) { OnWritten(write_ec); });
    });
  }

  void OnWritten(const beast::error_code& ec) {
    if (ec) return Fail("sending the request failed", ec);
    const auto on_read = [this](beast::error_code read_ec, std::size_t) {
      if (read_ec) return Fail("no answer", read_ec);
      const auto& response = parser_.get();
      answer_.status = static_cast<int>(response.result_int());
      answer_.www_authenticate = std::string(response[http::field::www_authenticate]);
      answer_.body = response.body();
    };
    if (tls_stream_) {
      http::async_read(*tls_stream_, buffer_, parser_, on_read);
    } else {
      http::async_read(tcp_, buffer_, parser_, on_read);
    }
  }

  void Fail(const std::string& what, const beast::error_code& ec) {
    // A TLS server answers a plain request with a bare HTTP/1.0 400 that ends the connection.
    answer_.error = what + ": " + ec.message();
  }

  const std::string host_;
  const int port_;
  const bool tls_;
  net::io_context ioc_;
  beast::tcp_stream tcp_{ioc_};
  std::optional<ssl::context> context_;
  std::optional<ssl::stream<beast::tcp_stream>> tls_stream_;
  tcp::endpoint endpoint_;
  std::string request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  Answer answer_;
};

// 0 and what was seen when the answer shows a live exporter; 1 otherwise.
int Judge(const Answer& answer, bool tls, std::string* detail) {
  const std::string scheme = tls ? "HTTPS " : "HTTP ";
  if (answer.status == 200) {
    *detail = scheme + "200";
    return 0;
  }
  if (answer.status == 401 && answer.www_authenticate.rfind("Basic", 0) == 0) {
    *detail = scheme + "401 with a Basic challenge: basic auth is on and the server answers";
    return 0;
  }
  if (answer.status == 0 && tls && answer.client_certificate_requested) {
    *detail = "the TLS server asked for a client certificate: it requires one and answers";
    return 0;
  }
  *detail = answer.status != 0 ? scheme + std::to_string(answer.status) : answer.error;
  return 1;
}

}  // namespace

int ProbeHealth(const std::string& listen_address, const std::string& web_config_file,
                std::string* detail) {
  const auto address = ParseListenAddress(listen_address);
  if (!address || address->port == 0) {
    *detail = "--web.listen-address \"" + listen_address + "\" names no fixed port to probe";
    return 1;
  }
  std::string host = address->host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  const std::string where = " (" + host + ":" + std::to_string(address->port) + ")";

  std::optional<bool> tls;
  if (web_config_file.empty()) {
    tls = false;
  } else if (const auto parsed = LoadWebConfigFile(web_config_file);
             const auto* config = std::get_if<WebConfig>(&parsed)) {
    tls = config->tls.Enabled();
  }
  const bool first_tls = tls.value_or(false);
  Answer answer = Probe(host, address->port, first_tls).Run();
  if (!tls && answer.status == 400 && answer.body.find(kWantsTls) != std::string::npos) {
    // The web config could not be read here; the server says it speaks TLS.
    answer = Probe(host, address->port, true).Run();
    const int status = Judge(answer, true, detail);
    *detail += where;
    return status;
  }
  const int status = Judge(answer, first_tls, detail);
  *detail += where;
  return status;
}

}  // namespace drmm
