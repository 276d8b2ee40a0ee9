#include "exporter/config/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <system_error>

#include "common/byte_size.h"
#include "common/duration.h"
#include "common/yaml_guard.h"

namespace drmm {
namespace {

constexpr std::size_t kMaxQuotedLength = 40;

std::string NoValueMessage() { return "has no value"; }

// A value that must be a scalar: records the error and returns false otherwise.
bool ExpectScalar(const YamlField& field, std::string_view expected, ConfigErrorList& errors) {
  if (field.node.IsScalar()) return true;
  if (field.node.IsNull() || !field.node.IsDefined()) {
    errors.Add(field.at, NoValueMessage());
  } else {
    errors.Add(field.at, "expected " + std::string(expected) + ", got " + DescribeYaml(field.node));
  }
  return false;
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// yaml-cpp's message, minus the offending character it quotes for bad escapes (it could be part
// of a secret written in double quotes).
std::string SyntaxMessage(const YAML::Exception& e) {
  std::string message = e.msg;
  for (const std::string_view prefix : {std::string_view(YAML::ErrorMsg::INVALID_ESCAPE),
                                        std::string_view(YAML::ErrorMsg::INVALID_UNICODE)}) {
    if (message.starts_with(prefix)) {
      message = std::string(prefix.substr(0, prefix.find_last_not_of(": ") + 1));
    }
  }
  std::string out = "YAML syntax error";
  if (!e.mark.is_null()) out += " at column " + std::to_string(e.mark.column + 1);
  return out + ": " + message;
}

}  // namespace

std::optional<YAML::Node> LoadSingleYamlDocument(std::string_view text,
                                                 std::string_view second_document_hint,
                                                 ConfigErrorList& errors) {
  // Before yaml-cpp: its LoadAll never returns on a ',' where a document starts.
  if (const auto loop = FindYamlDocumentLoop(text)) {
    errors.Add({loop->line, ""}, "YAML syntax error at column " + std::to_string(loop->column) +
                                     ": " + std::string(kYamlDocumentLoopMessage));
    return std::nullopt;
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    errors.Add({e.mark.is_null() ? 0 : e.mark.line + 1, ""}, SyntaxMessage(e));
    return std::nullopt;
  }
  for (std::size_t i = 1; i < documents.size(); ++i) {
    if (documents[i].IsNull()) continue;  // a stray trailing "---" is harmless
    std::string message = "a second YAML document (---) is not allowed";
    if (!second_document_hint.empty()) message += ": " + std::string(second_document_hint);
    errors.Add({YamlLine(documents[i]), ""}, message);
  }
  if (documents.empty()) return YAML::Node();
  return documents.front();
}

int YamlLine(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string DescribeYaml(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "no value";
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  const std::string& text = node.Scalar();
  if (text.size() > kMaxQuotedLength) return "\"" + text.substr(0, kMaxQuotedLength) + "...\"";
  return "\"" + text + "\"";
}

std::string JoinConfigKeys(std::span<const std::string_view> keys) {
  std::string out;
  for (const auto key : keys) {
    if (!out.empty()) out += ", ";
    out += key;
  }
  return out;
}

std::optional<YamlMapReader> YamlMapReader::Open(const YamlField& field,
                                                 std::span<const std::string_view> known,
                                                 ConfigErrorList& errors,
                                                 std::span<const Refusal> refused) {
  if (!field.node.IsMap()) {
    if (field.node.IsNull() || !field.node.IsDefined()) {
      errors.Add(field.at, NoValueMessage() + " (expected a map with the keys " +
                               JoinConfigKeys(known) + ")");
    } else {
      errors.Add(field.at, "expected a map (keys: " + JoinConfigKeys(known) + "), got " +
                               DescribeYaml(field.node));
    }
    return std::nullopt;
  }
  YamlMapReader reader;
  for (const auto& entry : field.node) {
    const YAML::Node& key_node = entry.first;
    const int key_line = YamlLine(key_node);
    if (!key_node.IsScalar()) {
      errors.Add({key_line, field.at.path},
                 "keys must be plain names, got " + DescribeYaml(key_node) + " as a key");
      continue;
    }
    const std::string& key = key_node.Scalar();
    YamlField child{entry.second, {key_line, ChildKeyPath(field.at.path, key)}};
    // An empty value's mark points at the next token, often on a later line: use the key's.
    if (!child.node.IsNull() && child.node.IsDefined()) child.at.line = YamlLine(child.node);
    const ConfigLocation key_at{key_line, child.at.path};

    const auto same_key = [&](const auto& seen) { return seen.first == key; };
    if (const auto first = std::find_if(reader.fields_.begin(), reader.fields_.end(), same_key);
        first != reader.fields_.end()) {
      errors.Add(key_at,
                 "duplicate key (first set on line " + std::to_string(first->second.at.line) + ")");
      continue;
    }
    if (const auto refusal = std::find_if(refused.begin(), refused.end(),
                                          [&](const Refusal& r) { return r.key == key; });
        refusal != refused.end()) {
      errors.Add(key_at, std::string(refusal->message));
      continue;
    }
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      if (key == "<<") {
        errors.Add(key_at,
                   "YAML merge keys (<<) are not supported; put shared settings under defaults:");
      } else {
        errors.Add(key_at, "unknown key (known keys: " + JoinConfigKeys(known) + ")");
      }
      continue;
    }
    reader.fields_.emplace_back(key, std::move(child));
  }
  return reader;
}

const YamlField* YamlMapReader::Find(std::string_view key) const {
  const auto it = std::find_if(fields_.begin(), fields_.end(),
                               [&](const auto& field) { return field.first == key; });
  return it == fields_.end() ? nullptr : &it->second;
}

std::optional<std::string> ReadYamlString(const YamlField& field, ConfigErrorList& errors) {
  if (!ExpectScalar(field, "a string", errors)) return std::nullopt;
  return field.node.Scalar();
}

std::optional<std::int64_t> ReadYamlInt(const YamlField& field, ConfigErrorList& errors) {
  if (!ExpectScalar(field, "an integer", errors)) return std::nullopt;
  const std::string& text = field.node.Scalar();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    errors.Add(field.at, DescribeYaml(field.node) + " is too large");
    return std::nullopt;
  }
  if (ec != std::errc() || end != text.data() + text.size()) {
    errors.Add(field.at, DescribeYaml(field.node) + " is not an integer");
    return std::nullopt;
  }
  return value;
}

std::optional<bool> ReadYamlBool(const YamlField& field, ConfigErrorList& errors) {
  if (!ExpectScalar(field, "a boolean (true or false)", errors)) return std::nullopt;
  bool value = false;
  if (!YAML::convert<bool>::decode(field.node, value)) {
    errors.Add(field.at, DescribeYaml(field.node) + " is not a boolean (true or false)");
    return std::nullopt;
  }
  return value;
}

std::optional<std::chrono::milliseconds> ReadYamlDuration(const YamlField& field,
                                                          ConfigErrorList& errors) {
  if (!ExpectScalar(field, "a duration (examples: 30s, 5m, 1h30m)", errors)) return std::nullopt;
  const std::string& text = field.node.Scalar();
  if (auto value = ParseDuration(text)) return value;
  if (AllDigits(text)) {
    errors.Add(field.at, DescribeYaml(field.node) +
                             " is not a duration: add a unit (examples: 30s, 5m, 1h30m)");
  } else {
    errors.Add(field.at,
               DescribeYaml(field.node) + " is not a duration (examples: 30s, 5m, 1h30m)");
  }
  return std::nullopt;
}

std::optional<std::uint64_t> ReadYamlByteSize(const YamlField& field, ConfigErrorList& errors) {
  if (!ExpectScalar(field, "a size (examples: 32MiB, 500KB)", errors)) return std::nullopt;
  if (auto value = ParseByteSize(field.node.Scalar())) return value;
  errors.Add(field.at, DescribeYaml(field.node) +
                           " is not a size (examples: 32MiB, 500KB, 1048576; units B, KB, MB, "
                           "GB, KiB, MiB, GiB)");
  return std::nullopt;
}

std::optional<std::vector<ConfigText>> ReadYamlStringList(const YamlField& field,
                                                          ConfigErrorList& errors) {
  if (!field.node.IsSequence()) {
    if (field.node.IsNull() || !field.node.IsDefined()) {
      errors.Add(field.at, NoValueMessage() + " (write [] for an empty list)");
    } else if (field.node.IsScalar()) {
      errors.Add(field.at, "expected a list, got " + DescribeYaml(field.node) + " (write [" +
                               DescribeYaml(field.node) + "] for a list of one)");
    } else {
      errors.Add(field.at, "expected a list, got " + DescribeYaml(field.node));
    }
    return std::nullopt;
  }
  std::vector<ConfigText> out;
  bool ok = true;
  std::size_t index = 0;
  for (const auto& item : field.node) {
    // An empty entry's mark points at the next token: fall back to the list's line.
    const int line = item.IsNull() ? field.at.line : YamlLine(item);
    const YamlField entry{item, {line, IndexKeyPath(field.at.path, index++)}};
    if (auto text = ReadYamlString(entry, errors)) {
      out.push_back(ConfigText{std::move(*text), entry.at});
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

bool ReadYamlPositiveDuration(const YamlMapReader& map, std::string_view key,
                              std::chrono::milliseconds& out, ConfigErrorList& errors) {
  const auto* field = map.Find(key);
  if (field == nullptr) return false;
  const auto value = ReadYamlDuration(*field, errors);
  if (!value) return false;
  if (value->count() <= 0) {
    errors.Add(field->at, "must be greater than zero");
    return false;
  }
  out = *value;
  return true;
}

}  // namespace drmm
