// The client side of --healthcheck, on cpp-httplib (already the Datto client's HTTP library):
// a one-shot request needs none of the server's machinery, and Asio would cost every build
// another half minute of compiling.
#include "exporter/web/health_probe.h"

#include <httplib.h>
#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <optional>

#include "common/listen_address.h"
#include "exporter/web/web_config.h"

namespace drmm {
namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(2);
constexpr auto kReadTimeout = std::chrono::seconds(3);
constexpr std::string_view kWantsTls = "Client sent an HTTP request to an HTTPS server.";

struct Answer {
  int status = 0;  // 0: none
  std::string www_authenticate;
  std::string body;
  bool client_certificate_requested = false;
  std::string error;
};

// Where the Answer hangs on the client's SSL_CTX, for the callback below.
int AnswerIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// OpenSSL calls this when the server asks for a client certificate: note it and send none.
int NoteCertificateRequest(SSL* ssl, X509** /*certificate*/, EVP_PKEY** /*key*/) {
  auto* answer = static_cast<Answer*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), AnswerIndex()));
  if (answer != nullptr) answer->client_certificate_requested = true;
  return 0;
}

Answer Ask(const std::string& host, int port, bool tls) {
  Answer answer;
  std::unique_ptr<httplib::ClientImpl> client;
  if (tls) {
    auto tls_client = std::make_unique<httplib::SSLClient>(host, port);
    tls_client->enable_server_certificate_verification(false);
    SSL_CTX* context = tls_client->ssl_context();
    SSL_CTX_set_ex_data(context, AnswerIndex(), &answer);
    SSL_CTX_set_client_cert_cb(context, NoteCertificateRequest);
    client = std::move(tls_client);
  } else {
    client = std::make_unique<httplib::ClientImpl>(host, port);
  }
  client->set_connection_timeout(kConnectTimeout);
  client->set_read_timeout(kReadTimeout);
  client->set_write_timeout(kReadTimeout);
  client->set_keep_alive(false);
  const auto response =
      client->Get("/-/healthy", {{"User-Agent", "datto-rmm-exporter-healthcheck"}});
  if (!response) {
    answer.error = "no answer: " + httplib::to_string(response.error());
    return answer;
  }
  answer.status = response->status;
  answer.www_authenticate = response->get_header_value("WWW-Authenticate");
  answer.body = response->body;
  return answer;
}

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
  } else if (const auto parsed = LoadWebConfigFile(web_config_file); parsed.ok()) {
    tls = parsed->tls.Enabled();
  }
  const bool first_tls = tls.value_or(false);
  Answer answer = Ask(host, address->port, first_tls);
  bool used_tls = first_tls;
  if (!tls && answer.status == 400 && answer.body.find(kWantsTls) != std::string::npos) {
    // The web config could not be read here; the server says it speaks TLS.
    answer = Ask(host, address->port, true);
    used_tls = true;
  }
  const int status = Judge(answer, used_tls, detail);
  *detail += where;
  return status;
}

}  // namespace drmm
