// Basic auth: bcrypt hashes checked with libxcrypt's crypt_r, the Authorization header decoded
// strictly, and verdicts cached so that a scraper's repeated requests cost one bcrypt check.
#include "exporter/web/basic_auth.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace drmm {
namespace {

// bcrypt (cost 4, to keep the tests fast) of "s3cret-pass" and of "other".
constexpr const char* kSecretHash = "$2b$04$iE1X9F/yW3HjD79zPrENYeh9ByEtkE5/nR4oH.un8eJcYMsLeP3CW";
constexpr const char* kOtherHash = "$2b$04$W606ptVQUmV3LUH5IxkSoOK0p9SHkV7hYvzb89JGPE5g6h.Dm1UA2";

TEST(Bcrypt, MatchesOnlyThePasswordThatWasHashed) {
  EXPECT_TRUE(BcryptMatches("s3cret-pass", kSecretHash));
  EXPECT_FALSE(BcryptMatches("s3cret-pass ", kSecretHash));
  EXPECT_FALSE(BcryptMatches("", kSecretHash));
  EXPECT_FALSE(BcryptMatches("other", kSecretHash));
  EXPECT_TRUE(BcryptMatches("other", kOtherHash));
  // htpasswd writes $2y$: the same algorithm.
  std::string y = kSecretHash;
  y[2] = 'y';
  EXPECT_TRUE(BcryptMatches("s3cret-pass", y));
  // A NUL cannot be part of what crypt_r hashed.
  EXPECT_FALSE(BcryptMatches(std::string("s3cret-pass\0x", 13), kSecretHash));
}

TEST(Bcrypt, HashFormatIsCheckedWithoutQuotingIt) {
  EXPECT_EQ(BcryptHashProblem(kSecretHash), "");
  EXPECT_EQ(BcryptHashProblem("$2a$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze"), "");
  const std::string not_bcrypt =
      "not a bcrypt hash (expected $2y$, $2b$ or $2a$, a cost and 53 characters, as htpasswd "
      "-nBC 10 \"\" prints)";
  for (const std::string hash :
       {"password", "", "$1$abc$def",  // md5-crypt
        "$2x$04$iE1X9F/yW3HjD79zPrENYeh9ByEtkE5/nR4oH.un8eJcYMsLeP3CW",
        "$2b$04$iE1X9F/yW3HjD79zPrENYeh9ByEtkE5/nR4oH.un8eJcYMsLeP3C",   // one short
        "$2b$04$iE1X9F/yW3HjD79zPrENYeh9ByEtkE5/nR4oH.un8eJcYMsLeP3C!",  // not base64
        "$2b$x4$iE1X9F/yW3HjD79zPrENYeh9ByEtkE5/nR4oH.un8eJcYMsLeP3CW"}) {
    EXPECT_EQ(BcryptHashProblem(hash), not_bcrypt) << hash;
  }
  EXPECT_EQ(BcryptHashProblem("$2b$03$iE1X9F/yW3HjD79zPrENYeh9ByEtkE5/nR4oH.un8eJcYMsLeP3CW"),
            "a bcrypt cost must be 04..31");
  EXPECT_EQ(BcryptHashProblem("$2b$32$iE1X9F/yW3HjD79zPrENYeh9ByEtkE5/nR4oH.un8eJcYMsLeP3CW"),
            "a bcrypt cost must be 04..31");
}

TEST(BasicAuthorization, DecodesTheHeaderStrictly) {
  // "alice:s3cret-pass"
  auto credentials = ParseBasicAuthorization("Basic YWxpY2U6czNjcmV0LXBhc3M=");
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->user, "alice");
  EXPECT_EQ(credentials->password, "s3cret-pass");
  // The scheme in any case; a password may hold ':' (only the first one separates).
  credentials = ParseBasicAuthorization("bAsIc YTpiOmM=");  // "a:b:c"
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->user, "a");
  EXPECT_EQ(credentials->password, "b:c");
  credentials = ParseBasicAuthorization("Basic Og==");  // ":"
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->user, "");
  for (const char* header :
       {"", "Basic", "Basic ", "Bearer YWxpY2U6czNjcmV0LXBhc3M=", "Basic YWxpY2U",  // no padding
        "Basic YWxpY2U6czNjcmV0LXBhc3M", "Basic YWxp!2U6", "Basic YW=xpY2U6",
        "Basic YWxpY2U=",  // "alice": no ':'
        "Basic  YWxpY2U6czNjcmV0LXBhc3M="}) {
    EXPECT_FALSE(ParseBasicAuthorization(header).has_value()) << header;
  }
}

TEST(BasicAuthenticator, ChecksUsersAndCachesVerdicts) {
  BasicAuthenticator auth(std::vector<BasicAuthUser>{{"alice", kSecretHash}, {"bob", kOtherHash}});
  EXPECT_TRUE(auth.Enabled());
  const BasicCredentials alice{"alice", "s3cret-pass"};
  EXPECT_EQ(auth.Lookup(alice), BasicAuthenticator::Verdict::kUnknown);
  EXPECT_TRUE(auth.Check(alice));
  EXPECT_EQ(auth.Lookup(alice), BasicAuthenticator::Verdict::kAllowed);
  // Another user's password, an unknown user with a valid password, a wrong password.
  for (const BasicCredentials& bad :
       {BasicCredentials{"alice", "other"}, BasicCredentials{"mallory", "s3cret-pass"},
        BasicCredentials{"bob", "s3cret-pass"}, BasicCredentials{"alice", ""}}) {
    EXPECT_FALSE(auth.Check(bad)) << bad.user << ":" << bad.password;
    EXPECT_EQ(auth.Lookup(bad), BasicAuthenticator::Verdict::kDenied);
  }
  EXPECT_TRUE(auth.Check({"bob", "other"}));
  EXPECT_FALSE(BasicAuthenticator(std::vector<BasicAuthUser>{}).Enabled());
}

TEST(BasicAuthenticator, AFloodOfWrongPasswordsKeepsGoodCredentialsCached) {
  BasicAuthenticator auth(std::vector<BasicAuthUser>{{"alice", kSecretHash}});
  const BasicCredentials alice{"alice", "s3cret-pass"};
  ASSERT_TRUE(auth.Check(alice));
  for (int i = 0; i < 200; ++i) auth.Check({"alice", "guess-" + std::to_string(i)});
  EXPECT_EQ(auth.Lookup(alice), BasicAuthenticator::Verdict::kAllowed);
}

// The time an answer takes must not tell which user names exist: an unknown user's password
// is checked against a configured hash too (and then refused whatever the result).
std::vector<std::string> checked_hashes;
bool RecordingMatcher(std::string_view password, const std::string& hash) {
  checked_hashes.push_back(hash);
  return password == "right";
}

TEST(BasicAuthenticator, AnUnknownUserCostsABcryptCheckToo) {
  checked_hashes.clear();
  BasicAuthenticator auth(std::vector<BasicAuthUser>{{"alice", kSecretHash}, {"bob", kOtherHash}},
                          RecordingMatcher);
  EXPECT_FALSE(auth.Check({"nobody", "right"}));
  EXPECT_TRUE(auth.Check({"bob", "right"}));
  EXPECT_EQ(checked_hashes, (std::vector<std::string>{kSecretHash, kOtherHash}));
}

}  // namespace
}  // namespace drmm
