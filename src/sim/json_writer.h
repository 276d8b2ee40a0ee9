// A small streaming JSON writer for the simulator's hot paths: a page of 250 devices is over a
// megabyte, so it is appended straight into one string instead of being built as a DOM first.
// Commas between values are inserted automatically.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace drmm::sim {

// Appends `text` as a JSON string literal (quotes included).
void AppendJsonString(std::string& out, std::string_view text);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Keys are written as given between quotes: callers pass fixed identifiers only.
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view value);
  JsonWriter& Int(std::int64_t value);
  JsonWriter& Double(double value);  // shortest round-trip form; non-finite -> null
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // A value that is already valid JSON (a pre-rendered block).
  JsonWriter& Raw(std::string_view json);

  // A template so that strings and literals still pick String(std::string_view).
  template <typename T>
  requires std::same_as<T, std::optional<std::string>> JsonWriter& String(const T& value) {
    return value ? String(std::string_view(*value)) : Null();
  }
  JsonWriter& Int(const std::optional<std::int64_t>& value) { return value ? Int(*value) : Null(); }
  JsonWriter& Double(const std::optional<double>& value) { return value ? Double(*value) : Null(); }
  JsonWriter& Bool(const std::optional<bool>& value) { return value ? Bool(*value) : Null(); }

 private:
  void BeforeValue();

  std::string& out_;
  // Bit d is set once the container at depth d holds a value (a comma is due before the next).
  std::uint64_t has_value_ = 0;
  int depth_ = 0;
  bool after_key_ = false;
};

}  // namespace drmm::sim
