#include "common/secret_redactor.h"

#include <gtest/gtest.h>

#include <string>

namespace drmm {
namespace {

// A secret with the characters API error bodies escape or encode: '/', '+', a space.
constexpr std::string_view kSecret = "Ab/c+d e9Xy";

std::string Redacted(std::string_view text, std::string_view secret = kSecret) {
  SecretRedactor redactor;
  EXPECT_TRUE(redactor.Add(secret));
  return redactor.Redact(text);
}

TEST(SecretRedactor, ReplacesThePlainValueEverywhere) {
  EXPECT_EQ(Redacted("x Ab/c+d e9Xy y Ab/c+d e9Xy"), "x <redacted> y <redacted>");
  EXPECT_EQ(Redacted("nothing here"), "nothing here");
}

TEST(SecretRedactor, ReplacesJsonEscapedForms) {
  // How JSON encoders echo it: '/' as \/, '+' as \u002b (or \u002B), any character as \uXXXX.
  EXPECT_EQ(Redacted(R"({"password":"Ab\/c\u002bd e9Xy"})"), R"({"password":"<redacted>"})");
  EXPECT_EQ(Redacted(R"("Ab\/c\u002Bd\u0020e9Xy")"), R"("<redacted>")");
  EXPECT_EQ(Redacted(R"("\u0041\u0062\u002f\u0063\u002b\u0064\u0020\u0065\u0039\u0058\u0079")"),
            R"("<redacted>")");
  EXPECT_EQ(Redacted(R"(q\"uote)", "q\"uote"), "<redacted>");
  EXPECT_EQ(Redacted(R"(back\\slash)", "back\\slash"), "<redacted>");
  EXPECT_EQ(Redacted(R"(tab\there)", "tab\there"), "<redacted>");
}

TEST(SecretRedactor, ReplacesEscapesOfCharactersOutsideAscii) {
  // U+00E9 (2 bytes in UTF-8) and U+1F511 (a surrogate pair in JSON).
  const std::string secret = "caf\xc3\xa9-\xf0\x9f\x94\x91-key";
  // Appended, not `"[" + secret + "]"`: GCC 12 at -O2 reports a false -Warray-bounds inside
  // std::string's operator+ on a temporary here.
  std::string bracketed = "[";
  bracketed.append(secret).append("]");
  EXPECT_EQ(Redacted(bracketed, secret), "[<redacted>]");
  EXPECT_EQ(Redacted(R"([caf\u00e9-\ud83d\udd11-key])", secret), "[<redacted>]");
  EXPECT_EQ(Redacted(R"([caf\u00E9-\uD83D\uDD11-key])", secret), "[<redacted>]");
  EXPECT_EQ(Redacted("[caf%C3%A9-%f0%9f%94%91-key]", secret), "[<redacted>]");
}

TEST(SecretRedactor, ReplacesPercentEncodingInEitherCaseAndPlusForSpace) {
  EXPECT_EQ(Redacted("password=Ab%2Fc%2Bd%20e9Xy&x=1"), "password=<redacted>&x=1");
  EXPECT_EQ(Redacted("password=Ab%2fc%2bd+e9Xy&x=1"), "password=<redacted>&x=1");
  // Letters encoded too, as some encoders do.
  EXPECT_EQ(Redacted("p=%41%62%2f%63%2b%64%20%65%39%58%79"), "p=<redacted>");
}

TEST(SecretRedactor, ReplacesAPrefixOfAtLeastFourCharactersAtTheEnd) {
  // An excerpt cut at its length limit in the middle of the secret.
  EXPECT_EQ(Redacted("error: bad password Ab/c"), "error: bad password <redacted>");
  EXPECT_EQ(Redacted("error: bad password Ab/c+d e9X"), "error: bad password <redacted>");
  EXPECT_EQ(Redacted(R"(error: "Ab\/c\u002)"), R"(error: "<redacted>)");
  EXPECT_EQ(Redacted("error: Ab%2Fc%2"), "error: <redacted>");
  // Three characters could be anything: kept.
  EXPECT_EQ(Redacted("error: Ab/"), "error: Ab/");
  // Not at the end: a prefix alone is not the secret.
  EXPECT_EQ(Redacted("Ab/c+ then more"), "Ab/c+ then more");
}

TEST(SecretRedactor, LeavesNearMissesAlone) {
  EXPECT_EQ(Redacted("Ab/c+d e9XZ!"), "Ab/c+d e9XZ!");
  EXPECT_EQ(Redacted("ab/c+d e9Xy!"), "ab/c+d e9Xy!");  // secrets are case-sensitive
  EXPECT_EQ(Redacted(R"(Ab\u002fc+d e9Xz!)"), R"(Ab\u002fc+d e9Xz!)");
}

TEST(SecretRedactor, IgnoresShortValuesAndRepeatsAndLongestWins) {
  SecretRedactor redactor;
  EXPECT_FALSE(redactor.Add("abc"));
  EXPECT_TRUE(redactor.Add("token"));
  EXPECT_FALSE(redactor.Add("token"));
  EXPECT_TRUE(redactor.Add("token-and-more"));
  EXPECT_EQ(redactor.Size(), 2u);
  EXPECT_EQ(redactor.Redact("abc token-and-more token."), "abc <redacted> <redacted>.");
  EXPECT_TRUE(redactor.Remove("token"));
  EXPECT_FALSE(redactor.Remove("token"));
  EXPECT_EQ(redactor.Redact("token."), "token.");
  // At the very end it is still a cut prefix of the longer one.
  EXPECT_EQ(redactor.Redact("a token"), "a <redacted>");
}

TEST(SecretRedactor, SecretsMadeOfEscapeCharactersStayFast) {
  // Backslashes match raw or as \\: the matcher follows both without blowing up.
  const std::string secret(64, '\\');
  const std::string text(4096, '\\');
  SecretRedactor redactor;
  redactor.Add(secret);
  const std::string out = redactor.Redact(text);
  EXPECT_EQ(out.find("\\\\\\\\"), std::string::npos) << out.substr(0, 100);
}

}  // namespace
}  // namespace drmm
