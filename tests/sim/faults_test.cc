#include "sim/faults.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim/fault_queue.h"

namespace drmm::sim {
namespace {

using std::chrono::milliseconds;

TEST(SimFaultSpec, ParsesKindAndKeys) {
  const auto p = ParseFaultSpec("server_error:count=3,status=503,path=/api/v2/account/devices");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->kind, FaultKind::kServerError);
  EXPECT_EQ(p->count, 3);
  EXPECT_EQ(p->status, 503);
  EXPECT_EQ(p->path_prefix, "/api/v2/account/devices");

  const auto slow = ParseFaultSpec("slow:delay=1500ms");
  ASSERT_TRUE(slow.ok()) << slow.error().message;
  EXPECT_EQ(slow->delay, milliseconds(1500));
  EXPECT_EQ(slow->count, 1);
  EXPECT_EQ(slow->path_prefix, "");

  const auto bare = ParseFaultSpec("drop_connection");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->kind, FaultKind::kDropConnection);

  const auto foreign = ParseFaultSpec("foreign_next_page:origin=https://evil.example/");
  ASSERT_TRUE(foreign.ok()) << foreign.error().message;
  EXPECT_EQ(foreign->origin, "https://evil.example");

  for (const char* spec :
       {"malformed_json", "truncated_json", "repeat_items:items=5", "revoke_token:after_pages=2",
        "rate_limit:retry_after=0", "block:duration=3s", "forbidden:count=2,path=/api/v2/site"}) {
    EXPECT_TRUE(ParseFaultSpec(spec).ok()) << spec;
  }
}

TEST(SimFaultSpec, RejectsWithMessagesThatSayWhy) {
  EXPECT_EQ(ParseFaultSpec("explode").error().message,
            "unknown fault kind \"explode\" (one of server_error, slow, malformed_json, "
            "truncated_json, drop_connection, foreign_next_page, repeat_items, revoke_token, "
            "rate_limit, block, forbidden)");
  EXPECT_EQ(ParseFaultSpec("server_error:status=404").error().message,
            "status must be an integer in [500, 599], got \"404\"");
  EXPECT_EQ(ParseFaultSpec("server_error:delay=1s").error().message,
            "key \"delay\" does not apply to server_error");
  EXPECT_EQ(ParseFaultSpec("slow:delay=soon").error().message,
            "delay must be a duration such as 1500ms or 2s, got \"soon\"");
  EXPECT_EQ(ParseFaultSpec("slow:count").error().message, "expected key=value, got \"count\"");
  EXPECT_EQ(ParseFaultSpec("slow:count=0").error().message,
            "count must be an integer in [1, 1000000], got \"0\"");
  EXPECT_EQ(ParseFaultSpec("slow:path=api").error().message, "path must start with \"/\"");
}

TEST(SimFaultSpec, JsonRoundTrip) {
  const auto p = FaultFromJson(nlohmann::json::parse(
      R"({"kind": "slow", "count": 2, "path": "/api/v2/account", "delay": 250})"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->delay, milliseconds(250));  // integers are milliseconds
  const nlohmann::json j = FaultToJson(p.value());
  EXPECT_EQ(j, nlohmann::json::parse(
                   R"({"kind": "slow", "count": 2, "path": "/api/v2/account", "delay": "250ms"})"));
  EXPECT_TRUE(FaultFromJson(j).ok());
  EXPECT_EQ(FaultFromJson(nlohmann::json::parse(R"({"count": 1})")).error().message.substr(0, 24),
            "a fault needs \"kind\" (on");
  EXPECT_EQ(FaultFromJson(nlohmann::json::parse(R"({"kind": "block", "duration": true})"))
                .error()
                .message,
            "\"duration\" must be a string or an integer");
}

FaultSpec Fault(std::string_view spec) {
  const auto p = ParseFaultSpec(spec);
  EXPECT_TRUE(p.ok()) << p.error().message;
  return p.ok() ? p.value() : FaultSpec{};
}

TEST(SimFaultQueue, FaultsHitTheNextCountMatchingRequestsInOrder) {
  FaultQueue queue;
  queue.Add(Fault("server_error:count=2,path=/api/v2/account/devices"));
  queue.Add(Fault("slow:delay=1s"));
  const RequestFacts sites{"/api/v2/account/sites", true, 0};
  const RequestFacts devices{"/api/v2/account/devices", true, 0};
  auto taken = queue.TakeResponseFault(sites);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->kind, FaultKind::kSlow);  // the device fault does not match sites
  EXPECT_FALSE(queue.TakeResponseFault(sites));
  EXPECT_EQ(queue.TakeResponseFault(devices)->kind, FaultKind::kServerError);
  EXPECT_EQ(queue.TakeResponseFault(devices)->kind, FaultKind::kServerError);
  EXPECT_FALSE(queue.TakeResponseFault(devices));
  EXPECT_TRUE(queue.ToJson().empty());
}

TEST(SimFaultQueue, KindsMatchTheirPhaseAndRequestShape) {
  FaultQueue queue;
  queue.Add(Fault("rate_limit"));
  queue.Add(Fault("repeat_items"));
  queue.Add(Fault("foreign_next_page"));
  const RequestFacts account{"/api/v2/account", false, 0};
  const RequestFacts first_page{"/api/v2/account/devices", true, 0};
  const RequestFacts second_page{"/api/v2/account/devices", true, 1};
  EXPECT_FALSE(queue.TakeResponseFault(account));  // only list faults left for this phase
  EXPECT_EQ(queue.TakeAdmissionFault(account)->kind, FaultKind::kRateLimit);
  EXPECT_EQ(queue.TakeResponseFault(first_page)->kind, FaultKind::kForeignNextPage);
  EXPECT_FALSE(queue.TakeResponseFault(first_page));  // repeats need a page after the first
  EXPECT_EQ(queue.TakeResponseFault(second_page)->kind, FaultKind::kRepeatItems);
}

TEST(SimFaultQueue, RevocationFiresAfterTheGivenNumberOfPages) {
  FaultQueue queue;
  queue.Add(Fault("revoke_token:after_pages=2,count=2"));
  const RequestFacts page{"/api/v2/account/devices", true, 0};
  const RequestFacts single{"/api/v2/account", false, 0};
  EXPECT_FALSE(queue.TakeRevocation(single));  // not a page
  EXPECT_FALSE(queue.TakeRevocation(page));
  EXPECT_FALSE(queue.TakeRevocation(page));
  EXPECT_TRUE(queue.TakeRevocation(page));
  EXPECT_FALSE(queue.TakeRevocation(page));  // re-armed for the second count
  EXPECT_FALSE(queue.TakeRevocation(page));
  EXPECT_TRUE(queue.TakeRevocation(page));
  EXPECT_FALSE(queue.TakeRevocation(page));
  EXPECT_TRUE(queue.ToJson().empty());
}

}  // namespace
}  // namespace drmm::sim
