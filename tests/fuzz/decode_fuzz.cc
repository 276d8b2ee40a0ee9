// libFuzzer target for the Datto API body decoders (src/datto/decode.h): every input goes
// through each of them, with the optional fields off and on. Besides crashes and undefined
// behaviour (the build adds ASan and UBSan), it checks the decoder against nlohmann::json, a
// complete validating parser: a body nlohmann accepts is never rejected as malformed, and a
// body the decoder accepts is one nlohmann accepts too, unless nlohmann refused it only for
// what the decoder deliberately repairs (invalid UTF-8, a lone surrogate) or reads as absent (a
// number out of a double's range), or for a NUL byte it misreads. Decoding is repeated to check the
// pooled parsers keep no state between calls.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "datto/decode.h"

namespace {

using drmm::datto::DecodeContext;
using drmm::datto::DecodeOptions;
using drmm::datto::Status;

[[noreturn]] void Fail(const char* what, const Status& status) {
  std::fprintf(stderr, "decode_fuzz: %s (status: %s)\n", what, status.message().c_str());
  std::abort();
}

// How nlohmann::json judges the text, without building a tree (a deep one would recurse).
enum class Verdict { kValid, kLeniencyOnly, kInvalid };

class Judge : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& error) override {
    const std::string_view what = error.what();
    const bool lenient = error.id == 406 /* number overflow */ ||
                         what.find("ill-formed UTF-8") != std::string_view::npos ||
                         what.find("surrogate") != std::string_view::npos;
    verdict = lenient ? Verdict::kLeniencyOnly : Verdict::kInvalid;
    return false;
  }
  Verdict verdict = Verdict::kValid;
};

Verdict JudgeText(std::string_view text) {
  Judge judge;
  nlohmann::json::sax_parse(text.begin(), text.end(), &judge);
  // nlohmann's lexer takes a NUL byte between tokens for the end of the input, so it accepts
  // "8\0x". No valid JSON holds a raw NUL, so only its "valid" is in doubt then.
  if (judge.verdict == Verdict::kValid && text.find('\0') != std::string_view::npos) {
    return Verdict::kLeniencyOnly;
  }
  return judge.verdict;
}

bool IsDepthError(const Status& s) {
  return s.message().find("nested deeper than") != std::string::npos;
}

// nlohmann stops at the first error: one it forgives may hide one it does not. Only a verdict
// of kValid or kInvalid is conclusive.
template <typename Decode>
void Check(std::string_view text, Verdict verdict, const DecodeOptions& options, Decode decode) {
  DecodeContext first;
  first.options = options;
  auto a = decode(text, first);
  DecodeContext second;
  second.options = options;
  auto b = decode(text, second);
  if (a.ok() != b.ok() || first.warnings != second.warnings ||
      a.status().message() != b.status().message()) {
    Fail("two decodes of the same bytes differ", a.status());
  }
  if (!a.ok() && a.status().kind() != drmm::datto::ErrorKind::kDecode) {
    Fail("a decode error of another kind", a.status());
  }
  if (!a.ok() && a.status().message().empty()) Fail("an error without a message", a.status());
  if (verdict == Verdict::kValid && !a.ok() && !a.status().deterministic()) {
    Fail("valid JSON rejected as malformed", a.status());
  }
  if (verdict == Verdict::kInvalid &&
      (a.ok() || (a.status().deterministic() && !IsDepthError(a.status())))) {
    Fail("invalid JSON accepted, or rejected for its shape", a.status());
  }
  if (a.ok() && first.warnings < 0) Fail("negative warnings", a.status());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Verdict verdict = JudgeText(text);
  DecodeOptions everything;
  everything.site_autotask = true;
  everything.device_warranty = true;
  everything.device_udfs.set();
  for (const DecodeOptions& options : {DecodeOptions{}, everything}) {
    Check(text, verdict, options, drmm::datto::DecodeSitesPage);
    Check(text, verdict, options, drmm::datto::DecodeDevicesPage);
  }
  const DecodeOptions none;
  Check(text, verdict, none, drmm::datto::DecodeAlertsPage);
  Check(text, verdict, none, drmm::datto::DecodeRateStatus);
  Check(text, verdict, none, drmm::datto::DecodeAccount);
  Check(text, verdict, none, drmm::datto::DecodePageSize);
  Check(text, verdict, none, drmm::datto::DecodeTokenResponse);
  return 0;
}
