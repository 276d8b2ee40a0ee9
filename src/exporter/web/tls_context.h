// The OpenSSL server context a web config's tls_server_config describes: certificate chain and
// key, protocol versions, cipher suites, curves and the client certificate policy, each mapped
// from exporter-toolkit's Go names to OpenSSL's. Problems (an unreadable file, a key that does
// not match the certificate, a CA file without certificates) are ConfigErrors at the line of
// the key that names the file. Plain OpenSSL, so the server's Asio code only wraps the result.
#pragma once

#include <memory>
#include <vector>

#include "exporter/config/config_error.h"
#include "exporter/web/web_config.h"

struct ssl_ctx_st;

namespace drmm {

struct SslContextDeleter {
  void operator()(ssl_ctx_st* context) const;
};
using SslContextPtr = std::unique_ptr<ssl_ctx_st, SslContextDeleter>;

// Reads the files `tls` names now; `file` is the web config file, for messages.
ConfigResult<SslContextPtr> BuildServerTlsContext(const WebTlsConfig& tls, const std::string& file);

}  // namespace drmm
