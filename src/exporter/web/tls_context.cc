#include "exporter/web/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

namespace drmm {
namespace {

// The reasons OpenSSL queued for the last failure, oldest first; clears the queue.
std::string OpenSslErrors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    if (!out.empty()) out += "; ";
    const char* reason = ERR_reason_error_string(code);
    out += reason != nullptr ? reason : text.data();
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

// "" when `path` can be opened for reading; otherwise the system's reason.
std::string Unreadable(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return std::error_code(errno, std::generic_category()).message();
  std::fclose(file);
  return "";
}

// RequestClientCert and RequireAnyClientCert take any certificate: the handshake must not fail
// on one that does not verify.
int AcceptAnyCertificate(int /*preverified*/, X509_STORE_CTX* /*store*/) { return 1; }

}  // namespace

void SslContextDeleter::operator()(ssl_ctx_st* context) const { SSL_CTX_free(context); }

ConfigResult<SslContextPtr> BuildServerTlsContext(const WebTlsConfig& tls,
                                                  const std::string& file) {
  ConfigErrorList errors(file);
  ERR_clear_error();
  SslContextPtr context(SSL_CTX_new(TLS_server_method()));
  if (!context) {
    errors.Add(tls.at, "cannot create a TLS context: " + OpenSslErrors());
    return std::move(errors).Take();
  }
  SSL_CTX* ctx = context.get();
  SSL_CTX_set_min_proto_version(ctx, static_cast<int>(tls.min_version));
  SSL_CTX_set_max_proto_version(ctx, static_cast<int>(tls.max_version));
  long options = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION;
  if (tls.prefer_server_cipher_suites) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  SSL_CTX_set_options(ctx, static_cast<std::uint64_t>(options));
  // Needed for session resumption once client certificates are verified.
  // NOLINTNEXTLINE(modernize-avoid-c-arrays): OpenSSL takes the bytes and their length.
  static constexpr unsigned char kSessionContext[] = "datto-rmm-exporter";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);

  if (!tls.cipher_suites.empty()) {
    std::string list;
    for (const auto& name : tls.cipher_suites) list += (list.empty() ? "" : ":") + name;
    if (SSL_CTX_set_cipher_list(ctx, list.c_str()) != 1) {
      errors.Add(tls.at, "none of cipher_suites is available in this OpenSSL: " + OpenSslErrors());
    }
  }
  if (!tls.curves.empty()) {
    std::string list;
    for (const auto& name : tls.curves) list += (list.empty() ? "" : ":") + name;
    if (SSL_CTX_set1_groups_list(ctx, list.c_str()) != 1) {
      errors.Add(tls.at, "curve_preferences cannot be used: " + OpenSslErrors());
    }
  }

  bool have_certificate = false;
  if (const auto problem = Unreadable(tls.cert_file.value); !problem.empty()) {
    errors.Add(tls.cert_file.at, "cannot read " + tls.cert_file.value + ": " + problem);
  } else if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.value.c_str()) != 1) {
    errors.Add(tls.cert_file.at,
               tls.cert_file.value + " is not a PEM certificate chain: " + OpenSslErrors());
  } else {
    have_certificate = true;
  }
  if (const auto problem = Unreadable(tls.key_file.value); !problem.empty()) {
    errors.Add(tls.key_file.at, "cannot read " + tls.key_file.value + ": " + problem);
  } else if (SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.value.c_str(), SSL_FILETYPE_PEM) != 1) {
    errors.Add(tls.key_file.at, tls.key_file.value +
                                    " is not a PEM private key (or does not "
                                    "match cert_file): " +
                                    OpenSslErrors());
  } else if (have_certificate && SSL_CTX_check_private_key(ctx) != 1) {
    errors.Add(tls.key_file.at, tls.key_file.value + " is not the key of " + tls.cert_file.value +
                                    ": " + OpenSslErrors());
  }

  if (!tls.client_ca_file.value.empty()) {
    if (const auto problem = Unreadable(tls.client_ca_file.value); !problem.empty()) {
      errors.Add(tls.client_ca_file.at, "cannot read " + tls.client_ca_file.value + ": " + problem);
    } else {
      STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.value.c_str());
      if (names == nullptr ||
          SSL_CTX_load_verify_locations(ctx, tls.client_ca_file.value.c_str(), nullptr) != 1) {
        if (names != nullptr) sk_X509_NAME_pop_free(names, X509_NAME_free);
        ERR_clear_error();
        errors.Add(tls.client_ca_file.at,
                   tls.client_ca_file.value + " holds no PEM certificate to verify clients with");
      } else {
        SSL_CTX_set_client_CA_list(ctx, names);  // takes ownership
      }
    }
  }
  switch (tls.client_auth) {
    case ClientAuth::kNoClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuth::kRequestClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, AcceptAnyCertificate);
      break;
    case ClientAuth::kRequireAnyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         AcceptAnyCertificate);
      break;
    case ClientAuth::kVerifyClientCertIfGiven:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuth::kRequireAndVerifyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  ERR_clear_error();
  if (!errors.Empty()) return std::move(errors).Take();
  return context;
}

}  // namespace drmm
