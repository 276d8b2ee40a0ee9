#include "datto/json_filter.h"

#include <cstddef>
#include <vector>

namespace drmm::datto {
namespace {

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

}  // namespace

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

}  // namespace drmm::datto
