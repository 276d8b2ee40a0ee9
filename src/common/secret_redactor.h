// The one place that knows how a secret can show up in text, used by the logger and by config
// error messages. Besides the plain value it finds the forms an API error body echoes it in:
// JSON escapes (\/, \", \\, \b \f \n \r \t, \uXXXX of any character, surrogate pairs included),
// %-encoding in either case, '+' for a space, any mix of these, and a prefix of at least
// kMinCutPrefix characters at the very end of a text (an excerpt cut in the middle of a secret).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace drmm {

inline constexpr std::string_view kRedactedMark = "<redacted>";

class SecretRedactor {
 public:
  // Shorter values are ignored: redacting "a" would mangle every text.
  static constexpr std::size_t kMinSecretLength = 4;
  // Characters of a secret that must be seen before the end of a text to redact the rest.
  static constexpr std::size_t kMinCutPrefix = 4;

  // False when `secret` is too short or already registered.
  bool Add(std::string_view secret);
  // False when it was not registered.
  bool Remove(std::string_view secret);
  std::size_t Size() const { return secrets_.size(); }

  // `text` with every occurrence of every registered secret, in any of the forms above,
  // replaced by kRedactedMark. Longer secrets are looked for first, so a secret that contains
  // another is replaced whole.
  std::string Redact(std::string_view text) const;

 private:
  // One character of a secret: its bytes and its code point (-1 for a byte that is not valid
  // UTF-8, which only matches raw or %-encoded).
  struct Unit {
    std::string bytes;
    long code_point = -1;
  };
  struct Secret {
    std::string value;
    std::vector<Unit> units;
  };

  std::vector<Secret> secrets_;  // longest first
};

}  // namespace drmm
