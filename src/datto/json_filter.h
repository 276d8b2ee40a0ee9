// Parses JSON text into an nlohmann::json that holds only the parts a schema names. A device is
// about 5 KB of JSON, most of it udf1..udf300 and fields the exporter never reads; building a
// DOM of all that for 100,000 devices would dominate a poll, so unnamed keys are skipped in the
// SAX stream without allocating anything for them.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

namespace drmm::datto {

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

}  // namespace drmm::datto
