// Datto API bodies to model structs on simdjson's On-Demand parser. simdjson's stage 1 indexes
// the whole body with SIMD (and validates its UTF-8); then one forward pass reads the fields
// each struct's table names and checks everything else without building it, so a malformed
// byte anywhere still fails the page as a full parser would, while a 5 KB device costs little
// more than a scan of its bytes.
#include "datto/decode.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <system_error>
#include <utility>
#include <vector>

namespace drmm::datto {
namespace {

namespace od = simdjson::ondemand;

// Datto's pages nest five levels deep. Deeper input is refused before the recursive walk can
// exhaust a thread's stack.
constexpr int kMaxDepth = 64;

// --- Known enum values (README "Data on the wire") -------------------------------------------

constexpr std::array<std::string_view, 6> kPriorities = {"Critical", "High",        "Moderate",
                                                         "Low",      "Information", "Unknown"};
constexpr std::array<std::string_view, 6> kPatchStatuses = {
    "NoPolicy", "NoData", "RebootRequired", "InstallError", "ApprovedPending", "FullyPatched"};
constexpr std::array<std::string_view, 4> kAntivirusStatuses = {
    "RunningAndUpToDate", "RunningAndNotUpToDate", "NotRunning", "NotDetected"};
constexpr std::array<std::string_view, 5> kDeviceClasses = {"device", "printer", "esxihost",
                                                            "rmmnetworkdevice", "unknown"};

// --- Time ------------------------------------------------------------------------------------

// 0001-01-02T00:00:00Z: Datto's "never" is 0001-01-01T00:00:00 in some zone; nothing real is
// that old.
constexpr std::int64_t kNeverBeforeMillis = -62135596800000 + 86'400'000;
// What a WallTime (system_clock: nanoseconds in an int64, years 1678 to 2261) can hold. The
// decoder before simdjson allowed 9e15 ms here, which overflowed (undefined behaviour, found by
// fuzzing) for any time outside those years.
constexpr std::int64_t kMaxAbsMillis =
    std::chrono::duration_cast<std::chrono::milliseconds>(WallTime::duration::max()).count() - 1;

enum class TimeKind { kTime, kNever, kInvalid };

TimeKind ClassifyMillis(std::int64_t millis) {
  if (millis < kNeverBeforeMillis) return TimeKind::kNever;
  if (millis > kMaxAbsMillis || millis < -kMaxAbsMillis) return TimeKind::kInvalid;
  return TimeKind::kTime;
}

WallTime MillisToTime(std::int64_t millis) {
  return WallTime{
      std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(millis))};
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsDigit);
}

// Reads exactly `n` digits at `pos`.
bool Digits(std::string_view text, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > text.size()) return false;
  int value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (!IsDigit(c)) return false;
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

// --- Scalars ---------------------------------------------------------------------------------

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A raw token's first character tells its type; a token is never empty where simdjson is
// positioned on a value, but the check is cheap.
bool Opens(std::string_view token, char c) { return !token.empty() && token[0] == c; }

// simdjson's raw tokens run up to the next structural character, whitespace included.
std::string_view TrimRight(std::string_view token) {
  while (!token.empty() && IsSpace(token.back())) token.remove_suffix(1);
  return token;
}

// Bytes a string's content cannot hold verbatim: backslash, quote, control characters.
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> special{};
  for (int c = 0; c < 0x20; ++c) special[static_cast<std::size_t>(c)] = true;
  special['\\'] = special['"'] = true;
  return special;
}();

// Position of the first special byte in a string's content; npos when the content is plain.
std::size_t FindSpecial(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (kSpecial[static_cast<unsigned char>(text[i])]) return i;
  }
  return std::string_view::npos;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The four hex digits of a \u escape at text[pos..pos+4), or -1.
int Hex4(std::string_view text, std::size_t pos) {
  if (pos + 4 > text.size()) return -1;
  int value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const int digit = HexValue(text[pos + i]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

constexpr std::uint32_t kReplacement = 0xFFFD;

// Walks the content of a JSON string (between its quotes): false on an invalid escape, a raw
// quote or control character. With `out`, appends the unescaped text. An unpaired surrogate
// escape becomes U+FFFD and is counted in `repairs` (RFC 8259 allows it; UTF-8 cannot hold it).
bool Unescape(std::string_view text, std::string* out, std::int64_t& repairs) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t special = FindSpecial(text.substr(i));
    const std::size_t plain = special == std::string_view::npos ? text.size() - i : special;
    if (out != nullptr) out->append(text.substr(i, plain));
    i += plain;
    if (i == text.size()) break;
    if (text[i] != '\\' || i + 1 == text.size()) return false;
    const char e = text[i + 1];
    i += 2;
    char simple = 0;
    switch (e) {
      case '"':
        simple = '"';
        break;
      case '\\':
        simple = '\\';
        break;
      case '/':
        simple = '/';
        break;
      case 'b':
        simple = '\b';
        break;
      case 'f':
        simple = '\f';
        break;
      case 'n':
        simple = '\n';
        break;
      case 'r':
        simple = '\r';
        break;
      case 't':
        simple = '\t';
        break;
      case 'u':
        break;
      default:
        return false;
    }
    if (e != 'u') {
      if (out != nullptr) *out += simple;
      continue;
    }
    const int unit = Hex4(text, i);
    if (unit < 0) return false;
    i += 4;
    auto cp = static_cast<std::uint32_t>(unit);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      const int low =
          i + 1 < text.size() && text[i] == '\\' && text[i + 1] == 'u' ? Hex4(text, i + 2) : -1;
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<std::uint32_t>(low) - 0xDC00);
        i += 6;
      } else {
        cp = kReplacement;  // whatever follows is read on its own
        ++repairs;
      }
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      cp = kReplacement;
      ++repairs;
    }
    if (out != nullptr) AppendUtf8(*out, cp);
  }
  return true;
}

// Checks JSON number syntax; `integer` when there is neither fraction nor exponent.
bool NumberSyntax(std::string_view t, bool& integer) {
  std::size_t i = 0;
  const std::size_t n = t.size();
  auto digits = [&] {
    const std::size_t start = i;
    while (i < n && IsDigit(t[i])) ++i;
    return i > start;
  };
  if (i < n && t[i] == '-') ++i;
  if (i < n && t[i] == '0') {
    ++i;
  } else if (i >= n || t[i] < '1' || t[i] > '9' || !digits()) {
    return false;
  }
  integer = true;
  if (i < n && t[i] == '.') {
    integer = false;
    ++i;
    if (!digits()) return false;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    integer = false;
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

// For a syntactically valid number that from_chars found out of a double's range: whether it
// is too small (it then rounds to zero, as strtod does) rather than too large.
bool Underflows(std::string_view t) {
  std::size_t i = t[0] == '-' ? 1 : 0;
  std::int64_t magnitude = 0;  // decimal exponent of the first significant digit
  bool significant = false;
  std::int64_t position = 0;
  for (; i < t.size() && IsDigit(t[i]); ++i, ++position) {
    if (!significant && t[i] != '0') {
      significant = true;
      magnitude = -position;
    }
  }
  magnitude += position - 1;
  if (i < t.size() && t[i] == '.') {
    ++i;
    for (std::int64_t k = 1; i < t.size() && IsDigit(t[i]); ++i, ++k) {
      if (!significant && t[i] != '0') {
        significant = true;
        magnitude = -k;
      }
    }
  }
  if (!significant) return true;
  std::int64_t exponent = 0;
  if (i < t.size()) {  // 'e' or 'E'
    ++i;
    const bool negative = t[i] == '-';
    if (t[i] == '+' || t[i] == '-') ++i;
    for (; i < t.size(); ++i)
      exponent = std::min<std::int64_t>(exponent * 10 + (t[i] - '0'), 1'000'000);
    if (negative) exponent = -exponent;
  }
  return magnitude + exponent < 0;
}

enum class Kind : std::uint8_t { kNull, kBool, kNumber, kString, kObject, kArray };

// How JSON text holds a number, following nlohmann::json (the decoder this one replaced): a
// non-negative integer is unsigned, a negative one signed, either too large for 64 bits a double.
enum class NumberKind : std::uint8_t { kSigned, kUnsigned, kDouble, kOutOfRange };

struct Scalar {
  Kind kind = Kind::kNull;
  bool boolean = false;
  NumberKind number = NumberKind::kSigned;
  std::int64_t signed_value = 0;
  std::uint64_t unsigned_value = 0;
  double double_value = 0;
  std::string_view text;  // a string's content between the quotes, still escaped
  bool escaped = false;   // text holds escapes (Unescape before use)
};

void ParseNumber(std::string_view t, bool integer, Scalar& s) {
  s.kind = Kind::kNumber;
  const char* first = t.data();
  const char* last = t.data() + t.size();
  if (integer) {
    if (t[0] == '-') {
      if (std::from_chars(first, last, s.signed_value).ec == std::errc()) {
        s.number = NumberKind::kSigned;
        return;
      }
    } else if (std::from_chars(first, last, s.unsigned_value).ec == std::errc()) {
      s.number = NumberKind::kUnsigned;
      return;
    }
  }
  const auto result = std::from_chars(first, last, s.double_value);
  if (result.ec == std::errc()) {
    s.number = NumberKind::kDouble;
  } else if (Underflows(t)) {
    s.number = NumberKind::kDouble;
    s.double_value = t[0] == '-' ? -0.0 : 0.0;
  } else {
    s.number = NumberKind::kOutOfRange;  // 1e400: read as absent, with a warning
  }
}

// --- Invalid UTF-8 ---------------------------------------------------------------------------

// Copies `in`, replacing each maximal ill-formed subsequence (Unicode's recommended practice)
// with U+FFFD; returns how many were replaced. Outside strings the replacement is still not
// JSON, so the syntax check that follows rejects it.
std::int64_t RepairUtf8(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size() + in.size() / 8);
  std::int64_t replaced = 0;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(in[i]); };
  std::size_t i = 0;
  while (i < in.size()) {
    const unsigned char c = byte(i);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    }
    std::size_t valid = length == 0 ? 0 : 1;  // bytes of the sequence that fit so far
    while (valid > 0 && valid < length && i + valid < in.size()) {
      const unsigned char next = byte(i + valid);
      const bool fits = valid == 1 ? next >= low && next <= high : next >= 0x80 && next <= 0xBF;
      if (!fits) break;
      ++valid;
    }
    if (length > 0 && valid == length) {
      out.append(in.substr(i, length));
      i += length;
    } else {
      AppendUtf8(out, kReplacement);
      ++replaced;
      i += std::max<std::size_t>(valid, 1);
    }
  }
  return replaced;
}

// --- Parser workspaces -----------------------------------------------------------------------

// A parser and the padded copy of the body it reads (simdjson reads up to 64 bytes past the
// end). Pooled: a walk of hundreds of pages allocates them once, instead of once per page.
struct Workspace {
  od::parser parser;
  std::unique_ptr<char[]> buffer;
  std::size_t capacity = 0;

  const char* Load(std::string_view body) {
    const std::size_t needed = body.size() + simdjson::SIMDJSON_PADDING;
    if (capacity < needed) {
      buffer = std::make_unique_for_overwrite<char[]>(needed);
      capacity = needed;
    }
    std::memcpy(buffer.get(), body.data(), body.size());
    std::memset(buffer.get() + body.size(), ' ', simdjson::SIMDJSON_PADDING);
    return buffer.get();
  }
};

class WorkspacePool {
 public:
  std::unique_ptr<Workspace> Acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto workspace = std::move(idle_.back());
        idle_.pop_back();
        return workspace;
      }
    }
    return std::make_unique<Workspace>();
  }

  // A parser holds about 7 bytes per byte of the largest body it read: keep the ones sized for
  // ordinary pages (a 250-device page is 1.3 MB), let the one a 30 MB body needed go.
  void Release(std::unique_ptr<Workspace> workspace) {
    if (workspace->capacity > kMaxKeptBytes) return;
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(workspace));
  }

 private:
  static constexpr std::size_t kMaxKeptBytes = 4u << 20;
  static constexpr std::size_t kMaxIdle = 2;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Workspace>> idle_;
};

WorkspacePool& Pool() {
  static WorkspacePool pool;
  return pool;
}

// --- Field tables ----------------------------------------------------------------------------

class Decoder;
class Reporter;

// One JSON key of a struct: how to read its value into the struct, how to clear what it
// wrote (when the key comes again, last wins), how to report unknown enum values, and whether
// the caller asked for it (fields read only on request).
template <typename T>
struct Field {
  std::string_view key;
  bool (*read)(Decoder&, od::value&, std::string_view token, int depth, T& out,
               std::int64_t& warnings) = nullptr;
  void (*reset)(T&) = nullptr;
  void (*report)(std::string_view key, const T&, Reporter&) = nullptr;
  bool (*wanted)(const DecodeOptions&) = nullptr;
};

constexpr std::uint32_t Hash(std::string_view key, std::uint32_t seed) {
  std::uint32_t h = seed;
  const auto mix = [&h](std::size_t v) { h = (h ^ static_cast<std::uint32_t>(v)) * 0x9E3779B1u; };
  mix(key.size());
  if (!key.empty()) {
    mix(static_cast<unsigned char>(key[0]));
    mix(static_cast<unsigned char>(key[key.size() / 3]));
    mix(static_cast<unsigned char>(key[key.size() * 2 / 3]));
    mix(static_cast<unsigned char>(key.back()));
  }
  return h >> 26;  // 0..63
}

// The fields of one struct with a perfect hash of their keys (found at compile time), so a key
// costs one hash and one comparison.
template <typename T, std::size_t N>
struct Table {
  static_assert(N <= 32, "a table of 64 slots needs few keys to be collision-free");
  std::array<Field<T>, N> fields;
  std::uint32_t seed = 0;
  std::array<std::uint8_t, 64> slots{};  // 1 + index into fields, 0 for none

  // The index of the key's field, or N.
  std::size_t Find(std::string_view key) const {
    const std::size_t slot = slots[Hash(key, seed)];
    if (slot == 0 || fields[slot - 1].key != key) return N;
    return slot - 1;
  }
};

template <typename T, typename... F>
consteval Table<T, sizeof...(F)> MakeTable(F... fields) {
  Table<T, sizeof...(F)> table{{fields...}};
  for (std::uint32_t seed = 1; seed < 100'000; ++seed) {
    table.slots = {};
    bool collision = false;
    for (std::size_t i = 0; i < table.fields.size() && !collision; ++i) {
      auto& slot = table.slots[Hash(table.fields[i].key, seed)];
      collision = slot != 0;
      slot = static_cast<std::uint8_t>(i + 1);
    }
    if (!collision) {
      table.seed = seed;
      return table;
    }
  }
  throw "no collision-free hash seed for these keys";  // a compile error in consteval
}

template <typename M>
struct MemberOf;
template <typename C, typename V>
struct MemberOf<V C::*> {
  using Class = C;
  using Value = V;
};
template <auto Member>
using ClassOf = typename MemberOf<decltype(Member)>::Class;

// Unknown enum values, reported once per (field, value) per decode call, after the page is
// decoded so that a value a later duplicate key replaced is not reported.
class Reporter {
 public:
  explicit Reporter(DecodeContext& context) : context_(context) {}

  template <std::size_t N>
  void Check(std::string_view field, const std::optional<std::string>& value,
             const std::array<std::string_view, N>& known) {
    if (!value || std::find(known.begin(), known.end(), *value) != known.end()) return;
    for (const auto& [f, v] : reported_) {
      if (f == field && v == *value) return;
    }
    reported_.emplace_back(field, *value);
    if (context_.on_unknown_enum) context_.on_unknown_enum(field, *value);
  }

 private:
  DecodeContext& context_;
  std::vector<std::pair<std::string_view, std::string>> reported_;
};

template <typename T, std::size_t N>
void ReportFields(const Table<T, N>& table, const T& value, Reporter& reporter) {
  for (const Field<T>& field : table.fields) {
    if (field.report != nullptr) field.report(field.key, value, reporter);
  }
}

template <typename T, std::size_t N>
void ResetFields(const Table<T, N>& table, T& value) {
  for (const Field<T>& field : table.fields) field.reset(value);
}

// --- The walk --------------------------------------------------------------------------------

// One decode call: walks the document in order, reads what tables name, validates the rest.
// Methods return false on an error (kept in status()); the walk then stops.
class Decoder {
 public:
  Decoder(const char* base, const DecodeOptions& options) : base_(base), options_(options) {}

  const DecodeOptions& options() const { return options_; }
  const Status& status() const { return status_; }
  std::int64_t repairs() const { return repairs_; }
  void set_document(od::document* document) { document_ = document; }

  bool Malformed(const char* where, std::string_view what) {
    status_ =
        Status(ErrorKind::kDecode, "malformed JSON near byte " + std::to_string(where - base_) +
                                       ": " + std::string(what));
    return false;
  }

  bool Syntax(simdjson::error_code error) {
    std::string message = "malformed or truncated JSON";
    const char* where = nullptr;
    // simdjson's root checks abandon the walk and point at the start: no offset then.
    if (document_ != nullptr && document_->current_location().get(where) == simdjson::SUCCESS &&
        where > base_) {
      message += " near byte " + std::to_string(where - base_);
    }
    status_ = Status(ErrorKind::kDecode, message + ": " + simdjson::error_message(error));
    return false;
  }

  bool Shape(std::string message) {
    status_ = Status(ErrorKind::kDecode, std::move(message), Persistence::kDeterministic);
    return false;
  }

  // After the root value: nothing may follow it.
  bool AtEnd(od::document& document) {
    const char* trailing = nullptr;
    if (document.current_location().get(trailing) != simdjson::SUCCESS) return true;
    return Malformed(trailing, "trailing content");
  }

  bool TooDeep() {
    return Shape("JSON nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }

  // Checks a scalar token (null, true, false, a number or a string).
  bool CheckScalar(std::string_view token, Scalar& s) {
    const std::string_view t = TrimRight(token);
    if (t.empty()) return Malformed(token.data(), "missing value");
    switch (t[0]) {
      case '"': {
        if (t.size() < 2 || t.back() != '"') return Malformed(t.data(), "unterminated string");
        s.kind = Kind::kString;
        s.text = t.substr(1, t.size() - 2);
        const std::size_t special = FindSpecial(s.text);
        s.escaped = special != std::string_view::npos;
        if (s.escaped && !Unescape(s.text.substr(special), nullptr, repairs_)) {
          return Malformed(t.data(), "invalid string");
        }
        return true;
      }
      case 'n':
        s.kind = Kind::kNull;
        return t == "null" || Malformed(t.data(), "invalid literal");
      case 't':
      case 'f':
        s.kind = Kind::kBool;
        s.boolean = t[0] == 't';
        return t == (s.boolean ? "true" : "false") || Malformed(t.data(), "invalid literal");
      default: {
        bool integer = false;
        if (!NumberSyntax(t, integer)) return Malformed(t.data(), "invalid value");
        ParseNumber(t, integer, s);
        return true;
      }
    }
  }

  // What `value` is; containers are walked (validated) and reported by kind only.
  bool Classify(od::value& value, std::string_view token, int depth, Scalar& s) {
    if (token.empty()) return Malformed(base_, "missing value");
    if (token[0] == '{' || token[0] == '[') {
      s.kind = token[0] == '{' ? Kind::kObject : Kind::kArray;
      return Skip(value, token, depth);
    }
    return CheckScalar(token, s) && Consume(value, s);
  }

  // simdjson skips a string left unread as if it were a key when a colon follows it, so that
  // {"a":"b":"c"} would pass: every string value is taken off the iterator explicitly.
  static bool Consume(od::value& value, const Scalar& s) {
    if (s.kind == Kind::kString) static_cast<void>(value.get_raw_json_string());
    return true;
  }

  // Validates a value nobody asked for without keeping anything of it.
  bool Skip(od::value& value, std::string_view token, int depth) {
    if (token.empty()) return Malformed(base_, "missing value");
    if (token[0] == '{') {
      if (depth > kMaxDepth) return TooDeep();
      od::object object;
      if (auto error = value.get_object().get(object)) return Syntax(error);
      return SkipFields(object, depth);
    }
    if (token[0] == '[') {
      if (depth > kMaxDepth) return TooDeep();
      od::array array;
      if (auto error = value.get_array().get(array)) return Syntax(error);
      return SkipElements(array, depth);
    }
    Scalar ignored;
    return CheckScalar(token, ignored) && Consume(value, ignored);
  }

  bool SkipFields(od::object& object, int depth) {
    for (auto entry : object) {
      od::field field;
      if (auto error = std::move(entry).get(field)) return Syntax(error);
      const std::string_view token = field.value().raw_json_token();
      if (Key(field, token).data() == nullptr) return false;
      if (!Skip(field.value(), token, depth + 1)) return false;
    }
    return true;
  }

  bool SkipElements(od::array& array, int depth) {
    for (auto entry : array) {
      od::value element;
      if (auto error = std::move(entry).get(element)) return Syntax(error);
      if (!Skip(element, element.raw_json_token(), depth + 1)) return false;
    }
    return true;
  }

  // The text of a field's key, unescaped when it holds escapes; a null view (and status())
  // when an escape is invalid. simdjson hands out where the key starts; it ends at the last
  // quote before the colon that precedes the value. Returned by value: it is read right away.
  std::string_view Key(od::field& field, std::string_view value_token) {
    const char* begin = field.key().raw();
    const char* end = value_token.data() - 1;
    while (IsSpace(*end)) --end;  // simdjson checked that a colon is there
    --end;
    while (IsSpace(*end)) --end;
    const std::string_view key(begin, static_cast<std::size_t>(end - begin));
    if (FindSpecial(key) == std::string_view::npos) return key;
    key_storage_.clear();
    if (!Unescape(key, &key_storage_, repairs_)) {
      Malformed(begin, "invalid key");
      return {};
    }
    return key_storage_;
  }

  // The fields of `object` (at `depth`) into `out`. `warnings` gets those of the last
  // occurrence of each key only.
  template <typename T, std::size_t N>
  bool ReadFields(od::object& object, int depth, const Table<T, N>& table, T& out,
                  std::int64_t& warnings) {
    std::array<std::int64_t, N> slot_warnings{};
    for (auto entry : object) {
      od::field field;
      if (auto error = std::move(entry).get(field)) return Syntax(error);
      const std::string_view token = field.value().raw_json_token();
      const std::string_view key = Key(field, token);
      if (key.data() == nullptr) return false;
      const std::size_t index = table.Find(key);
      const Field<T>* known = index < N ? &table.fields[index] : nullptr;
      if (known == nullptr || (known->wanted != nullptr && !known->wanted(options_))) {
        if (!Skip(field.value(), token, depth + 1)) return false;
        continue;
      }
      std::int64_t field_warnings = 0;
      if (!known->read(*this, field.value(), token, depth + 1, out, field_warnings)) return false;
      slot_warnings[index] = field_warnings;
    }
    for (const std::int64_t w : slot_warnings) warnings += w;
    return true;
  }

  template <typename T, std::size_t N>
  bool ReadObject(od::value& value, int depth, const Table<T, N>& table, T& out,
                  std::int64_t& warnings) {
    if (depth > kMaxDepth) return TooDeep();
    od::object object;
    if (auto error = value.get_object().get(object)) return Syntax(error);
    return ReadFields(object, depth, table, out, warnings);
  }

  // Where an object was expected: null is absent; anything else is validated and counted.
  bool NotAnObject(od::value& value, std::string_view token, int depth, std::int64_t& warnings) {
    Scalar s;
    if (!Classify(value, token, depth, s)) return false;
    if (s.kind != Kind::kNull) ++warnings;
    return true;
  }

  std::string Text(const Scalar& s) {
    if (!s.escaped) return std::string(s.text);
    std::string out;
    std::int64_t counted_already = 0;  // CheckScalar counted the repairs
    Unescape(s.text, &out, counted_already);
    return out;
  }

  // udf1..udf300 of one device: only the requested numbers are read; the rest is validated.
  bool ReadUdfs(od::value& value, int depth, std::vector<std::pair<int, std::string>>& udfs,
                std::int64_t& warnings);

 private:
  const char* base_;
  const DecodeOptions& options_;
  od::document* document_ = nullptr;
  Status status_;
  std::int64_t repairs_ = 0;
  std::string key_storage_;
};

// --- Conversions (false: the value has the wrong type or does not fit) ------------------------

bool Convert(Decoder& d, const Scalar& s, std::optional<std::string>& out) {
  if (s.kind != Kind::kString) return false;
  out = d.Text(s);
  return true;
}

bool Convert(Decoder& d, const Scalar& s, std::string& out) {
  if (s.kind != Kind::kString) return false;
  out = d.Text(s);
  return true;
}

bool Convert(Decoder& /*d*/, const Scalar& s, std::optional<bool>& out) {
  if (s.kind != Kind::kBool) return false;
  out = s.boolean;
  return true;
}

bool Convert(Decoder& /*d*/, const Scalar& s, std::optional<std::int64_t>& out) {
  if (s.kind != Kind::kNumber) return false;
  switch (s.number) {
    case NumberKind::kSigned:
      out = s.signed_value;
      return true;
    case NumberKind::kUnsigned:
      if (s.unsigned_value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return false;
      }
      out = static_cast<std::int64_t>(s.unsigned_value);
      return true;
    case NumberKind::kDouble: {
      // 12.0 is an integer that went through a float somewhere; 12.5 is not.
      const double v = s.double_value;
      if (!std::isfinite(v) || std::trunc(v) != v || std::fabs(v) >= 9.0e18) return false;
      out = static_cast<std::int64_t>(v);
      return true;
    }
    case NumberKind::kOutOfRange:
      return false;
  }
  return false;
}

bool Convert(Decoder& /*d*/, const Scalar& s, std::optional<double>& out) {
  if (s.kind != Kind::kNumber) return false;
  switch (s.number) {
    case NumberKind::kSigned:
      out = static_cast<double>(s.signed_value);
      return true;
    case NumberKind::kUnsigned:
      out = static_cast<double>(s.unsigned_value);
      return true;
    case NumberKind::kDouble:
      out = s.double_value;
      return true;
    case NumberKind::kOutOfRange:
      return false;
  }
  return false;
}

// Epoch milliseconds as a number (or a string of digits), or an ISO-8601 string. Datto's
// "never" is absent without a warning.
bool Convert(Decoder& d, const Scalar& s, std::optional<WallTime>& out) {
  std::optional<std::int64_t> millis;
  if (s.kind == Kind::kNumber) {
    switch (s.number) {
      case NumberKind::kSigned:
        millis = s.signed_value;
        break;
      case NumberKind::kUnsigned:
        if (s.unsigned_value <= static_cast<std::uint64_t>(kMaxAbsMillis)) {
          millis = static_cast<std::int64_t>(s.unsigned_value);
        }
        break;
      case NumberKind::kDouble:
        if (std::isfinite(s.double_value) && std::fabs(s.double_value) < 9.0e15) {
          millis = std::llround(s.double_value);
        }
        break;
      case NumberKind::kOutOfRange:
        break;
    }
  } else if (s.kind == Kind::kString) {
    const std::string text = d.Text(s);
    const std::string_view digits =
        text.size() > 1 && text[0] == '-' ? std::string_view(text).substr(1) : text;
    if (AllDigits(digits)) {
      std::int64_t value = 0;
      if (text.size() <= 17 &&
          std::from_chars(text.data(), text.data() + text.size(), value).ec == std::errc()) {
        millis = value;
      }
    } else {
      millis = ParseIso8601Millis(text);
    }
  }
  if (!millis) return false;
  switch (ClassifyMillis(*millis)) {
    case TimeKind::kNever:
      out.reset();
      return true;
    case TimeKind::kInvalid:
      return false;
    case TimeKind::kTime:
      break;
  }
  out = MillisToTime(*millis);
  return true;
}

// --- Field kinds -----------------------------------------------------------------------------

// A scalar member, read by its type: std::string (empty when absent), std::optional of string,
// int64, bool, double or WallTime.
template <auto Member>
bool ReadValue(Decoder& d, od::value& value, std::string_view token, int depth,
               ClassOf<Member>& out, std::int64_t& warnings) {
  auto& target = out.*Member;
  target = {};
  Scalar s;
  if (!d.Classify(value, token, depth, s)) return false;
  if (s.kind != Kind::kNull && !Convert(d, s, target)) {
    target = {};
    ++warnings;
  }
  return true;
}

template <auto Member>
void ResetMember(ClassOf<Member>& out) {
  out.*Member = {};
}

template <auto Member>
constexpr Field<ClassOf<Member>> Value(std::string_view key) {
  return {key, &ReadValue<Member>, &ResetMember<Member>};
}

// An open enum: a string kept whatever it says (empty is absent), reported when unknown.
template <auto Member>
bool ReadEnum(Decoder& d, od::value& value, std::string_view token, int depth, ClassOf<Member>& out,
              std::int64_t& warnings) {
  if (!ReadValue<Member>(d, value, token, depth, out, warnings)) return false;
  if (out.*Member && (out.*Member)->empty()) (out.*Member).reset();
  return true;
}

template <auto Member, const auto& Known>
void ReportEnum(std::string_view key, const ClassOf<Member>& out, Reporter& reporter) {
  reporter.Check(key, out.*Member, Known);
}

template <auto Member, const auto& Known>
constexpr Field<ClassOf<Member>> Enum(std::string_view key) {
  return {key, &ReadEnum<Member>, &ResetMember<Member>, &ReportEnum<Member, Known>};
}

// A nested object into a std::optional member: null is absent, an object of nulls is present.
template <auto Member, const auto& Nested>
bool ReadOptionalObject(Decoder& d, od::value& value, std::string_view token, int depth,
                        ClassOf<Member>& out, std::int64_t& warnings) {
  auto& target = out.*Member;
  target.reset();
  if (!Opens(token, '{')) return d.NotAnObject(value, token, depth, warnings);
  return d.ReadObject(value, depth, Nested, target.emplace(), warnings);
}

template <auto Member, const auto& Nested>
void ReportOptionalObject(std::string_view /*key*/, const ClassOf<Member>& out,
                          Reporter& reporter) {
  if (out.*Member) ReportFields(Nested, *(out.*Member), reporter);
}

template <auto Member, const auto& Nested>
constexpr Field<ClassOf<Member>> Object(std::string_view key) {
  return {key, &ReadOptionalObject<Member, Nested>, &ResetMember<Member>,
          &ReportOptionalObject<Member, Nested>};
}

// A nested object into a plain struct member, all of whose fields are absent when it is.
template <auto Member, const auto& Nested>
bool ReadStruct(Decoder& d, od::value& value, std::string_view token, int depth,
                ClassOf<Member>& out, std::int64_t& warnings) {
  auto& target = out.*Member;
  target = {};
  if (!Opens(token, '{')) return d.NotAnObject(value, token, depth, warnings);
  return d.ReadObject(value, depth, Nested, target, warnings);
}

template <auto Member, const auto& Nested>
constexpr Field<ClassOf<Member>> Struct(std::string_view key) {
  return {key, &ReadStruct<Member, Nested>, &ResetMember<Member>};
}

// A nested object whose fields land in the enclosing struct (deviceType.category is
// Device::category).
template <typename T, const auto& Nested>
bool ReadInline(Decoder& d, od::value& value, std::string_view token, int depth, T& out,
                std::int64_t& warnings) {
  ResetFields(Nested, out);
  if (!Opens(token, '{')) return d.NotAnObject(value, token, depth, warnings);
  return d.ReadObject(value, depth, Nested, out, warnings);
}

template <typename T, const auto& Nested>
void ResetInline(T& out) {
  ResetFields(Nested, out);
}

template <typename T, const auto& Nested>
void ReportInline(std::string_view /*key*/, const T& out, Reporter& reporter) {
  ReportFields(Nested, out, reporter);
}

template <typename T, const auto& Nested>
constexpr Field<T> Inline(std::string_view key) {
  return {key, &ReadInline<T, Nested>, &ResetInline<T, Nested>, &ReportInline<T, Nested>};
}

// Read only when the caller's options ask for it; skipped like an unknown key otherwise.
template <auto Flag, typename T>
constexpr Field<T> Wanted(Field<T> field) {
  field.wanted = [](const DecodeOptions& options) { return options.*Flag; };
  return field;
}

// --- Pages -----------------------------------------------------------------------------------

template <typename Item>
struct PageBody {
  PageDetails details;
  std::vector<Item> items;
  bool has_list = false;  // the last occurrence of the list key held an array
};

template <typename Item, const auto& ItemTable>
bool ReadList(Decoder& d, od::value& value, std::string_view token, int depth, PageBody<Item>& out,
              std::int64_t& warnings) {
  out.items.clear();
  out.has_list = Opens(token, '[');
  if (!out.has_list) {
    Scalar ignored;  // not a list: the page fails once the whole body has been checked
    return d.Classify(value, token, depth, ignored);
  }
  if (depth > kMaxDepth) return d.TooDeep();
  od::array array;
  if (auto error = value.get_array().get(array)) return d.Syntax(error);
  // Datto sends pageDetails first: its count sizes the list in one allocation.
  if (out.details.count && *out.details.count > 0 && *out.details.count <= 10'000) {
    out.items.reserve(static_cast<std::size_t>(*out.details.count));
  }
  for (auto entry : array) {
    od::value element;
    if (auto error = std::move(entry).get(element)) return d.Syntax(error);
    const std::string_view element_token = element.raw_json_token();
    if (!Opens(element_token, '{')) {
      Scalar ignored;  // null included: an entry that is not an object is no item
      if (!d.Classify(element, element_token, depth + 1, ignored)) return false;
      ++warnings;
      continue;
    }
    if (!d.ReadObject(element, depth + 1, ItemTable, out.items.emplace_back(), warnings)) {
      return false;
    }
  }
  return true;
}

template <typename Item>
void ResetList(PageBody<Item>& out) {
  out.items.clear();
  out.has_list = false;
}

template <typename Item, const auto& ItemTable>
void ReportList(std::string_view /*key*/, const PageBody<Item>& out, Reporter& reporter) {
  for (const Item& item : out.items) ReportFields(ItemTable, item, reporter);
}

template <typename Item, const auto& ItemTable>
constexpr Field<PageBody<Item>> List(std::string_view key) {
  return {key, &ReadList<Item, ItemTable>, &ResetList<Item>, &ReportList<Item, ItemTable>};
}

// n for a key "udf<n>" with n in 1..300 written without a leading zero, otherwise 0.
int UdfNumber(std::string_view key) {
  if (key.size() < 4 || key.size() > 6 || key[0] != 'u' || key[1] != 'd' || key[2] != 'f' ||
      key[3] == '0') {
    return 0;
  }
  int number = 0;
  for (const char c : key.substr(3)) {
    if (!IsDigit(c)) return 0;
    number = number * 10 + (c - '0');
  }
  return number <= 300 ? number : 0;
}

bool Decoder::ReadUdfs(od::value& value, int depth, std::vector<std::pair<int, std::string>>& udfs,
                       std::int64_t& warnings) {
  if (depth > kMaxDepth) return TooDeep();
  od::object object;
  if (auto error = value.get_object().get(object)) return Syntax(error);
  std::array<std::uint8_t, 301> slot_warnings{};
  for (auto entry : object) {
    od::field field;
    if (auto error = std::move(entry).get(field)) return Syntax(error);
    const std::string_view token = field.value().raw_json_token();
    const std::string_view key = Key(field, token);
    if (key.data() == nullptr) return false;
    const int number = UdfNumber(key);
    if (number == 0 || !options_.device_udfs[static_cast<std::size_t>(number)]) {
      if (!Skip(field.value(), token, depth + 1)) return false;
      continue;
    }
    Scalar s;
    if (!Classify(field.value(), token, depth + 1, s)) return false;
    std::erase_if(udfs, [number](const auto& udf) { return udf.first == number; });
    slot_warnings[static_cast<std::size_t>(number)] = 0;
    if (s.kind == Kind::kString) {
      udfs.emplace_back(number, Text(s));
    } else if (s.kind != Kind::kNull) {
      slot_warnings[static_cast<std::size_t>(number)] = 1;
    }
  }
  for (const std::uint8_t w : slot_warnings) warnings += w;
  std::sort(udfs.begin(), udfs.end());
  return true;
}

bool ReadDeviceUdfs(Decoder& d, od::value& value, std::string_view token, int depth, Device& out,
                    std::int64_t& warnings) {
  out.udfs.clear();
  if (!Opens(token, '{')) return d.NotAnObject(value, token, depth, warnings);
  return d.ReadUdfs(value, depth, out.udfs, warnings);
}

void ResetDeviceUdfs(Device& out) { out.udfs.clear(); }

bool AnyUdfWanted(const DecodeOptions& options) { return options.device_udfs.any(); }

// Custom readers for one key each.
bool ReadExpiresIn(Decoder& d, od::value& value, std::string_view token, int depth,
                   TokenResponse& out, std::int64_t& warnings) {
  out.expires_in.reset();
  Scalar s;
  if (!d.Classify(value, token, depth, s)) return false;
  if (s.kind == Kind::kNull) return true;
  if (s.kind == Kind::kString) {
    // Some OAuth servers send the lifetime as a string of digits.
    const std::string text = d.Text(s);
    std::int64_t seconds = 0;
    if (AllDigits(text) && text.size() <= 12 &&
        std::from_chars(text.data(), text.data() + text.size(), seconds).ec == std::errc()) {
      out.expires_in = seconds;
    } else {
      ++warnings;
    }
    return true;
  }
  if (!Convert(d, s, out.expires_in)) {
    out.expires_in.reset();
    ++warnings;
  }
  return true;
}

// --- What each body holds --------------------------------------------------------------------

constexpr auto kPageDetails = MakeTable<PageDetails>(
    Value<&PageDetails::count>("count"), Value<&PageDetails::total_count>("totalCount"),
    Value<&PageDetails::prev_page_url>("prevPageUrl"),
    Value<&PageDetails::next_page_url>("nextPageUrl"));

constexpr auto kSiteDevicesStatus = MakeTable<DevicesStatus>(
    Value<&DevicesStatus::number_of_devices>("numberOfDevices"),
    Value<&DevicesStatus::number_of_online_devices>("numberOfOnlineDevices"),
    Value<&DevicesStatus::number_of_offline_devices>("numberOfOfflineDevices"));

constexpr auto kSite = MakeTable<Site>(
    Value<&Site::uid>("uid"), Value<&Site::name>("name"), Value<&Site::id>("id"),
    Value<&Site::on_demand>("onDemand"), Value<&Site::portal_url>("portalUrl"),
    Struct<&Site::devices_status, kSiteDevicesStatus>("devicesStatus"),
    Wanted<&DecodeOptions::site_autotask>(Value<&Site::autotask_company_id>("autotaskCompanyId")),
    Wanted<&DecodeOptions::site_autotask>(
        Value<&Site::autotask_company_name>("autotaskCompanyName")));

constexpr auto kDeviceType = MakeTable<Device>(Value<&Device::category>("category"));

constexpr auto kPatchManagement = MakeTable<PatchManagement>(
    Enum<&PatchManagement::patch_status, kPatchStatuses>("patchStatus"),
    Value<&PatchManagement::patches_approved_pending>("patchesApprovedPending"),
    Value<&PatchManagement::patches_not_approved>("patchesNotApproved"),
    Value<&PatchManagement::patches_installed>("patchesInstalled"));

constexpr auto kAntivirus =
    MakeTable<Antivirus>(Value<&Antivirus::antivirus_product>("antivirusProduct"),
                         Enum<&Antivirus::antivirus_status, kAntivirusStatuses>("antivirusStatus"));

// Unknown enum values are reported in this order within a device.
constexpr auto kDevice = MakeTable<Device>(
    Value<&Device::uid>("uid"), Value<&Device::site_uid>("siteUid"),
    Value<&Device::site_name>("siteName"), Value<&Device::hostname>("hostname"),
    Value<&Device::id>("id"), Inline<Device, kDeviceType>("deviceType"),
    Enum<&Device::device_class, kDeviceClasses>("deviceClass"),
    Value<&Device::operating_system>("operatingSystem"), Value<&Device::online>("online"),
    Value<&Device::reboot_required>("rebootRequired"), Value<&Device::suspended>("suspended"),
    Value<&Device::deleted>("deleted"), Value<&Device::last_seen>("lastSeen"),
    Value<&Device::last_reboot>("lastReboot"), Value<&Device::last_audit_date>("lastAuditDate"),
    Value<&Device::creation_date>("creationDate"),
    Object<&Device::patch_management, kPatchManagement>("patchManagement"),
    Object<&Device::antivirus, kAntivirus>("antivirus"),
    Wanted<&DecodeOptions::device_warranty>(Value<&Device::warranty_date>("warrantyDate")),
    Field<Device>{"udf", &ReadDeviceUdfs, &ResetDeviceUdfs, nullptr, &AnyUdfWanted});

constexpr auto kAlertContext = MakeTable<Alert>(Value<&Alert::alert_class>("@class"));

constexpr auto kAlertSource = MakeTable<Alert>(
    Value<&Alert::site_uid>("siteUid"), Value<&Alert::site_name>("siteName"),
    Value<&Alert::device_uid>("deviceUid"), Value<&Alert::device_name>("deviceName"));

constexpr auto kAlert = MakeTable<Alert>(
    Value<&Alert::alert_uid>("alertUid"), Enum<&Alert::priority, kPriorities>("priority"),
    Inline<Alert, kAlertContext>("alertContext"), Value<&Alert::timestamp>("timestamp"),
    Value<&Alert::muted>("muted"), Value<&Alert::resolved>("resolved"),
    Inline<Alert, kAlertSource>("alertSourceInfo"));

template <typename Item, const auto& ItemTable>
consteval auto PageTable(std::string_view list_key) {
  return MakeTable<PageBody<Item>>(Struct<&PageBody<Item>::details, kPageDetails>("pageDetails"),
                                   List<Item, ItemTable>(list_key));
}

constexpr auto kSitesPage = PageTable<Site, kSite>("sites");
constexpr auto kDevicesPage = PageTable<Device, kDevice>("devices");
constexpr auto kAlertsPage = PageTable<Alert, kAlert>("alerts");

constexpr auto kRateStatus = MakeTable<RateStatus>(
    Value<&RateStatus::sliding_window_seconds>("slidingTimeWindowSizeSeconds"),
    Value<&RateStatus::account_uid>("accountUid"),
    Value<&RateStatus::account_count>("accountCount"),
    Value<&RateStatus::account_rate_limit>("accountRateLimit"),
    Value<&RateStatus::account_cutoff_ratio>("accountCutOffRatio"));

constexpr auto kAccountDevicesStatus = MakeTable<AccountDevicesStatus>(
    Value<&AccountDevicesStatus::number_of_devices>("numberOfDevices"),
    Value<&AccountDevicesStatus::number_of_online_devices>("numberOfOnlineDevices"),
    Value<&AccountDevicesStatus::number_of_offline_devices>("numberOfOfflineDevices"),
    Value<&AccountDevicesStatus::number_of_on_demand_devices>("numberOfOnDemandDevices"),
    Value<&AccountDevicesStatus::number_of_managed_devices>("numberOfManagedDevices"));

constexpr auto kAccount = MakeTable<Account>(
    Value<&Account::id>("id"), Value<&Account::uid>("uid"), Value<&Account::name>("name"),
    Struct<&Account::devices_status, kAccountDevicesStatus>("devicesStatus"));

struct PageSizeBody {
  std::optional<std::int64_t> max;
};
constexpr auto kPageSize = MakeTable<PageSizeBody>(Value<&PageSizeBody::max>("max"));

constexpr auto kToken = MakeTable<TokenResponse>(
    Value<&TokenResponse::access_token>("access_token"),
    Field<TokenResponse>{"expires_in", &ReadExpiresIn, &ResetMember<&TokenResponse::expires_in>},
    Value<&TokenResponse::token_type>("token_type"));

// --- The driver ------------------------------------------------------------------------------

// Checks a root that is not an object, so that the error says whether it is JSON at all.
bool CheckOtherRoot(Decoder& d, od::document& document, std::string_view token, const char* end) {
  if (Opens(token, '[')) {
    od::array array;
    if (auto error = document.get_array().get(array)) return d.Syntax(error);
    return d.SkipElements(array, 1) && d.AtEnd(document);
  }
  Scalar ignored;
  if (!d.CheckScalar(token, ignored)) return false;
  // A scalar's token runs to the next structural character: anything after it is one.
  if (token.data() + token.size() != end) {
    return d.Malformed(token.data() + token.size(), "trailing content");
  }
  return true;
}

// Parses `body` as one JSON object into `out` by `table`. Warnings reach the context only
// when the body decodes.
template <typename T, std::size_t N>
Status Decode(std::string_view body, DecodeContext& context, const Table<T, N>& table, T& out) {
  std::unique_ptr<Workspace> workspace = Pool().Acquire();
  const char* text = workspace->Load(body);
  std::size_t size = body.size();
  std::int64_t utf8_repairs = 0;
  od::document document;
  auto error = workspace->parser.iterate(text, size, workspace->capacity).get(document);
  if (error == simdjson::UTF8_ERROR) {
    std::string repaired;
    utf8_repairs = RepairUtf8(body, repaired);
    text = workspace->Load(repaired);
    size = repaired.size();
    error = workspace->parser.iterate(text, size, workspace->capacity).get(document);
  }
  Decoder d(text, context.options);
  Status status = [&]() -> Status {
    if (error == simdjson::EMPTY) return {ErrorKind::kDecode, "empty body"};
    if (error) {
      d.Syntax(error);
      return d.status();
    }
    d.set_document(&document);
    std::string_view token;
    if (auto e = document.raw_json_token().get(token)) {
      d.Syntax(e);
      return d.status();
    }
    if (!Opens(token, '{')) {
      if (!CheckOtherRoot(d, document, token, text + size)) return d.status();
      return {ErrorKind::kDecode, "expected a JSON object", Persistence::kDeterministic};
    }
    od::object root;
    std::int64_t warnings = 0;
    if (auto e = document.get_object().get(root)) {
      d.Syntax(e);
      return d.status();
    }
    if (!d.ReadFields(root, 1, table, out, warnings) || !d.AtEnd(document)) return d.status();
    context.warnings += warnings + d.repairs() + utf8_repairs;
    return Status::Ok();
  }();
  Pool().Release(std::move(workspace));
  if (status.ok()) {
    Reporter reporter(context);
    ReportFields(table, out, reporter);
  }
  return status;
}

template <typename Item, std::size_t N>
Result<Page<Item>> DecodePage(std::string_view body, DecodeContext& context,
                              const Table<PageBody<Item>, N>& table, std::string_view list_key) {
  PageBody<Item> decoded;
  if (Status s = Decode(body, context, table, decoded); !s.ok()) return s;
  if (!decoded.has_list) {
    return Status(ErrorKind::kDecode, "expected an array \"" + std::string(list_key) + "\"",
                  Persistence::kDeterministic);
  }
  return Page<Item>{std::move(decoded.items), std::move(decoded.details)};
}

}  // namespace

std::optional<std::int64_t> ParseIso8601Millis(std::string_view text) {
  std::size_t pos = 0;
  int year = 0;
  int month = 0;
  int day = 0;
  if (!Digits(text, pos, 4, year) || !Expect(text, pos, '-') || !Digits(text, pos, 2, month) ||
      !Expect(text, pos, '-') || !Digits(text, pos, 2, day)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
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
        while (pos < text.size() && IsDigit(text[pos])) {
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
      if (zone == '+' || zone == '-') {
        int oh = 0;
        int om = 0;
        if (!Digits(text, pos, 2, oh)) return std::nullopt;
        if (pos < text.size()) {
          if (text[pos] == ':') ++pos;
          if (!Digits(text, pos, 2, om)) return std::nullopt;
        }
        if (oh > 23 || om > 59) return std::nullopt;
        offset_minutes = (zone == '+' ? 1 : -1) * (oh * 60 + om);
      } else if (zone != 'Z' && zone != 'z') {
        return std::nullopt;
      }
    }
    if (pos != text.size()) return std::nullopt;
  }
  const std::chrono::milliseconds since_epoch =
      std::chrono::sys_days{date}.time_since_epoch() + std::chrono::hours{hour} +
      std::chrono::minutes{minute - offset_minutes} + std::chrono::seconds{second} +
      std::chrono::milliseconds{millis};
  return since_epoch.count();
}

std::optional<WallTime> TimeFromEpochMillis(std::int64_t millis) {
  if (ClassifyMillis(millis) != TimeKind::kTime) return std::nullopt;
  return MillisToTime(millis);
}

Result<Page<Site>> DecodeSitesPage(std::string_view body, DecodeContext& context) {
  return DecodePage<Site>(body, context, kSitesPage, "sites");
}

Result<Page<Device>> DecodeDevicesPage(std::string_view body, DecodeContext& context) {
  return DecodePage<Device>(body, context, kDevicesPage, "devices");
}

Result<Page<Alert>> DecodeAlertsPage(std::string_view body, DecodeContext& context) {
  return DecodePage<Alert>(body, context, kAlertsPage, "alerts");
}

Result<RateStatus> DecodeRateStatus(std::string_view body, DecodeContext& context) {
  RateStatus status;
  if (Status s = Decode(body, context, kRateStatus, status); !s.ok()) return s;
  return status;
}

Result<Account> DecodeAccount(std::string_view body, DecodeContext& context) {
  Account account;
  if (Status s = Decode(body, context, kAccount, account); !s.ok()) return s;
  return account;
}

Result<std::int64_t> DecodePageSize(std::string_view body, DecodeContext& context) {
  PageSizeBody page_size;
  if (Status s = Decode(body, context, kPageSize, page_size); !s.ok()) return s;
  if (!page_size.max || *page_size.max <= 0) {
    return Status(ErrorKind::kDecode, "expected a positive integer \"max\"",
                  Persistence::kDeterministic);
  }
  return *page_size.max;
}

Result<TokenResponse> DecodeTokenResponse(std::string_view body, DecodeContext& context) {
  TokenResponse token;
  if (Status s = Decode(body, context, kToken, token); !s.ok()) return s;
  if (token.access_token.empty()) {
    return Status(ErrorKind::kDecode, "token response without access_token",
                  Persistence::kDeterministic);
  }
  return token;
}

}  // namespace drmm::datto
