// The web config as the server applies it, and the watch that keeps it current. exporter-toolkit
// reads its web config on every request so that a rotated certificate needs no restart; here
// each new connection and request stats the web config file and the files it names (one stat
// each), and only when one of them changed is everything read again. A change that does not
// load (a half-written certificate, a typo) is logged once and the running config stays, as a
// failed reload does.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "exporter/config/config_error.h"
#include "exporter/web/basic_auth.h"
#include "exporter/web/tls_context.h"
#include "exporter/web/web_config.h"

namespace drmm {

// What stat() says about a file; equal stamps mean the file was not replaced or written.
struct FileStamp {
  std::string path;
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  long long modified_ns = 0;
  long long changed_ns = 0;

  bool operator==(const FileStamp&) const = default;
};

FileStamp StampFile(const std::string& path);

// A loaded web config: immutable, shared by every connection that started under it.
struct ActiveWebConfig {
  WebConfig config;
  SslContextPtr tls;  // null: plain HTTP
  std::unique_ptr<BasicAuthenticator> auth;
  std::vector<FileStamp> stamps;  // the web config file and the files it names, as read

  bool Tls() const { return tls != nullptr; }
  bool BasicAuth() const { return auth != nullptr && auth->Enabled(); }
};

// Reads `path` and everything it names; "" gives the empty config (plain HTTP, no auth).
ConfigResult<std::shared_ptr<const ActiveWebConfig>> LoadActiveWebConfig(const std::string& path);

class WebConfigWatcher {
 public:
  // Told about every re-read the watch makes on its own: nullptr when it applied, the errors
  // when it did not.
  using Listener = std::function<void(const std::vector<ConfigError>* errors)>;

  WebConfigWatcher(std::shared_ptr<const ActiveWebConfig> initial, Listener listener);
  WebConfigWatcher(const WebConfigWatcher&) = delete;
  WebConfigWatcher& operator=(const WebConfigWatcher&) = delete;

  // The config a new connection or request should use, re-read first when a file changed.
  std::shared_ptr<const ActiveWebConfig> Current();
  // Applies a config loaded elsewhere (a reload that also checked the main config).
  void Replace(std::shared_ptr<const ActiveWebConfig> next);

 private:
  const Listener listener_;
  std::mutex mutex_;  // guards the members below; held while a changed file is re-read
  std::shared_ptr<const ActiveWebConfig> current_;
  std::vector<FileStamp> failed_;  // stamps of the last change that did not load
};

}  // namespace drmm
