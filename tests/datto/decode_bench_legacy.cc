// The page decoder as it was before simdjson (commit 5ca6dfc: nlohmann::json's SAX parser
// with a schema filter, src/datto/json_filter.* and decode.cc), kept only so that
// datto_decode_bench can print the old and the new figures side by side in one run. Not part of
// any library; nothing else may use it.
#include "decode_bench_legacy.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace drmm::legacy {

using datto::Alert;
using datto::Antivirus;
using datto::DecodeContext;
using datto::Device;
using datto::DevicesStatus;
using datto::ErrorKind;
using datto::Page;
using datto::PatchManagement;
using datto::Result;
using datto::Site;
using datto::Status;

// src/datto/civil_time.h
constexpr std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// --- src/datto/json_filter.h ---

struct JsonSchema {
  enum class Kind {
    kScalar,  // keep a scalar; a container here becomes an empty one of its type
    kAny,     // keep the whole subtree (small objects such as pageDetails)
    kObject,  // keep the listed keys of an object (and scalars, for the decoder to reject)
    kArray,   // keep every element, each under `items`
  };
  struct Field {
    std::string_view key;
    const JsonSchema* schema;
  };

  Kind kind = Kind::kScalar;
  std::span<const Field> fields;      // kObject
  const JsonSchema* items = nullptr;  // kArray
};

inline constexpr JsonSchema kJsonScalar{JsonSchema::Kind::kScalar, {}, nullptr};
inline constexpr JsonSchema kJsonAny{JsonSchema::Kind::kAny, {}, nullptr};

// A value whose type differs from the schema (an array where an object is expected, ...) is
// kept as an empty container of its real type, so the decoder can tell "absent" from "wrong".
// Returns false with `error` set when the text is not one complete JSON value (malformed,
// truncated, trailing garbage). The error names the byte offset but never quotes the text:
// a token response body holds a bearer token.
bool ParseFilteredJson(std::string_view text, const JsonSchema& schema, nlohmann::json& out,
                       std::string& error);

// --- src/datto/json_filter.cc ---

using nlohmann::json;

// The SAX handler: a DOM builder that consults the schema before creating any value and skips
// whole subtrees by counting brackets.
class FilterSax {
 public:
  FilterSax(const JsonSchema& schema, json& out) : root_schema_(schema), out_(out) {}

  bool null() { return Scalar(nullptr); }
  bool boolean(bool value) { return Scalar(value); }
  bool number_integer(json::number_integer_t value) { return Scalar(value); }
  bool number_unsigned(json::number_unsigned_t value) { return Scalar(value); }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) {
    return Scalar(value);
  }
  bool string(json::string_t& value) { return Scalar(value); }
  bool binary(json::binary_t& /*value*/) { return Scalar(nullptr); }  // never produced by text
  bool start_object(std::size_t /*size*/) { return Start(json::value_t::object); }
  bool start_array(std::size_t /*size*/) { return Start(json::value_t::array); }
  bool end_object() { return End(); }
  bool end_array() { return End(); }

  bool key(json::string_t& key) {
    if (skip_depth_ > 0) return true;
    const Frame& frame = frames_.back();
    pending_ = nullptr;
    if (frame.schema->kind == JsonSchema::Kind::kAny) {
      pending_ = &kJsonAny;
    } else {
      for (const auto& field : frame.schema->fields) {
        if (field.key == key) {
          pending_ = field.schema;
          break;
        }
      }
    }
    if (pending_ != nullptr) pending_key_ = key;
    return true;
  }

  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*ex*/) {
    error_ = "malformed or truncated JSON near byte " + std::to_string(position);
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  struct Frame {
    json* node;
    const JsonSchema* schema;
  };

  // Where the next value goes and which schema applies to it; nullptr when it is dropped.
  json* Slot(const JsonSchema*& schema) {
    if (frames_.empty()) {
      schema = &root_schema_;
      return &out_;
    }
    Frame& frame = frames_.back();
    if (frame.node->is_object()) {
      if (pending_ == nullptr) return nullptr;
      schema = pending_;
      pending_ = nullptr;
      return &(*frame.node)[pending_key_];
    }
    schema = frame.schema->kind == JsonSchema::Kind::kAny ? &kJsonAny : frame.schema->items;
    if (schema == nullptr) return nullptr;
    frame.node->push_back(nullptr);
    return &frame.node->back();
  }

  template <typename Value>
  bool Scalar(Value&& value) {
    if (skip_depth_ > 0) return true;
    const JsonSchema* schema = nullptr;
    if (json* slot = Slot(schema)) *slot = json(std::forward<Value>(value));
    return true;
  }

  bool Start(json::value_t type) {
    if (skip_depth_ > 0) {
      ++skip_depth_;
      return true;
    }
    const JsonSchema* schema = nullptr;
    json* slot = Slot(schema);
    if (slot == nullptr) {
      skip_depth_ = 1;
      return true;
    }
    *slot = json(type);
    const bool wanted =
        schema->kind == JsonSchema::Kind::kAny ||
        (type == json::value_t::object && schema->kind == JsonSchema::Kind::kObject) ||
        (type == json::value_t::array && schema->kind == JsonSchema::Kind::kArray);
    if (!wanted) {
      skip_depth_ = 1;  // keep the empty container as evidence of the wrong type
      return true;
    }
    frames_.push_back({slot, schema});
    return true;
  }

  bool End() {
    if (skip_depth_ > 0) {
      --skip_depth_;
    } else {
      frames_.pop_back();
    }
    return true;
  }

  const JsonSchema& root_schema_;
  json& out_;
  std::vector<Frame> frames_;
  int skip_depth_ = 0;
  const JsonSchema* pending_ = nullptr;  // schema of the value after the last key
  std::string pending_key_;
  std::string error_;
};

bool ParseFilteredJson(std::string_view text, const JsonSchema& schema, json& out,
                       std::string& error) {
  out = json();
  FilterSax sax(schema, out);
  const bool ok = json::sax_parse(text.data(), text.data() + text.size(), &sax,
                                  json::input_format_t::json, /*strict=*/true);
  if (!ok) {
    error = sax.error().empty() ? "malformed JSON" : sax.error();
    out = json();
  }
  return ok;
}

// --- src/datto/decode.cc (page decoders) ---

std::optional<std::int64_t> LegacyParseIso8601Millis(std::string_view text);

using nlohmann::json;
using Kind = JsonSchema::Kind;

// --- What each body keeps (everything else is skipped while parsing) -------------------------

constexpr auto kDevicesStatusFields = std::to_array<JsonSchema::Field>({
    {"numberOfDevices", &kJsonScalar},
    {"numberOfOnlineDevices", &kJsonScalar},
    {"numberOfOfflineDevices", &kJsonScalar},
    {"numberOfOnDemandDevices", &kJsonScalar},
    {"numberOfManagedDevices", &kJsonScalar},
});
constexpr JsonSchema kDevicesStatus{Kind::kObject, kDevicesStatusFields, nullptr};

constexpr auto kSiteFields = std::to_array<JsonSchema::Field>({
    {"uid", &kJsonScalar},
    {"name", &kJsonScalar},
    {"id", &kJsonScalar},
    {"onDemand", &kJsonScalar},
    {"portalUrl", &kJsonScalar},
    {"devicesStatus", &kDevicesStatus},
});
constexpr JsonSchema kSite{Kind::kObject, kSiteFields, nullptr};
constexpr JsonSchema kSites{Kind::kArray, {}, &kSite};
constexpr auto kSitesPageFields =
    std::to_array<JsonSchema::Field>({{"pageDetails", &kJsonAny}, {"sites", &kSites}});
constexpr JsonSchema kSitesPage{Kind::kObject, kSitesPageFields, nullptr};

constexpr auto kDeviceTypeFields = std::to_array<JsonSchema::Field>({{"category", &kJsonScalar}});
constexpr JsonSchema kDeviceType{Kind::kObject, kDeviceTypeFields, nullptr};
constexpr auto kPatchFields = std::to_array<JsonSchema::Field>({
    {"patchStatus", &kJsonScalar},
    {"patchesApprovedPending", &kJsonScalar},
    {"patchesNotApproved", &kJsonScalar},
    {"patchesInstalled", &kJsonScalar},
});
constexpr JsonSchema kPatch{Kind::kObject, kPatchFields, nullptr};
constexpr auto kAntivirusFields = std::to_array<JsonSchema::Field>({
    {"antivirusProduct", &kJsonScalar},
    {"antivirusStatus", &kJsonScalar},
});
constexpr JsonSchema kAntivirus{Kind::kObject, kAntivirusFields, nullptr};
constexpr auto kDeviceFields = std::to_array<JsonSchema::Field>({
    {"uid", &kJsonScalar},
    {"siteUid", &kJsonScalar},
    {"siteName", &kJsonScalar},
    {"hostname", &kJsonScalar},
    {"id", &kJsonScalar},
    {"deviceType", &kDeviceType},
    {"deviceClass", &kJsonScalar},
    {"operatingSystem", &kJsonScalar},
    {"online", &kJsonScalar},
    {"rebootRequired", &kJsonScalar},
    {"suspended", &kJsonScalar},
    {"deleted", &kJsonScalar},
    {"lastSeen", &kJsonScalar},
    {"lastReboot", &kJsonScalar},
    {"lastAuditDate", &kJsonScalar},
    {"creationDate", &kJsonScalar},
    {"patchManagement", &kPatch},
    {"antivirus", &kAntivirus},
});
constexpr JsonSchema kDevice{Kind::kObject, kDeviceFields, nullptr};
constexpr JsonSchema kDevices{Kind::kArray, {}, &kDevice};
constexpr auto kDevicesPageFields =
    std::to_array<JsonSchema::Field>({{"pageDetails", &kJsonAny}, {"devices", &kDevices}});
constexpr JsonSchema kDevicesPage{Kind::kObject, kDevicesPageFields, nullptr};

constexpr auto kAlertContextFields = std::to_array<JsonSchema::Field>({{"@class", &kJsonScalar}});
constexpr JsonSchema kAlertContext{Kind::kObject, kAlertContextFields, nullptr};
constexpr auto kAlertSourceFields = std::to_array<JsonSchema::Field>({
    {"siteUid", &kJsonScalar},
    {"siteName", &kJsonScalar},
    {"deviceUid", &kJsonScalar},
    {"deviceName", &kJsonScalar},
});
constexpr JsonSchema kAlertSource{Kind::kObject, kAlertSourceFields, nullptr};
constexpr auto kAlertFields = std::to_array<JsonSchema::Field>({
    {"alertUid", &kJsonScalar},
    {"priority", &kJsonScalar},
    {"alertContext", &kAlertContext},
    {"timestamp", &kJsonScalar},
    {"muted", &kJsonScalar},
    {"resolved", &kJsonScalar},
    {"alertSourceInfo", &kAlertSource},
});
constexpr JsonSchema kAlert{Kind::kObject, kAlertFields, nullptr};
constexpr JsonSchema kAlerts{Kind::kArray, {}, &kAlert};
constexpr auto kAlertsPageFields =
    std::to_array<JsonSchema::Field>({{"pageDetails", &kJsonAny}, {"alerts", &kAlerts}});
constexpr JsonSchema kAlertsPage{Kind::kObject, kAlertsPageFields, nullptr};

constexpr auto kAccountFields = std::to_array<JsonSchema::Field>({
    {"id", &kJsonScalar},
    {"uid", &kJsonScalar},
    {"name", &kJsonScalar},
    {"devicesStatus", &kDevicesStatus},
});
constexpr JsonSchema kAccount{Kind::kObject, kAccountFields, nullptr};

// --- Known enum values (README "Data on the wire") -------------------------------------------

constexpr std::array<std::string_view, 6> kPriorities = {"Critical", "High",        "Moderate",
                                                         "Low",      "Information", "Unknown"};
constexpr std::array<std::string_view, 6> kPatchStatuses = {
    "NoPolicy", "NoData", "RebootRequired", "InstallError", "ApprovedPending", "FullyPatched"};
constexpr std::array<std::string_view, 4> kAntivirusStatuses = {
    "RunningAndUpToDate", "RunningAndNotUpToDate", "NotRunning", "NotDetected"};
constexpr std::array<std::string_view, 5> kDeviceClasses = {"device", "printer", "esxihost",
                                                            "rmmnetworkdevice", "unknown"};

// 0001-01-02T00:00:00Z: Datto's "never" is 0001-01-01T00:00:00 in some zone; nothing real is
// that old.
constexpr std::int64_t kNeverBeforeMillis = -62135596800000 + 86'400'000;
// What a system_clock time_point (nanoseconds in int64) can hold, with margin.
constexpr std::int64_t kMaxAbsMillis = 9'000'000'000'000'000;

Status DecodeError(std::string message) { return {ErrorKind::kDecode, std::move(message)}; }

enum class TimeKind { kTime, kNever, kInvalid };

TimeKind ClassifyMillis(std::int64_t millis) {
  if (millis < kNeverBeforeMillis) return TimeKind::kNever;
  if (millis > kMaxAbsMillis) return TimeKind::kInvalid;
  return TimeKind::kTime;
}

WallTime MillisToTime(std::int64_t millis) {
  return WallTime{
      std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(millis))};
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Reads the fields of one JSON object, null-tolerantly, counting wrong types in the context.
class Reader {
 public:
  Reader(const json& object, DecodeContext& context, std::vector<std::string>& reported)
      : object_(object), context_(context), reported_(reported) {}

  // The value at `key`, or nullptr when it is absent or null.
  const json* Find(std::string_view key) const {
    if (!object_.is_object()) return nullptr;
    const auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  std::optional<std::string> String(std::string_view key) const {
    const json* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) return Wrong<std::string>();
    return value->get<std::string>();
  }
  std::string StringOrEmpty(std::string_view key) const { return String(key).value_or(""); }

  std::optional<std::int64_t> Int(std::string_view key) const {
    const json* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_number_integer() && !value->is_number_unsigned()) {
      return value->get<std::int64_t>();
    }
    if (value->is_number_unsigned()) {
      const auto v = value->get<std::uint64_t>();
      if (v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return static_cast<std::int64_t>(v);
      }
      return Wrong<std::int64_t>();
    }
    if (value->is_number_float()) {
      // 12.0 is an integer that went through a float somewhere; 12.5 is not.
      const double v = value->get<double>();
      if (std::isfinite(v) && std::trunc(v) == v && std::fabs(v) < 9.0e18) {
        return static_cast<std::int64_t>(v);
      }
    }
    return Wrong<std::int64_t>();
  }

  std::optional<double> Number(std::string_view key) const {
    const json* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_number()) return Wrong<double>();
    return value->get<double>();
  }

  std::optional<bool> Bool(std::string_view key) const {
    const json* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_boolean()) return Wrong<bool>();
    return value->get<bool>();
  }

  // Epoch milliseconds as a number (or a string of digits), or an ISO-8601 string.
  std::optional<WallTime> Time(std::string_view key) const {
    const json* value = Find(key);
    if (value == nullptr) return std::nullopt;
    std::optional<std::int64_t> millis;
    if (value->is_number_integer() && !value->is_number_unsigned()) {
      millis = value->get<std::int64_t>();
    } else if (value->is_number_unsigned()) {
      const auto v = value->get<std::uint64_t>();
      if (v <= static_cast<std::uint64_t>(kMaxAbsMillis)) millis = static_cast<std::int64_t>(v);
    } else if (value->is_number_float()) {
      const double v = value->get<double>();
      if (std::isfinite(v) && std::fabs(v) < 9.0e15) millis = std::llround(v);
    } else if (value->is_string()) {
      const auto& text = value->get_ref<const std::string&>();
      if (AllDigits(text) || (text.size() > 1 && text[0] == '-' && AllDigits(text.substr(1)))) {
        if (text.size() <= 17) millis = std::stoll(text);
      } else {
        millis = LegacyParseIso8601Millis(text);
      }
    }
    if (!millis) return Wrong<WallTime>();
    switch (ClassifyMillis(*millis)) {
      case TimeKind::kNever:
        return std::nullopt;
      case TimeKind::kInvalid:
        return Wrong<WallTime>();
      case TimeKind::kTime:
        break;
    }
    return MillisToTime(*millis);
  }

  // A string from an open enum: kept whatever it says; reported when it is not a known value.
  template <std::size_t N>
  std::optional<std::string> Enum(std::string_view key,
                                  const std::array<std::string_view, N>& known) const {
    auto value = String(key);
    if (!value || value->empty()) return std::nullopt;
    if (std::find(known.begin(), known.end(), *value) == known.end()) Report(key, *value);
    return value;
  }

  // A nested object, or nullptr when absent or null (or, counted as a warning, not an object).
  const json* Object(std::string_view key) const {
    const json* value = Find(key);
    if (value == nullptr) return nullptr;
    if (!value->is_object()) {
      ++context_.warnings;
      return nullptr;
    }
    return value;
  }

  Reader Nested(const json* object) const {
    static const json kEmpty = json::object();
    return {object == nullptr ? kEmpty : *object, context_, reported_};
  }

 private:
  template <typename T>
  std::optional<T> Wrong() const {
    ++context_.warnings;
    return std::nullopt;
  }

  void Report(std::string_view field, const std::string& value) const {
    std::string id(field);
    id += '\0';
    id += value;
    if (std::find(reported_.begin(), reported_.end(), id) != reported_.end()) return;
    reported_.push_back(std::move(id));
    if (context_.on_unknown_enum) context_.on_unknown_enum(field, value);
  }

  const json& object_;
  DecodeContext& context_;
  std::vector<std::string>& reported_;
};

DevicesStatus ReadDevicesStatus(const Reader& r) {
  DevicesStatus s;
  s.number_of_devices = r.Int("numberOfDevices");
  s.number_of_online_devices = r.Int("numberOfOnlineDevices");
  s.number_of_offline_devices = r.Int("numberOfOfflineDevices");
  return s;
}

Site ReadSite(const Reader& r) {
  Site site;
  site.uid = r.StringOrEmpty("uid");
  site.name = r.StringOrEmpty("name");
  site.id = r.Int("id");
  site.on_demand = r.Bool("onDemand");
  site.portal_url = r.String("portalUrl");
  site.devices_status = ReadDevicesStatus(r.Nested(r.Object("devicesStatus")));
  return site;
}

Device ReadDevice(const Reader& r) {
  Device d;
  d.uid = r.StringOrEmpty("uid");
  d.site_uid = r.StringOrEmpty("siteUid");
  d.site_name = r.StringOrEmpty("siteName");
  d.hostname = r.StringOrEmpty("hostname");
  d.id = r.Int("id");
  d.category = r.Nested(r.Object("deviceType")).String("category");
  d.device_class = r.Enum("deviceClass", kDeviceClasses);
  d.operating_system = r.String("operatingSystem");
  d.online = r.Bool("online");
  d.reboot_required = r.Bool("rebootRequired");
  d.suspended = r.Bool("suspended");
  d.deleted = r.Bool("deleted");
  d.last_seen = r.Time("lastSeen");
  d.last_reboot = r.Time("lastReboot");
  d.last_audit_date = r.Time("lastAuditDate");
  d.creation_date = r.Time("creationDate");
  if (const json* patch = r.Object("patchManagement")) {
    const Reader p = r.Nested(patch);
    PatchManagement pm;
    pm.patch_status = p.Enum("patchStatus", kPatchStatuses);
    pm.patches_approved_pending = p.Int("patchesApprovedPending");
    pm.patches_not_approved = p.Int("patchesNotApproved");
    pm.patches_installed = p.Int("patchesInstalled");
    d.patch_management = std::move(pm);
  }
  if (const json* av = r.Object("antivirus")) {
    const Reader a = r.Nested(av);
    Antivirus antivirus;
    antivirus.antivirus_product = a.String("antivirusProduct");
    antivirus.antivirus_status = a.Enum("antivirusStatus", kAntivirusStatuses);
    d.antivirus = std::move(antivirus);
  }
  return d;
}

Alert ReadAlert(const Reader& r) {
  Alert a;
  a.alert_uid = r.StringOrEmpty("alertUid");
  a.priority = r.Enum("priority", kPriorities);
  a.alert_class = r.Nested(r.Object("alertContext")).String("@class");
  a.timestamp = r.Time("timestamp");
  a.muted = r.Bool("muted");
  a.resolved = r.Bool("resolved");
  const Reader source = r.Nested(r.Object("alertSourceInfo"));
  a.site_uid = source.StringOrEmpty("siteUid");
  a.site_name = source.StringOrEmpty("siteName");
  a.device_uid = source.StringOrEmpty("deviceUid");
  a.device_name = source.StringOrEmpty("deviceName");
  return a;
}

// Parses `body` and checks that it is an object; shared by every decoder.
Status ParseObject(std::string_view body, const JsonSchema& schema, json& root) {
  std::string error;
  if (!ParseFilteredJson(body, schema, root, error)) return DecodeError(error);
  if (!root.is_object()) return DecodeError("expected a JSON object");
  return Status::Ok();
}

template <typename Item, typename ReadItem>
Result<Page<Item>> DecodePage(std::string_view body, DecodeContext& context,
                              const JsonSchema& schema, std::string_view list_key,
                              ReadItem read_item) {
  json root;
  if (Status s = ParseObject(body, schema, root); !s.ok()) return s;
  const auto list = root.find(list_key);
  if (list == root.end() || !list->is_array()) {
    return DecodeError("expected an array \"" + std::string(list_key) + "\"");
  }
  std::vector<std::string> reported;
  const Reader top(root, context, reported);
  Page<Item> page;
  const Reader details = top.Nested(top.Object("pageDetails"));
  page.details.count = details.Int("count");
  page.details.total_count = details.Int("totalCount");
  page.details.prev_page_url = details.String("prevPageUrl");
  page.details.next_page_url = details.String("nextPageUrl");
  page.items.reserve(list->size());
  for (const json& element : *list) {
    if (!element.is_object()) {
      ++context.warnings;
      continue;
    }
    page.items.push_back(read_item(Reader(element, context, reported)));
  }
  return page;
}

unsigned DaysInMonth(std::int64_t y, unsigned m) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at `pos`.
bool Digits(std::string_view text, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > text.size()) return false;
  int value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += n;
  out = value;
  return true;
}

bool Expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

std::optional<std::int64_t> LegacyParseIso8601Millis(std::string_view text) {
  std::size_t pos = 0;
  int year = 0;
  int month = 0;
  int day = 0;
  if (!Digits(text, pos, 4, year) || !Expect(text, pos, '-') || !Digits(text, pos, 2, month) ||
      !Expect(text, pos, '-') || !Digits(text, pos, 2, day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > DaysInMonth(year, static_cast<unsigned>(month))) {
    return std::nullopt;
  }
  int hour = 0;
  int minute = 0;
  int second = 0;
  int millis = 0;
  int offset_minutes = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
    ++pos;
    if (!Digits(text, pos, 2, hour) || !Expect(text, pos, ':') || !Digits(text, pos, 2, minute)) {
      return std::nullopt;
    }
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!Digits(text, pos, 2, second)) return std::nullopt;
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        const std::size_t start = pos;
        int scale = 100;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          millis += (text[pos] - '0') * scale;
          scale /= 10;
          ++pos;
        }
        if (pos == start) return std::nullopt;
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    if (pos < text.size()) {
      const char zone = text[pos++];
      if (zone == 'Z' || zone == 'z') {
        // UTC
      } else if (zone == '+' || zone == '-') {
        int oh = 0;
        int om = 0;
        if (!Digits(text, pos, 2, oh)) return std::nullopt;
        if (pos < text.size()) {
          if (text[pos] == ':') ++pos;
          if (!Digits(text, pos, 2, om)) return std::nullopt;
        }
        if (oh > 23 || om > 59) return std::nullopt;
        offset_minutes = (zone == '+' ? 1 : -1) * (oh * 60 + om);
      } else {
        return std::nullopt;
      }
    }
    if (pos != text.size()) return std::nullopt;
  }
  const std::int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t seconds = days * 86400 + std::int64_t{hour} * 3600 +
                               std::int64_t{minute} * 60 + second -
                               std::int64_t{offset_minutes} * 60;
  return seconds * 1000 + millis;
}

std::optional<WallTime> TimeFromEpochMillis(std::int64_t millis) {
  if (ClassifyMillis(millis) != TimeKind::kTime) return std::nullopt;
  return MillisToTime(millis);
}

Result<Page<Site>> LegacyDecodeSitesPage(std::string_view body, DecodeContext& context) {
  return DecodePage<Site>(body, context, kSitesPage, "sites", ReadSite);
}

Result<Page<Device>> LegacyDecodeDevicesPage(std::string_view body, DecodeContext& context) {
  return DecodePage<Device>(body, context, kDevicesPage, "devices", ReadDevice);
}

Result<Page<Alert>> LegacyDecodeAlertsPage(std::string_view body, DecodeContext& context) {
  return DecodePage<Alert>(body, context, kAlertsPage, "alerts", ReadAlert);
}

}  // namespace drmm::legacy
