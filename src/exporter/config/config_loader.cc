#include "exporter/config/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <utility>

#include "common/byte_size.h"
#include "common/duration.h"
#include "exporter/catalog/catalog.h"
#include "exporter/config/credentials.h"
#include "exporter/config/device_metrics_reader.h"
#include "exporter/config/platform.h"
#include "exporter/config/site_pattern.h"
#include "exporter/config/yaml_reader.h"

namespace drmm {
namespace {

using std::chrono::milliseconds;

// Key lists in the order the documentation presents them: messages list them this way.
constexpr std::array<std::string_view, 2> kTopKeys = {"defaults", "accounts"};
constexpr std::array<std::string_view, 19> kAccountKeys = {
    "name",           "platform",       "api_url",         "api_key",
    "api_key_file",   "api_key_env",    "api_secret",      "api_secret_file",
    "api_secret_env", "ca_file",        "timeouts",        "max_response_size",
    "max_staleness",  "rate_limit",     "pages_in_flight", "collectors",
    "sites",          "device_metrics", "exclude_metrics"};
constexpr std::array<std::string_view, 12> kDefaultsKeys = {
    "platform",          "api_url",       "ca_file",        "timeouts",
    "max_response_size", "max_staleness", "rate_limit",     "pages_in_flight",
    "collectors",        "sites",         "device_metrics", "exclude_metrics"};
constexpr std::array<std::string_view, 4> kTimeoutKeys = {"connect", "read", "request", "walk"};
constexpr std::array<std::string_view, 5> kRateLimitKeys = {"requests_per_minute",
                                                            "default_retry_after", "block_pause",
                                                            "max_pause", "auth_failure_backoff"};
// The collector names, in the order the documentation lists them.
constexpr std::array<std::string_view, kCollectorCount> kCollectorsKeys = [] {
  std::array<std::string_view, kCollectorCount> keys;
  for (std::size_t i = 0; i < kCollectorCount; ++i) keys[i] = NameOf(kCollectorConfigOrder[i]);
  return keys;
}();
constexpr std::array<std::string_view, 2> kCollectorKeys = {"interval", "enabled"};
constexpr std::array<std::string_view, 4> kSitesKeys = {"include", "exclude", "deleted_devices",
                                                        "on_demand"};
constexpr std::string_view kPerAccountOnly =
    "not allowed in defaults: name and credentials are set in each account";
constexpr std::array<YamlMapReader::Refusal, 7> kDefaultsRefusals = {{
    {"name", kPerAccountOnly},
    {"api_key", kPerAccountOnly},
    {"api_key_file", kPerAccountOnly},
    {"api_key_env", kPerAccountOnly},
    {"api_secret", kPerAccountOnly},
    {"api_secret_file", kPerAccountOnly},
    {"api_secret_env", kPerAccountOnly},
}};

constexpr std::uint64_t kMinResponseBytes = std::uint64_t{1} << 20;
constexpr std::int64_t kMaxPagesInFlight = 16;

constexpr std::string_view kListAccounts =
    "list at least one account (entries starting with \"- name:\")";

// An account's settings as the layers are applied: built-in defaults, `defaults:`, the entry.
struct Draft {
  AccountConfig config;
  std::optional<ConfigText> platform;  // only a valid one
  std::optional<ConfigText> api_url;   // only a valid one; value is the normalised origin
  bool endpoint_invalid = false;       // a bad platform or api_url was already reported
  std::optional<ConfigLocation> max_staleness_at;  // nullopt: the built-in default
  bool max_staleness_from_defaults = false;
  // device_metrics.udf_site_counts as written: checked against udf_labels once both layers
  // are applied, since either may come from defaults.
  std::optional<std::vector<ConfigText>> udf_site_counts;
};

struct AccountEntry {
  ConfigLocation at;  // the entry's first line; path accounts[i]
  Draft draft;
  std::optional<ConfigText> name;  // only a valid one
  ApiCredentialSpec key;
  ApiCredentialSpec secret;
};

bool ValidAccountName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':' || c == '-';
  });
}

class Loader {
 public:
  Loader(const Environment& env, ConfigErrorList& errors) : env_(env), errors_(errors) {}

  std::optional<Config> Run(std::string_view text) {
    const auto document =
        LoadSingleYamlDocument(text, "list every account under one accounts:", errors_);
    if (!document) return std::nullopt;
    if (document->IsNull()) {
      errors_.Add({1, "accounts"}, "missing: the file is empty; " + std::string(kListAccounts));
      return std::nullopt;
    }
    const YamlField root{*document, {YamlLine(*document), ""}};
    const auto top = YamlMapReader::Open(root, kTopKeys, errors_);
    if (!top) return std::nullopt;

    Draft base;
    if (const auto* defaults = top->Find("defaults")) {
      if (const auto map =
              YamlMapReader::Open(*defaults, kDefaultsKeys, errors_, kDefaultsRefusals)) {
        ApplySettings(*map, base, /*in_defaults=*/true);
      }
    }

    std::vector<AccountEntry> entries;
    if (const auto* accounts = top->Find("accounts")) {
      entries = ReadAccounts(*accounts, base);
    } else {
      errors_.Add({root.at.line, "accounts"}, "missing: " + std::string(kListAccounts));
    }

    CheckUniqueNames(entries);
    for (auto& entry : entries) {
      ResolveEndpoint(entry);
      CheckStaleness(entry);
      if (entry.draft.udf_site_counts) {
        ResolveUdfSiteCounts(*entry.draft.udf_site_counts,
                             entry.draft.config.device_metrics.udf_labels, errors_);
      }
    }
    ResolveCredentials(entries, kApiKeyNames, &AccountEntry::key, &AccountConfig::api_key,
                       &AccountConfig::api_key_source);
    ResolveCredentials(entries, kApiSecretNames, &AccountEntry::secret, &AccountConfig::api_secret,
                       &AccountConfig::api_secret_source);

    if (!errors_.Empty()) return std::nullopt;
    Config config;
    config.file = errors_.File();
    for (auto& entry : entries) config.accounts.push_back(std::move(entry.draft.config));
    return config;
  }

 private:
  std::vector<AccountEntry> ReadAccounts(const YamlField& field, const Draft& base) {
    std::vector<AccountEntry> entries;
    if (!field.node.IsSequence()) {
      if (field.node.IsNull()) {
        errors_.Add(field.at, "has no value: " + std::string(kListAccounts));
      } else {
        errors_.Add(field.at,
                    "expected a list of accounts (entries starting with \"- name:\"), "
                    "got " +
                        DescribeYaml(field.node));
      }
      return entries;
    }
    if (field.node.size() == 0) {
      errors_.Add(field.at, "is empty: " + std::string(kListAccounts));
      return entries;
    }
    std::size_t index = 0;
    for (const auto& item : field.node) {
      const YamlField entry_field{item, {YamlLine(item), IndexKeyPath("accounts", index++)}};
      const auto map = YamlMapReader::Open(entry_field, kAccountKeys, errors_);
      if (!map) continue;
      AccountEntry entry;
      entry.at = entry_field.at;
      entry.draft = base;
      // platform and api_url are one choice: an account that makes it does not inherit the
      // other half from defaults (which would be "both").
      if (map->Has("platform") || map->Has("api_url")) {
        entry.draft.platform.reset();
        entry.draft.api_url.reset();
        entry.draft.endpoint_invalid = false;
      }
      ApplySettings(*map, entry.draft, /*in_defaults=*/false);
      ReadName(*map, entry);
      entry.key = ReadCredentialSpec(*map, kApiKeyNames);
      entry.secret = ReadCredentialSpec(*map, kApiSecretNames);
      entries.push_back(std::move(entry));
    }
    return entries;
  }

  void ReadName(const YamlMapReader& map, AccountEntry& entry) {
    const auto* field = map.Find("name");
    if (field == nullptr) {
      errors_.Add({entry.at.line, ChildKeyPath(entry.at.path, "name")},
                  "missing: every account needs a name (its account label, e.g. name: acme)");
      return;
    }
    auto name = ReadYamlString(*field, errors_);
    if (!name) return;
    if (!ValidAccountName(*name)) {
      errors_.Add(field->at, DescribeYaml(field->node) +
                                 " is not a valid account name (letters, digits and _ . : - "
                                 "only; it becomes the account label)");
      return;
    }
    entry.draft.config.name = *name;
    entry.name = ConfigText{std::move(*name), field->at};
  }

  ApiCredentialSpec ReadCredentialSpec(const YamlMapReader& map, const ApiCredentialNames& names) {
    ApiCredentialSpec spec;
    const auto read = [&](std::string_view key, std::optional<ConfigText>& out, bool secret) {
      const auto* field = map.Find(key);
      if (field == nullptr) return;
      if (auto text = ReadYamlString(*field, errors_)) {
        if (secret) errors_.AddSecret(*text);
        out = ConfigText{std::move(*text), field->at};
      } else {
        spec.invalid = true;
      }
    };
    read(names.value_key, spec.value, /*secret=*/true);
    read(names.file_key, spec.file, /*secret=*/false);
    read(names.env_key, spec.env, /*secret=*/false);
    return spec;
  }

  // The keys an account and `defaults` share.
  void ApplySettings(const YamlMapReader& map, Draft& draft, bool in_defaults) {
    AccountConfig& config = draft.config;
    if (const auto* field = map.Find("platform")) ReadPlatform(*field, draft);
    if (const auto* field = map.Find("api_url")) ReadApiUrl(*field, draft);
    if (const auto* field = map.Find("ca_file")) ReadCaFile(*field, config);
    if (const auto* field = map.Find("timeouts")) {
      if (const auto timeouts = YamlMapReader::Open(*field, kTimeoutKeys, errors_)) {
        ReadPositiveDuration(*timeouts, "connect", config.connect_timeout);
        ReadPositiveDuration(*timeouts, "read", config.read_timeout);
        ReadPositiveDuration(*timeouts, "request", config.request_timeout);
        milliseconds walk{0};
        if (ReadPositiveDuration(*timeouts, "walk", walk)) config.walk_timeout = walk;
      }
    }
    if (const auto* field = map.Find("max_staleness")) {
      if (ReadPositiveDuration(map, "max_staleness", config.max_staleness)) {
        draft.max_staleness_at = field->at;
        draft.max_staleness_from_defaults = in_defaults;
      }
    }
    if (const auto* field = map.Find("max_response_size")) {
      if (const auto size = ReadYamlByteSize(*field, errors_)) {
        if (*size < kMinResponseBytes) {
          errors_.Add(field->at, FormatByteSize(*size) +
                                     " is too small (at least 1MiB: a page of 250 devices is "
                                     "about 1.3MB)");
        } else {
          config.max_response_bytes = *size;
        }
      }
    }
    if (const auto* field = map.Find("pages_in_flight")) {
      if (const auto value = ReadYamlInt(*field, errors_)) {
        if (*value < 1 || *value > kMaxPagesInFlight) {
          errors_.Add(field->at, std::to_string(*value) +
                                     " is out of range (1..16; 1 fetches pages one after another)");
        } else {
          config.pages_in_flight = static_cast<int>(*value);
        }
      }
    }
    if (const auto* field = map.Find("rate_limit")) ReadRateLimit(*field, config.rate_limit);
    if (const auto* field = map.Find("collectors")) ReadCollectors(*field, config);
    if (const auto* field = map.Find("sites")) ReadSites(*field, config.site_filter);
    if (const auto* field = map.Find("device_metrics")) {
      ReadDeviceMetricsConfig(*field, draft.config.device_metrics, draft.udf_site_counts, errors_);
    }
    if (const auto* field = map.Find("exclude_metrics")) {
      ReadExcludedMetrics(*field, config.excluded_metrics);
    }
  }

  void ReadExcludedMetrics(const YamlField& field, std::vector<std::string>& out) {
    const auto entries = ReadYamlStringList(field, errors_);
    if (!entries) return;
    bool ok = true;
    for (const auto& entry : *entries) {
      const MetricSpec* spec = FindMetric(entry.value);
      if (spec == nullptr || !IsExcludable(*spec)) {
        errors_.Add(entry.at, "\"" + entry.value +
                                  "\" is not a metric that can be left out (one of: " +
                                  ExcludableMetricsList() + ")");
        ok = false;
      }
    }
    if (!ok) return;
    out.clear();
    for (const auto& entry : *entries) out.push_back(entry.value);
  }

  void ReadPlatform(const YamlField& field, Draft& draft) {
    auto name = ReadYamlString(field, errors_);
    if (!name) {
      draft.endpoint_invalid = true;
      return;
    }
    if (!PlatformBaseUrl(*name)) {
      errors_.Add(field.at, "unknown platform " + DescribeYaml(field.node) +
                                " (valid: " + PlatformList() + "; or set api_url instead)");
      draft.endpoint_invalid = true;
      return;
    }
    draft.platform = ConfigText{std::move(*name), field.at};
  }

  void ReadApiUrl(const YamlField& field, Draft& draft) {
    auto url = ReadYamlString(field, errors_);
    if (!url) {
      draft.endpoint_invalid = true;
      return;
    }
    auto parsed = ParseApiUrl(*url);
    if (!parsed.ok()) {
      errors_.Add(field.at, parsed.error().message);
      draft.endpoint_invalid = true;
      return;
    }
    draft.api_url = ConfigText{std::move(parsed).value().url, field.at};
  }

  void ReadCaFile(const YamlField& field, AccountConfig& config) {
    auto path = ReadYamlString(field, errors_);
    if (!path) return;
    if (path->empty()) {
      errors_.Add(field.at, "is empty (remove the key to use the system trust store)");
      return;
    }
    const auto content = env_.read_file(*path);
    if (!content.ok()) {
      errors_.Add(field.at, "cannot read \"" + *path + "\": " + content.error().message);
      return;
    }
    if (content->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      errors_.Add(field.at,
                  "\"" + *path + "\" holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
      return;
    }
    config.ca_file = std::move(*path);
  }

  bool ReadPositiveDuration(const YamlMapReader& map, std::string_view key, milliseconds& out) {
    return ReadYamlPositiveDuration(map, key, out, errors_);
  }

  void ReadRateLimit(const YamlField& field, RateLimitConfig& out) {
    const auto map = YamlMapReader::Open(field, kRateLimitKeys, errors_);
    if (!map) return;
    if (const auto* rpm = map->Find("requests_per_minute")) {
      if (const auto value = ReadYamlInt(*rpm, errors_)) {
        if (*value < 1 || *value > kMaxRequestsPerMinute) {
          errors_.Add(rpm->at, std::to_string(*value) +
                                   " is out of range (1..600: the whole Datto account, every "
                                   "integration included, may send 600 requests per minute)");
        } else {
          out.requests_per_minute = static_cast<int>(*value);
        }
      }
    }
    ReadPositiveDuration(*map, "default_retry_after", out.default_retry_after);
    ReadPositiveDuration(*map, "block_pause", out.block_pause);
    ReadPositiveDuration(*map, "auth_failure_backoff", out.auth_failure_backoff);
    if (ReadPositiveDuration(*map, "max_pause", out.max_pause) &&
        (out.max_pause < out.default_retry_after || out.max_pause < out.block_pause)) {
      // A cap below the pauses it caps would silently lengthen into them: say so instead.
      errors_.Add(map->Find("max_pause")->at, "must not be shorter than default_retry_after (" +
                                                  FormatDuration(out.default_retry_after) +
                                                  ") or block_pause (" +
                                                  FormatDuration(out.block_pause) + ")");
    }
  }

  void ReadCollectors(const YamlField& field, AccountConfig& config) {
    const auto map = YamlMapReader::Open(field, kCollectorsKeys, errors_);
    if (!map) return;
    for (const Collector collector : kCollectorConfigOrder) {
      if (const auto* f = map->Find(NameOf(collector))) {
        ReadCollector(*f, config.collectors[collector]);
      }
    }
  }

  void ReadCollector(const YamlField& field, CollectorConfig& out) {
    const auto map = YamlMapReader::Open(field, kCollectorKeys, errors_);
    if (!map) return;
    if (const auto* enabled = map->Find("enabled")) {
      if (const auto value = ReadYamlBool(*enabled, errors_)) out.enabled = *value;
    }
    if (const auto* interval = map->Find("interval")) {
      if (const auto value = ReadYamlDuration(*interval, errors_)) {
        if (*value < kMinCollectorInterval) {
          errors_.Add(interval->at, interval->node.Scalar() +
                                        " is too short (minimum 10s: every run spends requests "
                                        "from the account's shared budget)");
        } else {
          out.interval = *value;
        }
      }
    }
  }

  void ReadSites(const YamlField& field, SiteFilterConfig& out) {
    const auto map = YamlMapReader::Open(field, kSitesKeys, errors_);
    if (!map) return;
    if (const auto* f = map->Find("include")) ReadSitePatterns(*f, out.include);
    if (const auto* f = map->Find("exclude")) ReadSitePatterns(*f, out.exclude);
    if (const auto* f = map->Find("deleted_devices")) {
      if (const auto value = ReadYamlBool(*f, errors_)) out.deleted_devices = *value;
    }
    if (const auto* f = map->Find("on_demand")) {
      if (const auto value = ReadYamlBool(*f, errors_)) out.on_demand = *value;
    }
  }

  // Each entry is a site uid or a regex on the whole site name; since a uid is also a valid
  // regex, every entry must compile.
  void ReadSitePatterns(const YamlField& field, std::vector<std::string>& out) {
    const auto entries = ReadYamlStringList(field, errors_);
    if (!entries) return;
    bool ok = true;
    for (const auto& entry : *entries) {
      if (entry.value.empty()) {
        errors_.Add(entry.at, "is empty (give a site uid or a regular expression)");
        ok = false;
        continue;
      }
      if (auto problem = SitePatternProblem(entry.value); !problem.empty()) {
        errors_.Add(entry.at,
                    "\"" + entry.value + "\" is not a valid regular expression: " + problem);
        ok = false;
      }
    }
    if (!ok) return;
    out.clear();
    for (const auto& entry : *entries) out.push_back(entry.value);
  }

  void CheckUniqueNames(const std::vector<AccountEntry>& entries) {
    std::map<std::string, const AccountEntry*> first_by_name;
    for (const auto& entry : entries) {
      if (!entry.name) continue;
      const auto [it, inserted] = first_by_name.emplace(entry.name->value, &entry);
      if (inserted) continue;
      errors_.Add(entry.name->at, "duplicate account name \"" + entry.name->value + "\" (" +
                                      it->second->at.path + " on line " +
                                      std::to_string(it->second->name->at.line) +
                                      " has it too); names must be unique");
    }
  }

  void ResolveEndpoint(AccountEntry& entry) {
    Draft& draft = entry.draft;
    if (draft.platform && draft.api_url) {
      const bool platform_first = draft.platform->at.line <= draft.api_url->at.line;
      const ConfigText& later = platform_first ? *draft.api_url : *draft.platform;
      const ConfigText& earlier = platform_first ? *draft.platform : *draft.api_url;
      const std::string_view earlier_key = platform_first ? "platform" : "api_url";
      errors_.Add(later.at, "set either platform or api_url, not both (" +
                                std::string(earlier_key) + " is set on line " +
                                std::to_string(earlier.at.line) + ")");
      return;
    }
    if (draft.platform) {
      draft.config.platform = draft.platform->value;
      draft.config.base_url = *PlatformBaseUrl(draft.platform->value);
    } else if (draft.api_url) {
      draft.config.platform.clear();
      draft.config.base_url = draft.api_url->value;
    } else if (!draft.endpoint_invalid) {
      errors_.Add(entry.at, "neither platform nor api_url is set: set platform to one of " +
                                PlatformList() + ", or api_url to http(s)://host[:port]");
    }
  }

  // A collector's data counts as fresh for max_staleness after its last success; shorter than
  // the collector's own interval, healthy data would be reported stale between two runs.
  void CheckStaleness(const AccountEntry& entry) {
    const AccountConfig& config = entry.draft.config;
    std::string_view longest_name;
    milliseconds longest{0};
    for (const Collector collector : kCollectorConfigOrder) {
      const CollectorConfig& settings = config.collectors[collector];
      if (settings.enabled && settings.interval > longest) {
        longest = settings.interval;
        longest_name = NameOf(collector);
      }
    }
    if (longest_name.empty() || config.max_staleness >= longest) return;
    ConfigLocation at{entry.at.line, ChildKeyPath(entry.at.path, "max_staleness")};
    std::string origin = " (the default)";
    if (entry.draft.max_staleness_at) {
      at.line = entry.draft.max_staleness_at->line;
      origin = entry.draft.max_staleness_from_defaults ? " (from defaults)" : "";
    }
    errors_.Add(at, FormatDuration(config.max_staleness) + origin +
                        " is shorter than the longest enabled collector interval (collectors." +
                        std::string(longest_name) + ".interval: " + FormatDuration(longest) +
                        "); set max_staleness to at least " + FormatDuration(longest));
  }

  void ResolveCredentials(std::vector<AccountEntry>& entries, const ApiCredentialNames& names,
                          ApiCredentialSpec AccountEntry::*spec, std::string AccountConfig::*value,
                          std::string AccountConfig::*source) {
    std::vector<std::string> relying;  // accounts that name no source of this credential
    for (const auto& entry : entries) {
      if ((entry.*spec).Empty() && !(entry.*spec).invalid) {
        relying.push_back(entry.name ? entry.name->value : entry.at.path);
      }
    }
    for (auto& entry : entries) {
      if ((entry.*spec).invalid) continue;
      const ConfigLocation default_at{entry.at.line, ChildKeyPath(entry.at.path, names.value_key)};
      if (relying.size() > 1 && (entry.*spec).Empty()) {
        ReportSharedDefaultEnv(names, default_at, relying, errors_);
        continue;
      }
      if (auto credential = ResolveCredential(entry.*spec, names, default_at, env_, errors_)) {
        entry.draft.config.*value = std::move(credential->value);
        entry.draft.config.*source = std::move(credential->source);
      }
    }
  }

  const Environment& env_;
  ConfigErrorList& errors_;
};

}  // namespace

ConfigResult<Config> ParseConfig(std::string_view yaml_text, const std::string& file_name,
                                 const Environment& env) {
  ConfigErrorList errors(file_name);
  Loader loader(env, errors);
  std::optional<Config> config;
  try {
    config = loader.Run(yaml_text);
  } catch (const YAML::Exception& e) {
    // Not expected (every access checks the node's kind first); reported rather than thrown.
    errors.Add({e.mark.is_null() ? 0 : e.mark.line + 1, ""}, "cannot read the YAML: " + e.msg);
  }
  if (config && errors.Empty()) return std::move(*config);
  return std::move(errors).Take();
}

ConfigResult<Config> LoadConfigFile(const std::string& path, const Environment& env) {
  const auto text = env.read_file(path);
  if (!text.ok()) {
    return std::vector<ConfigError>{
        {path, 0, "",
         "cannot read the configuration file: " + text.error().message + " (see --config.file)"}};
  }
  return ParseConfig(text.value(), path, env);
}

}  // namespace drmm
