// Datto API bodies to model structs in one forward pass over the bytes. simdjson checks the
// body's UTF-8 at SIMD speed; the walk then reads the fields each struct's table names and
// validates everything else without keeping it, so a byte that breaks the grammar anywhere
// (in udf300 too) fails the page as a full parser would, while a 5 KB device costs little
// more than a scan of its bytes. (simdjson's On-Demand parser was measured too: its structural
// index and per-field iteration cost more than this walk, and it does not validate what it
// skips; docs/performance.md has the figures.)
#include "datto/decode.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <system_error>
#include <utility>
#include <vector>

namespace drmm::datto {
namespace {

// Datto's pages nest five levels deep. Deeper input is refused: a skipped value's open
// containers are one bit each in a 64-bit word, and nothing here recurses deeper than the
// tables do.
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

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// --- Strings ---------------------------------------------------------------------------------

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

// JSON's one-letter escapes and what they stand for.
char SimpleEscape(char e) {
  constexpr std::string_view kLetters = "\"\\/bfnrt";
  constexpr std::string_view kMeanings = "\"\\/\b\f\n\r\t";
  const std::size_t at = kLetters.find(e);
  return at == std::string_view::npos ? '\0' : kMeanings[at];
}

// Walks the content of a JSON string (between its quotes, control characters already
// refused): false on an invalid escape. With `out`, appends the unescaped text. An unpaired
// surrogate escape becomes U+FFFD and is counted in `repairs` (JSON's grammar allows it; UTF-8
// cannot hold it).
bool Unescape(std::string_view text, std::string* out, std::int64_t& repairs) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t escape = std::min(text.find('\\', i), text.size());
    if (out != nullptr) out->append(text.substr(i, escape - i));
    i = escape;
    if (i == text.size()) break;
    if (i + 1 == text.size()) return false;
    const char e = text[i + 1];
    i += 2;
    if (e != 'u') {
      const char simple = SimpleEscape(e);
      if (simple == '\0') return false;
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

// Copies `in`, replacing each maximal ill-formed subsequence (Unicode's recommended practice)
// with U+FFFD; returns how many were replaced. Outside strings the replacement is still not
// JSON, so the walk that follows rejects it.
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

// Eight bytes at a time: bit 7 of each byte of the result is set where `word` holds `c` (or,
// for Below, a byte under `limit`). Only the lowest flagged byte is exact, which is all a scan
// for the first one needs.
constexpr std::uint64_t kOnes = 0x0101010101010101;
constexpr std::uint64_t kHighBits = kOnes * 0x80;
[[gnu::always_inline]] inline std::uint64_t Equal(std::uint64_t word, char c) {
  const std::uint64_t x = word ^ (kOnes * static_cast<unsigned char>(c));
  return (x - kOnes) & ~x & kHighBits;
}
[[gnu::always_inline]] inline std::uint64_t Below(std::uint64_t word, unsigned char limit) {
  return (word - kOnes * limit) & ~word & kHighBits;
}

// --- Numbers ---------------------------------------------------------------------------------

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
    for (; i < t.size(); ++i) {
      exponent = std::min<std::int64_t>(exponent * 10 + (t[i] - '0'), 1'000'000);
    }
    if (negative) exponent = -exponent;
  }
  return magnitude + exponent < 0;
}

enum class Kind : std::uint8_t { kNull, kBool, kNumber, kString, kObject, kArray };

// How JSON text holds a number, following nlohmann::json (the decoder this one replaced): a
// non-negative integer is unsigned, a negative one signed, either too large for 64 bits a double.
enum class NumberKind : std::uint8_t { kSigned, kUnsigned, kDouble, kOutOfRange };

// A value as found in the text; containers are only validated.
struct Scalar {
  Kind kind = Kind::kNull;
  bool boolean = false;
  NumberKind number = NumberKind::kSigned;
  std::int64_t signed_value = 0;
  std::uint64_t unsigned_value = 0;
  double double_value = 0;
  std::string_view text;  // a string's content between the quotes, still escaped
  bool escaped = false;   // text holds escapes (Decoder::TextOf unescapes it)
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
  if (std::from_chars(first, last, s.double_value).ec == std::errc()) {
    s.number = NumberKind::kDouble;
  } else if (Underflows(t)) {
    s.number = NumberKind::kDouble;
    s.double_value = t[0] == '-' ? -0.0 : 0.0;
  } else {
    s.number = NumberKind::kOutOfRange;  // 1e400: read as absent, with a warning
  }
}

// --- Field tables ----------------------------------------------------------------------------

class Decoder;
class Reporter;

// One JSON key of a struct: how to read its value (at `value`, nesting `depth`) into the
// struct, returning the byte after it or nullptr on an error; how to clear what it wrote (when
// the key comes again, last wins); how to report unknown enum values; and whether the caller
// asked for it (fields read only on request).
template <typename T>
struct Field {
  std::string_view key;
  const char* (*read)(Decoder&, const char* value, int depth, T& out,
                      std::int64_t& warnings) = nullptr;
  void (*reset)(T&) = nullptr;
  void (*report)(std::string_view key, const T&, Reporter&) = nullptr;
  bool (*wanted)(const DecodeOptions&) = nullptr;
};

// Length, first, middle and last byte, multiplied by an odd factor that MakeTable picks so that
// a table's keys land in distinct slots of 64.
[[gnu::always_inline]] constexpr std::uint32_t Hash(std::string_view key, std::uint32_t factor) {
  if (key.empty()) return 0;
  const auto byte = [&key](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(key[i]));
  };
  const std::uint32_t word = (static_cast<std::uint32_t>(key.size()) & 0xFF) | byte(0) << 8 |
                             byte(key.size() / 2) << 16 | byte(key.size() - 1) << 24;
  return (word * factor) >> 26;
}

// The fields of one struct with a perfect hash of their keys (found at compile time), so a key
// costs one hash and one comparison.
template <typename T, std::size_t N>
struct Table {
  static_assert(N <= 32, "a table of 64 slots needs few keys to be collision-free");
  std::array<Field<T>, N> fields;
  std::uint32_t factor = 0;
  std::array<std::uint8_t, 64> slots{};  // 1 + index into fields, 0 for none

  // The index of the key's field, or N.
  std::size_t Find(std::string_view key) const {
    const std::size_t slot = slots[Hash(key, factor)];
    if (slot == 0 || fields[slot - 1].key != key) return N;
    return slot - 1;
  }
};

template <typename T, typename... F>
consteval Table<T, sizeof...(F)> MakeTable(F... fields) {
  Table<T, sizeof...(F)> table{{fields...}};
  for (std::uint32_t factor = 0x9E3779B1U; factor < 0x9E3779B1U + 200'000; factor += 2) {
    table.slots = {};
    bool collision = false;
    for (std::size_t i = 0; i < table.fields.size() && !collision; ++i) {
      auto& slot = table.slots[Hash(table.fields[i].key, factor)];
      collision = slot != 0;
      slot = static_cast<std::uint8_t>(i + 1);
    }
    if (!collision) {
      table.factor = factor;
      return table;
    }
  }
  throw "no collision-free hash factor for these keys";  // a compile error in consteval
}

template <typename M>
struct MemberOf;
template <typename C, typename V>
struct MemberOf<V C::*> {
  using Class = C;
};
template <auto Member>
using ClassOf = typename MemberOf<decltype(Member)>::Class;

// Unknown enum values, reported once per (field, value) per decode call, after the body is
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

// One decode call over `text`. Each method returns the byte after what it read; one that meets
// an error keeps it (status()) and returns nullptr, and the walk stops. Every read is bounded
// by the end of the text.
class Decoder {
 public:
  Decoder(std::string_view text, const DecodeOptions& options)
      : base_(text.data()), end_(text.data() + text.size()), options_(options) {}

  const DecodeOptions& options() const { return options_; }
  const Status& status() const { return status_; }
  std::int64_t repairs() const { return repairs_; }
  const char* end() const { return end_; }

  std::nullptr_t Malformed(const char* where, std::string_view what) {
    status_ =
        Status(ErrorKind::kDecode, "malformed JSON near byte " + std::to_string(where - base_) +
                                       ": " + std::string(what));
    return nullptr;
  }

  std::nullptr_t TooDeep() {
    status_ = Status(ErrorKind::kDecode,
                     "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels",
                     Persistence::kDeterministic);
    return nullptr;
  }

  // The byte at p, or NUL past the end (which no rule accepts).
  [[gnu::always_inline]] char At(const char* p) const { return p < end_ ? *p : '\0'; }

  [[gnu::always_inline]] const char* Space(const char* p) const {
    while (p < end_ && static_cast<unsigned char>(*p) <= ' ' && IsSpace(*p)) ++p;
    return p;
  }

  // At an opening quote: past the closing one, with the content between and whether it holds
  // escapes (checked here, lone surrogates counted).
  [[gnu::always_inline]] const char* String(const char* p, std::string_view& content,
                                            bool& escaped) {
    const char* start = ++p;
    escaped = false;
    while (true) {
      p = StringStop(p);
      if (p >= end_) return Malformed(start - 1, "unterminated string");
      if (*p == '"') break;
      if (*p != '\\') return Malformed(p, "control character in a string");
      if (end_ - p < 2) return Malformed(start - 1, "unterminated string");
      escaped = true;
      p += 2;
    }
    content = std::string_view(start, static_cast<std::size_t>(p - start));
    if (escaped && !Unescape(content, nullptr, repairs_)) {
      return Malformed(start - 1, "invalid escape in a string");
    }
    return p + 1;
  }

  const char* Word(const char* p, std::string_view word) {
    if (static_cast<std::size_t>(end_ - p) < word.size() ||
        std::memcmp(p, word.data(), word.size()) != 0) {
      return Malformed(p, "invalid literal");
    }
    return p + word.size();
  }

  // Past a number, with `integer` when it has neither fraction nor exponent.
  const char* Number(const char* p, bool& integer) {
    const char* q = p;
    const auto digits = [this, &q] {
      const char* start = q;
      while (q < end_ && IsDigit(*q)) ++q;
      return q > start;
    };
    if (At(q) == '-') ++q;
    if (At(q) == '0') {
      ++q;
    } else if (At(q) < '1' || At(q) > '9' || !digits()) {
      return Malformed(p, "invalid value");
    }
    integer = true;
    if (At(q) == '.') {
      integer = false;
      ++q;
      if (!digits()) return Malformed(p, "invalid number");
    }
    if (At(q) == 'e' || At(q) == 'E') {
      integer = false;
      ++q;
      if (At(q) == '+' || At(q) == '-') ++q;
      if (!digits()) return Malformed(p, "invalid number");
    }
    return q;
  }

  // One value, read as a Scalar (a container is validated and given by its kind only).
  const char* Scan(const char* p, int depth, Scalar& s) {
    switch (At(p)) {
      case '{':
        s.kind = Kind::kObject;
        return Skip(p, depth);
      case '[':
        s.kind = Kind::kArray;
        return Skip(p, depth);
      case '"':
        s.kind = Kind::kString;
        return String(p, s.text, s.escaped);
      case 'n':
        s.kind = Kind::kNull;
        return Word(p, "null");
      case 't':
        s.kind = Kind::kBool;
        s.boolean = true;
        return Word(p, "true");
      case 'f':
        s.kind = Kind::kBool;
        s.boolean = false;
        return Word(p, "false");
      default: {
        bool integer = false;
        const char* end = Number(p, integer);
        if (end != nullptr) {
          ParseNumber(std::string_view(p, static_cast<std::size_t>(end - p)), integer, s);
        }
        return end;
      }
    }
  }

  // Validates one value nobody asked for, without keeping it or recursing: the open
  // containers are a bit each in `objects` (1 for an object), at most kMaxDepth of them.
  const char* Skip(const char* p, int depth) {
    std::uint64_t objects = 0;
    int open = 0;
    while (true) {
      switch (At(p)) {
        case '{':
        case '[': {
          if (depth + open > kMaxDepth) return TooDeep();
          const bool object = *p == '{';
          p = Space(p + 1);
          if (At(p) == (object ? '}' : ']')) {
            ++p;
            break;
          }
          objects = objects << 1 | (object ? 1 : 0);
          ++open;
          if (object && (p = KeyAndColon(p, nullptr, nullptr)) == nullptr) return nullptr;
          continue;  // to the first member's value
        }
        case '"': {
          std::string_view content;
          bool escaped = false;
          p = String(p, content, escaped);
          break;
        }
        case 'n':
          p = Word(p, "null");
          break;
        case 't':
          p = Word(p, "true");
          break;
        case 'f':
          p = Word(p, "false");
          break;
        default: {
          bool integer = false;
          p = Number(p, integer);
        }
      }
      if (p == nullptr) return nullptr;
      // After a value: the next member or element, or the end of containers.
      while (true) {
        if (open == 0) return p;
        p = Space(p);
        const bool object = (objects & 1) != 0;
        if (At(p) == ',') {
          p = Space(p + 1);
          if (object && (p = KeyAndColon(p, nullptr, nullptr)) == nullptr) return nullptr;
          break;
        }
        if (At(p) != (object ? '}' : ']')) {
          return Malformed(p, object ? "expected , or }" : "expected , or ]");
        }
        ++p;
        objects >>= 1;
        --open;
      }
    }
  }

  // At a member's key: past its colon and the space after it. With `key`, the key's text
  // (unescaped in key_storage_ when it has escapes).
  [[gnu::always_inline]] const char* KeyAndColon(const char* p, std::string_view* key,
                                                 bool* escaped_key) {
    if (At(p) != '"') return Malformed(p, "expected a key");
    std::string_view content;
    bool escaped = false;
    p = String(p, content, escaped);
    if (p == nullptr) return nullptr;
    p = Space(p);
    if (At(p) != ':') return Malformed(p, "expected :");
    if (key != nullptr) {
      *key = content;
      *escaped_key = escaped;
    }
    return Space(p + 1);
  }

  // An object's members (the object at `depth`): `member(key, value, depth)` reads or checks
  // each value and returns the byte after it.
  template <typename Member>
  const char* Members(const char* p, int depth, Member&& member) {
    if (depth > kMaxDepth) return TooDeep();
    p = Space(p + 1);
    if (At(p) == '}') return p + 1;
    while (true) {
      std::string_view key;
      bool escaped = false;
      p = KeyAndColon(p, &key, &escaped);
      if (p == nullptr) return nullptr;
      if (escaped) key = TextOf(key, key_storage_);
      p = member(key, p, depth + 1);
      if (p == nullptr) return nullptr;
      p = Space(p);
      if (At(p) == '}') return p + 1;
      if (At(p) != ',') return Malformed(p, "expected , or }");
      p = Space(p + 1);
    }
  }

  // An array's elements (the array at `depth`): `element(value, depth)` as for Members.
  template <typename Element>
  const char* Elements(const char* p, int depth, Element&& element) {
    if (depth > kMaxDepth) return TooDeep();
    p = Space(p + 1);
    if (At(p) == ']') return p + 1;
    while (true) {
      p = element(p, depth + 1);
      if (p == nullptr) return nullptr;
      p = Space(p);
      if (At(p) == ']') return p + 1;
      if (At(p) != ',') return Malformed(p, "expected , or ]");
      p = Space(p + 1);
    }
  }

  // The fields of the object at p (at `depth`) into `out`. `warnings` gets those of the last
  // occurrence of each key only.
  template <typename T, std::size_t N>
  const char* ReadObject(const char* p, int depth, const Table<T, N>& table, T& out,
                         std::int64_t& warnings) {
    std::array<std::int64_t, N> warnings_of{};  // to take back when a key comes again
    return Members(p, depth, [&](std::string_view key, const char* value, int value_depth) {
      const std::size_t index = table.Find(key);
      const Field<T>* field = index < N ? &table.fields[index] : nullptr;
      if (field == nullptr || (field->wanted != nullptr && !field->wanted(options_))) {
        return Skip(value, value_depth);
      }
      std::int64_t field_warnings = 0;
      const char* after = field->read(*this, value, value_depth, out, field_warnings);
      warnings += field_warnings - warnings_of[index];
      warnings_of[index] = field_warnings;
      return after;
    });
  }

  // Where an object was expected: null is absent; anything else is validated and counted.
  const char* NotAnObject(const char* p, int depth, std::int64_t& warnings) {
    Scalar s;
    const char* after = Scan(p, depth, s);
    if (s.kind != Kind::kNull) ++warnings;
    return after;
  }

  // A string's content, unescaped (into `storage`) when it holds escapes.
  static std::string_view TextOf(std::string_view content, std::string& storage) {
    storage.clear();
    std::int64_t counted_already = 0;  // String() counted the repairs
    Unescape(content, &storage, counted_already);
    return storage;
  }

  // A string Scalar's text, unescaped (into storage valid until the next call) when needed.
  std::string_view TextOf(const Scalar& s) {
    return s.escaped ? TextOf(s.text, text_storage_) : s.text;
  }

 private:
  // The first quote, backslash or control character at or after p; end_ if none. Eight bytes at
  // a time where eight remain (on little-endian machines: the first byte is the lowest).
  [[gnu::always_inline]] const char* StringStop(const char* p) const {
    if constexpr (std::endian::native == std::endian::little) {
      while (end_ - p >= 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, p, sizeof word);
        const std::uint64_t hits = Equal(word, '"') | Equal(word, '\\') | Below(word, 0x20);
        if (hits != 0) return p + std::countr_zero(hits) / 8;
        p += 8;
      }
    }
    while (p < end_ && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
    return p;
  }

  const char* base_;
  const char* end_;
  const DecodeOptions& options_;
  Status status_;
  std::int64_t repairs_ = 0;
  std::string key_storage_;
  std::string text_storage_;
};

// --- Conversions (false: the value has the wrong type or does not fit) ------------------------

bool Convert(Decoder& d, const Scalar& s, std::string& out) {
  if (s.kind != Kind::kString) return false;
  out.assign(s.escaped ? d.TextOf(s) : s.text);
  return true;
}

bool Convert(Decoder& d, const Scalar& s, std::optional<std::string>& out) {
  return Convert(d, s, out.emplace());
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
    const std::string text(d.TextOf(s));
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

// Back to the default value (`x = {}` would assign a std::string from an empty list, slower).
template <typename T>
void Clear(T& x) {
  x = T{};
}

// A scalar member, read by its type: std::string (empty when absent), std::optional of string,
// int64, bool, double or WallTime.
template <auto Member>
const char* ReadValue(Decoder& d, const char* value, int depth, ClassOf<Member>& out,
                      std::int64_t& warnings) {
  auto& target = out.*Member;
  Clear(target);
  Scalar s;
  const char* after = d.Scan(value, depth, s);
  if (after != nullptr && s.kind != Kind::kNull && !Convert(d, s, target)) {
    Clear(target);
    ++warnings;
  }
  return after;
}

template <auto Member>
void ResetMember(ClassOf<Member>& out) {
  Clear(out.*Member);
}

template <auto Member>
constexpr Field<ClassOf<Member>> Value(std::string_view key) {
  return {key, &ReadValue<Member>, &ResetMember<Member>};
}

// An open enum: a string kept whatever it says (empty is absent), reported when unknown.
template <auto Member>
const char* ReadEnum(Decoder& d, const char* value, int depth, ClassOf<Member>& out,
                     std::int64_t& warnings) {
  const char* after = ReadValue<Member>(d, value, depth, out, warnings);
  if (out.*Member && (out.*Member)->empty()) (out.*Member).reset();
  return after;
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
const char* ReadOptionalObject(Decoder& d, const char* value, int depth, ClassOf<Member>& out,
                               std::int64_t& warnings) {
  auto& target = out.*Member;
  target.reset();
  if (d.At(value) != '{') return d.NotAnObject(value, depth, warnings);
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
const char* ReadStruct(Decoder& d, const char* value, int depth, ClassOf<Member>& out,
                       std::int64_t& warnings) {
  auto& target = out.*Member;
  Clear(target);
  if (d.At(value) != '{') return d.NotAnObject(value, depth, warnings);
  return d.ReadObject(value, depth, Nested, target, warnings);
}

template <auto Member, const auto& Nested>
constexpr Field<ClassOf<Member>> Struct(std::string_view key) {
  return {key, &ReadStruct<Member, Nested>, &ResetMember<Member>};
}

// A nested object whose fields land in the enclosing struct (deviceType.category is
// Device::category).
template <typename T, const auto& Nested>
const char* ReadInline(Decoder& d, const char* value, int depth, T& out, std::int64_t& warnings) {
  ResetFields(Nested, out);
  if (d.At(value) != '{') return d.NotAnObject(value, depth, warnings);
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
const char* ReadList(Decoder& d, const char* value, int depth, PageBody<Item>& out,
                     std::int64_t& warnings) {
  out.items.clear();
  out.has_list = d.At(value) == '[';
  if (!out.has_list) {
    Scalar ignored;  // not a list: the page fails once the whole body has been checked
    return d.Scan(value, depth, ignored);
  }
  // Datto sends pageDetails first: its count sizes the list in one allocation.
  if (out.details.count && *out.details.count > 0 && *out.details.count <= 10'000) {
    out.items.reserve(static_cast<std::size_t>(*out.details.count));
  }
  return d.Elements(value, depth, [&](const char* element, int element_depth) {
    if (d.At(element) == '{') {
      return d.ReadObject(element, element_depth, ItemTable, out.items.emplace_back(), warnings);
    }
    ++warnings;  // null included: an entry that is not an object is no item
    Scalar ignored;
    return d.Scan(element, element_depth, ignored);
  });
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

// udf1..udf300 of one device: the requested numbers that hold strings, in order; the rest is
// validated only. The last occurrence of a number wins, with its warning.
const char* ReadUdfs(Decoder& d, const char* value, int depth, Device& out,
                     std::int64_t& warnings) {
  out.udfs.clear();
  if (d.At(value) != '{') return d.NotAnObject(value, depth, warnings);
  std::array<std::uint8_t, 301> udf_warnings{};
  const char* after =
      d.Members(value, depth, [&](std::string_view key, const char* udf, int udf_depth) {
        const int number = UdfNumber(key);
        if (number == 0 || !d.options().device_udfs[static_cast<std::size_t>(number)]) {
          return d.Skip(udf, udf_depth);
        }
        std::erase_if(out.udfs, [number](const auto& entry) { return entry.first == number; });
        Scalar s;
        const char* end = d.Scan(udf, udf_depth, s);
        if (s.kind == Kind::kString) out.udfs.emplace_back(number, d.TextOf(s));
        udf_warnings[static_cast<std::size_t>(number)] =
            s.kind == Kind::kString || s.kind == Kind::kNull ? 0 : 1;
        return end;
      });
  for (const std::uint8_t w : udf_warnings) warnings += w;
  std::sort(out.udfs.begin(), out.udfs.end());
  return after;
}

void ResetUdfs(Device& out) { out.udfs.clear(); }

bool AnyUdfWanted(const DecodeOptions& options) { return options.device_udfs.any(); }

// The token's lifetime, which some OAuth servers send as a string of digits.
const char* ReadExpiresIn(Decoder& d, const char* value, int depth, TokenResponse& out,
                          std::int64_t& warnings) {
  out.expires_in.reset();
  Scalar s;
  const char* after = d.Scan(value, depth, s);
  if (after == nullptr || s.kind == Kind::kNull) return after;
  if (s.kind == Kind::kString) {
    const std::string_view text = d.TextOf(s);
    std::int64_t seconds = 0;
    if (AllDigits(text) && text.size() <= 12 &&
        std::from_chars(text.data(), text.data() + text.size(), seconds).ec == std::errc()) {
      out.expires_in = seconds;
    } else {
      ++warnings;
    }
  } else if (!Convert(d, s, out.expires_in)) {
    out.expires_in.reset();
    ++warnings;
  }
  return after;
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
    Field<Device>{"udf", &ReadUdfs, &ResetUdfs, nullptr, &AnyUdfWanted});

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

// Decodes `text` (valid UTF-8) as one JSON object into `out` by `table`.
template <typename T, std::size_t N>
Status DecodeText(std::string_view text, DecodeContext& context, const Table<T, N>& table, T& out,
                  std::int64_t utf8_repairs) {
  Decoder d(text, context.options);
  const char* p = d.Space(text.data());
  if (p == d.end()) return {ErrorKind::kDecode, "empty body"};
  std::int64_t warnings = 0;
  const bool object = *p == '{';
  p = object ? d.ReadObject(p, 1, table, out, warnings) : d.Skip(p, 1);
  if (p == nullptr) return d.status();
  p = d.Space(p);
  if (p != d.end()) {
    d.Malformed(p, "trailing content");
    return d.status();
  }
  if (!object) return {ErrorKind::kDecode, "expected a JSON object", Persistence::kDeterministic};
  context.warnings += warnings + d.repairs() + utf8_repairs;
  Reporter reporter(context);
  ReportFields(table, out, reporter);
  return Status::Ok();
}

// Parses `body` as one JSON object into `out` by `table`, repairing invalid UTF-8 first.
// Warnings reach the context only when the body decodes.
template <typename T, std::size_t N>
Status Decode(std::string_view body, DecodeContext& context, const Table<T, N>& table, T& out) {
  if (simdjson::validate_utf8(body.data(), body.size())) {
    return DecodeText(body, context, table, out, 0);
  }
  std::string repaired;
  const std::int64_t replaced = RepairUtf8(body, repaired);
  return DecodeText(std::string_view(repaired), context, table, out, replaced);
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
