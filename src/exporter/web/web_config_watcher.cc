#include "exporter/web/web_config_watcher.h"

#include <sys/stat.h>

#include <optional>

#include "common/log.h"

namespace drmm {
namespace {

std::vector<FileStamp> StampAll(const std::vector<FileStamp>& previous) {
  std::vector<FileStamp> stamps;
  stamps.reserve(previous.size());
  for (const auto& stamp : previous) stamps.push_back(StampFile(stamp.path));
  return stamps;
}

std::string Joined(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const auto& error : errors) out += (out.empty() ? "" : "; ") + error.ToString();
  return out;
}

}  // namespace

FileStamp StampFile(const std::string& path) {
  FileStamp stamp;
  stamp.path = path;
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return stamp;
  stamp.exists = true;
  stamp.device = info.st_dev;
  stamp.inode = info.st_ino;
  stamp.size = info.st_size;
  stamp.modified_ns =
      static_cast<long long>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
  stamp.changed_ns =
      static_cast<long long>(info.st_ctim.tv_sec) * 1'000'000'000 + info.st_ctim.tv_nsec;
  return stamp;
}

ConfigResult<std::shared_ptr<const ActiveWebConfig>> LoadActiveWebConfig(const std::string& path) {
  auto active = std::make_shared<ActiveWebConfig>();
  if (path.empty()) {
    active->auth = std::make_unique<BasicAuthenticator>(std::vector<BasicAuthUser>{});
    return std::shared_ptr<const ActiveWebConfig>(std::move(active));
  }
  // Stamped before reading, so a write that lands while reading shows as a change next time.
  const FileStamp file_stamp = StampFile(path);
  auto parsed = LoadWebConfigFile(path);
  if (!parsed.ok()) return parsed.error();
  active->config = std::move(parsed).value();
  active->stamps.push_back(file_stamp);
  const WebTlsConfig& tls = active->config.tls;
  if (tls.Enabled()) {
    for (const auto* named : {&tls.cert_file, &tls.key_file, &tls.client_ca_file}) {
      if (!named->value.empty()) active->stamps.push_back(StampFile(named->value));
    }
    auto context = BuildServerTlsContext(tls, path);
    if (!context.ok()) return context.error();
    active->tls = std::move(context).value();
  }
  active->auth = std::make_unique<BasicAuthenticator>(active->config.users);
  return std::shared_ptr<const ActiveWebConfig>(std::move(active));
}

WebConfigWatcher::WebConfigWatcher(std::shared_ptr<const ActiveWebConfig> initial,
                                   Listener listener)
    : listener_(std::move(listener)), current_(std::move(initial)) {}

std::shared_ptr<const ActiveWebConfig> WebConfigWatcher::Current() {
  std::shared_ptr<const ActiveWebConfig> current;
  std::optional<std::vector<ConfigError>> errors;
  {
    std::lock_guard lock(mutex_);
    if (current_->stamps.empty()) return current_;  // no web config file
    const auto stamps = StampAll(current_->stamps);
    if (stamps == current_->stamps || stamps == failed_) return current_;
    const std::string path = current_->config.file;
    auto loaded = LoadActiveWebConfig(path);
    if (!loaded.ok()) {
      failed_ = stamps;
      LogError("the web config changed but cannot be used; serving with the previous one",
               {{"file", path}, {"errors", Joined(loaded.error())}});
      errors = loaded.error();
    } else {
      current_ = std::move(loaded).value();
      failed_.clear();
      LogInfo("the web config changed; re-read it",
              {{"file", path},
               {"tls", current_->Tls() ? "on" : "off"},
               {"basic_auth", current_->BasicAuth() ? "on" : "off"}});
    }
    current = current_;
  }
  // Told outside the lock: the listener may take locks of its own that are held around
  // Replace (a reload applying a web config).
  if (listener_) listener_(errors ? &*errors : nullptr);
  return current;
}

void WebConfigWatcher::Replace(std::shared_ptr<const ActiveWebConfig> next) {
  std::lock_guard lock(mutex_);
  current_ = std::move(next);
  failed_.clear();
}

}  // namespace drmm
