// Structured logging in logfmt or JSON (--log.format), filtered by level (--log.level).
// Every line is scrubbed of registered secrets (API keys, secrets, bearer tokens) before it is
// written, in every form SecretRedactor knows (escaped, %-encoded, cut short), so a careless
// message or a quoted error body cannot leak credentials into log storage.
#pragma once

#include <functional>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/secret_redactor.h"

namespace drmm {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kLogfmt, kJson };

std::optional<LogLevel> ParseLogLevel(std::string_view text);    // debug|info|warn|error
std::optional<LogFormat> ParseLogFormat(std::string_view text);  // logfmt|json
std::string_view LogLevelName(LogLevel level);                   // what ParseLogLevel reads
std::string_view LogFormatName(LogFormat format);

struct LogField {
  std::string_view key;
  std::string value;
};

class Logger {
 public:
  using Sink = std::function<void(std::string_view line)>;

  // The process-wide logger; starts at info/logfmt writing to stderr.
  static Logger& Global();

  Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  void Configure(LogLevel level, LogFormat format);
  // Replaces where lines go (one call per line, without the newline); tests capture with this.
  void SetSink(Sink sink);
  // Registers a value that must never appear in a log line. Empty and very short values are
  // ignored (redacting "a" would mangle every line). Credentials are kept for the life of the
  // process; bearer tokens are renewed every few days, so only the newest few are kept.
  enum class SecretLifetime { kPermanent, kRenewable };
  void AddSecret(std::string_view secret, SecretLifetime lifetime = SecretLifetime::kPermanent);

  bool Enabled(LogLevel level) const;
  void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

  // Renders one line without writing it (pure; used by Log and by tests).
  static std::string Format(LogFormat format, std::string_view timestamp, LogLevel level,
                            std::string_view message, const std::vector<LogField>& fields);

 private:
  mutable std::mutex mutex_;
  LogLevel level_ = LogLevel::kInfo;
  LogFormat format_ = LogFormat::kLogfmt;
  Sink sink_;
  // Applied to the message and every value before escaping, so a secret is found even when it
  // holds characters that the output format escapes.
  SecretRedactor redactor_;
  std::vector<std::string> renewable_;  // oldest first; each also in redactor_
};

inline void LogDebug(std::string_view m, std::initializer_list<LogField> f = {}) {
  if (Logger::Global().Enabled(LogLevel::kDebug)) Logger::Global().Log(LogLevel::kDebug, m, f);
}
inline void LogInfo(std::string_view m, std::initializer_list<LogField> f = {}) {
  Logger::Global().Log(LogLevel::kInfo, m, f);
}
inline void LogWarn(std::string_view m, std::initializer_list<LogField> f = {}) {
  Logger::Global().Log(LogLevel::kWarn, m, f);
}
inline void LogError(std::string_view m, std::initializer_list<LogField> f = {}) {
  Logger::Global().Log(LogLevel::kError, m, f);
}

}  // namespace drmm
