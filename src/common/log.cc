#include "common/log.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "common/json_escape.h"

namespace drmm {
namespace {

// Tokens are renewed every few days; keeping the newest few is enough to cover any line that
// could still mention one.
constexpr std::size_t kMaxRenewableSecrets = 64;

bool NeedsQuoting(std::string_view v) {
  if (v.empty()) return true;
  return std::any_of(v.begin(), v.end(), [](char c) {
    return c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
}

void AppendLogfmtPair(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += ' ';
  out += key;
  out += '=';
  if (NeedsQuoting(value)) {
    out += '"';
    AppendJsonEscaped(out, value);
    out += '"';
  } else {
    out += value;
  }
}

void AppendJsonPair(std::string& out, std::string_view key, std::string_view value) {
  out += out.size() > 1 ? ",\"" : "\"";
  AppendJsonEscaped(out, key);
  out += "\":\"";
  AppendJsonEscaped(out, value);
  out += '"';
}

std::string NowRfc3339() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf.data();
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string_view LogFormatName(LogFormat format) {
  return format == LogFormat::kJson ? "json" : "logfmt";
}

std::optional<LogLevel> ParseLogLevel(std::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warn") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  return std::nullopt;
}

std::optional<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "logfmt") return LogFormat::kLogfmt;
  if (text == "json") return LogFormat::kJson;
  return std::nullopt;
}

Logger& Logger::Global() {
  static Logger logger;
  return logger;
}

Logger::Logger()
    : sink_([](std::string_view line) {
        std::fwrite(line.data(), 1, line.size(), stderr);
        std::fputc('\n', stderr);
      }) {}

void Logger::Configure(LogLevel level, LogFormat format) {
  std::lock_guard lock(mutex_);
  level_ = level;
  format_ = format;
}

void Logger::SetSink(Sink sink) {
  std::lock_guard lock(mutex_);
  sink_ = std::move(sink);
}

void Logger::AddSecret(std::string_view secret, SecretLifetime lifetime) {
  std::lock_guard lock(mutex_);
  if (!redactor_.Add(secret)) return;
  if (lifetime == SecretLifetime::kRenewable) {
    if (renewable_.size() >= kMaxRenewableSecrets) {
      redactor_.Remove(renewable_.front());
      renewable_.erase(renewable_.begin());
    }
    renewable_.emplace_back(secret);
  }
}

bool Logger::Enabled(LogLevel level) const {
  std::lock_guard lock(mutex_);
  return level >= level_;
}

std::string Logger::Format(LogFormat format, std::string_view timestamp, LogLevel level,
                           std::string_view message, const std::vector<LogField>& fields) {
  std::string out;
  if (format == LogFormat::kJson) {
    out = "{";
    AppendJsonPair(out, "ts", timestamp);
    AppendJsonPair(out, "level", LogLevelName(level));
    AppendJsonPair(out, "msg", message);
    for (const auto& f : fields) AppendJsonPair(out, f.key, f.value);
    out += '}';
  } else {
    AppendLogfmtPair(out, "ts", timestamp);
    AppendLogfmtPair(out, "level", LogLevelName(level));
    AppendLogfmtPair(out, "msg", message);
    for (const auto& f : fields) AppendLogfmtPair(out, f.key, f.value);
  }
  return out;
}

void Logger::Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  std::lock_guard lock(mutex_);
  if (level < level_) return;
  std::vector<LogField> clean;
  clean.reserve(fields.size());
  for (const auto& f : fields) clean.push_back({f.key, redactor_.Redact(f.value)});
  sink_(Format(format_, NowRfc3339(), level, redactor_.Redact(message), clean));
}

}  // namespace drmm
