// The project's one way to return "a value, or why there is none" (std::expected arrives with
// C++23; this is the part of it the project needs). The error type is Error, a message for a
// person that names the bad input, unless the callers branch on more than a message: the Datto
// client's Status (datto/status.h) says which kind of API failure it was, the config loader
// returns every ConfigError at once.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace drmm {

struct Error {
  std::string message;  // names what is wrong: "--log.level: \"verbose\" is not one of ..."
};

template <typename T, typename E = Error>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(E error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return value_.has_value(); }
  // Valid when !ok(); a default E otherwise.
  const E& error() const { return error_; }
  // Valid when ok().
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  E error_{};
};

}  // namespace drmm
