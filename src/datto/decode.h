// Pure functions from an API response body to the model. Lenient where Datto is sloppy: every
// field is optional; a field of the wrong type, or a number that does not fit it (1e400, 2^64,
// 12.5 for a count), is absent and tallied; an enum value outside the documented set is kept
// verbatim and reported; invalid UTF-8 and lone surrogates in strings are repaired. Strict about
// the syntax: a body that is not one complete JSON value (malformed, truncated, with trailing
// bytes, empty) is a decode error the client may retry, since a transfer can cut a body short.
// A body that is JSON of the wrong shape (not an object, without the list a page must carry,
// nested deeper than 64 levels) fails the same way every time: Status::deterministic(), not
// retried. Nothing here throws.
#pragma once

#include <bitset>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "datto/model.h"
#include "datto/status.h"

namespace drmm::datto {

// Fields read only on request, so that the common walk skips them like any unknown field.
struct DecodeOptions {
  bool site_autotask = false;    // Site.autotask_company_id and _name
  bool device_warranty = false;  // Device.warranty_date
  std::bitset<301> device_udfs;  // Device.udfs: bit n asks for udf<n>, 1..300 (bit 0 unused)
};

struct DecodeContext {
  // Called for an enum value outside the documented set, once per distinct (field, value) within
  // one decode call. `field` is the JSON name: priority, patchStatus, antivirusStatus,
  // deviceClass. May be empty.
  std::function<void(std::string_view field, std::string_view value)> on_unknown_enum;
  // Fields of an unexpected type or out of range (treated as absent), list entries that were
  // not objects, and each invalid UTF-8 sequence or unpaired UTF-16 surrogate escape found
  // anywhere in the body (replaced by U+FFFD). When a key appears twice in an object the last one
  // wins, and only its warnings count.
  std::int64_t warnings = 0;
  // Set by the caller: what to read beyond the default fields.
  DecodeOptions options;
};

struct TokenResponse {
  std::string access_token;
  std::optional<std::int64_t> expires_in;  // seconds
  std::optional<std::string> token_type;
};

Result<Page<Site>> DecodeSitesPage(std::string_view body, DecodeContext& context);
Result<Page<Device>> DecodeDevicesPage(std::string_view body, DecodeContext& context);
Result<Page<Alert>> DecodeAlertsPage(std::string_view body, DecodeContext& context);
Result<RateStatus> DecodeRateStatus(std::string_view body, DecodeContext& context);
Result<Account> DecodeAccount(std::string_view body, DecodeContext& context);
// /system/pagination: {"max": 250}. A missing or non-positive max is a decode error.
Result<std::int64_t> DecodePageSize(std::string_view body, DecodeContext& context);
// A missing access_token is a decode error. Error messages never quote the body (they name the
// byte offset where parsing stopped).
Result<TokenResponse> DecodeTokenResponse(std::string_view body, DecodeContext& context);

// ISO-8601 date-time ("2024-05-01T12:34:56Z", "...56.123+02:00", "...56.5-0130", "...56" as
// UTC, "2024-05-01" as midnight UTC, ' ' accepted for 'T') -> milliseconds since the Unix epoch.
// Fractions beyond milliseconds are truncated. nullopt for anything else.
std::optional<std::int64_t> ParseIso8601Millis(std::string_view text);

// Epoch milliseconds -> time, or nullopt for Datto's "never" (-62135596800000, which is
// 0001-01-01T00:00:00Z; anything before 0001-01-02 counts as never, whatever its offset) and
// for values a WallTime cannot hold.
std::optional<WallTime> TimeFromEpochMillis(std::int64_t millis);

}  // namespace drmm::datto
