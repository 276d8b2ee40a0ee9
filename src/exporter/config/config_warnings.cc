#include "exporter/config/config_warnings.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

#include "common/log.h"
#include "common/url.h"
#include "exporter/config/credentials.h"

namespace drmm {
namespace {

constexpr unsigned kGroupOrOthersRead = 0044;
constexpr unsigned kOthersRead = 0004;

std::string Octal(unsigned mode) {
  std::array<char, 8> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%04o", mode & 07777U);
  return buffer.data();
}

bool IsIpv4Loopback(std::string_view host) {
  // Four decimal parts, the first 127.
  int parts = 0;
  std::size_t start = 0;
  while (start <= host.size()) {
    const std::size_t end = std::min(host.find('.', start), host.size());
    const std::string_view part = host.substr(start, end - start);
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || value > 255) {
      return false;
    }
    if (parts == 0 && value != 127) return false;
    ++parts;
    start = end + 1;
  }
  return parts == 4;
}

void CheckSecretFile(const AccountConfig& account, const std::string& source, std::string_view what,
                     const FileModeLookup& mode_of, std::vector<std::string>& out) {
  const auto path = CredentialFilePath(source);
  if (!path) return;
  const auto mode = mode_of(*path);
  if (!mode || (*mode & kGroupOrOthersRead) == 0) return;
  out.push_back(*path + ": the " + std::string(what) + " file of account " + account.name +
                " is readable by " + ((*mode & kOthersRead) != 0 ? "others" : "group") + " (mode " +
                Octal(*mode) +
                "); make it readable by the exporter's user only (chmod "
                "600)");
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  std::string lower(host);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  if (lower == "localhost" || lower.ends_with(".localhost")) return true;
  if (lower == "[::1]" || lower == "[0:0:0:0:0:0:0:1]") return true;
  if (lower.starts_with("[::ffff:") && lower.ends_with("]")) {
    return IsIpv4Loopback(std::string_view(lower).substr(8, lower.size() - 9));
  }
  return IsIpv4Loopback(lower);
}

std::vector<std::string> ConfigWarnings(const Config& config, const FileModeLookup& mode_of) {
  std::vector<std::string> out;
  std::vector<std::string> inline_accounts;
  for (const auto& account : config.accounts) {
    CheckSecretFile(account, account.api_key_source, "API key", mode_of, out);
    CheckSecretFile(account, account.api_secret_source, "API secret", mode_of, out);
    if (IsInlineCredential(account.api_key_source) ||
        IsInlineCredential(account.api_secret_source)) {
      inline_accounts.push_back(account.name);
    }
    if (const auto url = ParseUrl(account.base_url);
        url && url->scheme == "http" && !IsLoopbackHost(url->host)) {
      out.push_back("account " + account.name + ": api_url " + url->Origin() +
                    " is plain http to a host that is not loopback: the API key and secret (the "
                    "password grant) and every token cross the network in cleartext; use https");
    }
  }
  if (!inline_accounts.empty()) {
    if (const auto mode = mode_of(config.file); mode && (*mode & kOthersRead) != 0) {
      std::string names;
      for (const auto& name : inline_accounts) names += (names.empty() ? "" : ", ") + name;
      out.push_back(config.file + ": holds credentials inline (account" +
                    (inline_accounts.size() == 1 ? " " : "s ") + names +
                    ") and is readable by others (mode " + Octal(*mode) +
                    "); chmod o-r it, or move them to api_key_file/api_secret_file");
    }
  }
  return out;
}

void LogConfigWarnings(const Config& config, const Environment& env) {
  const FileModeLookup mode_of =
      env.file_mode ? FileModeLookup(env.file_mode)
                    : FileModeLookup([](const std::string&) -> std::optional<unsigned> {
                        return std::nullopt;
                      });
  for (const auto& warning : ConfigWarnings(config, mode_of)) {
    LogWarn("configuration exposes credentials", {{"warning", warning}});
  }
}

}  // namespace drmm
