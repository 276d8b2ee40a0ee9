// Ground truth recomputed from the served JSON (with the label rules implemented again here)
// equals /__sim/ground-truth, before and after churn; churn is deterministic from the seed.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "sim/simulator.h"
#include "sim_test_client.h"
#include "support/fake_clock.h"

namespace drmm::sim {
namespace {

using drmm::testing::FakeClock;
using nlohmann::json;
using sim::testing::TestClient;
using sim::testing::TestOptions;

std::string Snake(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool upper = std::isupper(static_cast<unsigned char>(c)) != 0;
    if (upper && i > 0 &&
        (std::islower(static_cast<unsigned char>(text[i - 1])) ||
         std::isdigit(static_cast<unsigned char>(text[i - 1])))) {
      out += '_';
    }
    out += (c == ' ' || c == '-') ? '_'
                                  : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

void Increment(json& counts, const std::string& key, std::int64_t by = 1) {
  counts[key] = (counts.contains(key) ? counts[key].get<std::int64_t>() : 0) + by;
}

std::string StringOr(const json& v, const std::string& fallback) {
  return v.is_string() && !v.get<std::string>().empty() ? v.get<std::string>() : fallback;
}

// What an exporter would compute from three page walks.
// The ground truth without the figures of issue 18 (stale agents, warranty, device state,
// Autotask company, UDF values), which Recompute does not rebuild from the served pages: those
// are checked against what the exporter decodes from the same pages (ExporterVsSimulator).
json WithoutLifecycleFigures(json truth) {
  for (auto& site : truth.at("sites")) {
    for (const char* key : {"devices_not_seen", "devices_warranty", "devices_state",
                            "devices_by_udf", "autotask_company_id", "autotask_company_name"}) {
      site.erase(key);
    }
  }
  return truth;
}

json Recompute(TestClient& client, const std::string& token) {
  const auto sites = client.Walk("/api/v2/account/sites", "sites", token);
  const auto devices = client.Walk("/api/v2/account/devices", "devices", token);
  const auto alerts = client.Walk("/api/v2/account/alerts/open", "alerts", token);
  std::map<std::string, json> by_uid;
  for (const auto& s : sites) {
    json site = {{"uid", s["uid"]},
                 {"name", s["name"]},
                 {"on_demand", s["onDemand"] == true},
                 {"portal_url", s["portalUrl"]},
                 {"deleted_devices_site", s["name"] == "Deleted Devices"},
                 {"devices_total", 0},
                 {"devices_online_by_category", json::object()},
                 {"devices_offline_by_category", json::object()},
                 {"patch_status", json::object()},
                 {"patches", {{"approved_pending", 0}, {"not_approved", 0}, {"installed", 0}}},
                 {"reboot_required", 0},
                 {"antivirus_status", json::object()},
                 {"alerts_open", json::object()},
                 {"alerts_open_by_type", json::object()},
                 {"oldest_open_alert_timestamp_seconds", json::object()}};
    for (const char* k : {"fully_patched", "approved_pending", "install_error", "reboot_required",
                          "no_policy", "no_data", "not_applicable"}) {
      site["patch_status"][k] = 0;
    }
    for (const char* k : {"running_and_up_to_date", "running_and_not_up_to_date", "not_running",
                          "not_detected", "not_applicable"}) {
      site["antivirus_status"][k] = 0;
    }
    for (const char* muted : {"false", "true"}) {
      for (const char* k : {"critical", "high", "moderate", "low", "information", "unknown"}) {
        site["alerts_open"][muted][k] = 0;
      }
      site["alerts_open_by_type"][muted] = json::object();
      site["oldest_open_alert_timestamp_seconds"][muted] = json::object();
    }
    by_uid[s["uid"]] = std::move(site);
  }
  int online_total = 0;
  for (const auto& d : devices) {
    json& site = by_uid.at(d["siteUid"]);
    Increment(site, "devices_total");
    const bool online = d["online"] == true;
    online_total += online ? 1 : 0;
    const std::string category =
        d["deviceType"].is_object() ? StringOr(d["deviceType"]["category"], "Unknown") : "Unknown";
    json& by_category = site[online ? "devices_online_by_category" : "devices_offline_by_category"];
    Increment(by_category, category);
    const json& pm = d["patchManagement"];
    const std::string patch = pm.is_object() && pm["patchStatus"].is_string()
                                  ? Snake(pm["patchStatus"].get<std::string>())
                                  : "not_applicable";
    Increment(site["patch_status"], patch);
    if (pm.is_object()) {
      for (const auto& [field, label] : {std::pair{"patchesApprovedPending", "approved_pending"},
                                         std::pair{"patchesNotApproved", "not_approved"},
                                         std::pair{"patchesInstalled", "installed"}}) {
        if (pm[field].is_number()) {
          Increment(site["patches"], label, pm[field].get<std::int64_t>());
        }
      }
    }
    if (d["rebootRequired"] == true) Increment(site, "reboot_required");
    const json& av = d["antivirus"];
    const std::string av_label = av.is_object() && av["antivirusStatus"].is_string()
                                     ? Snake(av["antivirusStatus"].get<std::string>())
                                     : "not_applicable";
    Increment(site["antivirus_status"], av_label);
  }
  for (const auto& a : alerts) {
    json& site = by_uid.at(a["alertSourceInfo"]["siteUid"]);
    const std::string priority = a["priority"].is_string() ? Snake(a["priority"]) : "unknown";
    const std::string type = a["alertContext"].is_object()
                                 ? StringOr(a["alertContext"]["@class"], "unknown")
                                 : "unknown";
    const std::string muted = a["muted"] == true ? "true" : "false";
    Increment(site["alerts_open"][muted], priority);
    Increment(site["alerts_open_by_type"][muted][priority], type);
    if (a["timestamp"].is_number()) {
      const double seconds = a["timestamp"].get<double>() / 1000.0;
      json& oldest = site["oldest_open_alert_timestamp_seconds"][muted];
      if (!oldest.contains(priority) || oldest[priority].get<double>() > seconds) {
        oldest[priority] = seconds;
      }
    }
  }
  json out;
  out["page_size"] = client.Get("/api/v2/system/pagination", token).Json()["max"];
  out["alerts_page_size"] = 250;
  out["totals"] = {{"sites", sites.size()},
                   {"devices", devices.size()},
                   {"devices_online", online_total},
                   {"devices_offline", static_cast<int>(devices.size()) - online_total},
                   {"open_alerts", alerts.size()}};
  out["sites"] = json::array();
  for (auto& [uid, site] : by_uid) out["sites"].push_back(std::move(site));
  return out;
}

class SimGroundTruthTest : public ::testing::Test {
 protected:
  std::unique_ptr<Simulator> Make(std::uint64_t seed, FakeClock& clock) {
    SimulatorOptions options = TestOptions();
    options.seed = seed;
    options.sites = 30;
    options.devices = 400;
    options.alerts = 100;
    return std::make_unique<Simulator>(options, clock);
  }
};

TEST_F(SimGroundTruthTest, ServedDataMatchesGroundTruthBeforeAndAfterChurn) {
  FakeClock clock;
  auto sim = Make(7, clock);
  TestClient client(sim->Start());
  const std::string token = client.Token();
  const json before = client.Get("/__sim/ground-truth").Json();
  EXPECT_EQ(Recompute(client, token), WithoutLifecycleFigures(before));
  EXPECT_EQ(before, sim->GroundTruth());
  EXPECT_EQ(before["totals"]["devices"], 400);

  ASSERT_EQ(client.Send("POST", "/__sim/churn?events=300").status, 200);
  const json after = client.Get("/__sim/ground-truth").Json();
  EXPECT_NE(after, before);
  EXPECT_EQ(Recompute(client, token), WithoutLifecycleFigures(after));
}

TEST_F(SimGroundTruthTest, ChurnIsDeterministicFromTheSeed) {
  FakeClock clock_a, clock_b, clock_c;
  auto a = Make(7, clock_a);
  auto b = Make(7, clock_b);
  auto c = Make(8, clock_c);
  EXPECT_EQ(a->GroundTruth(), b->GroundTruth());
  EXPECT_NE(a->GroundTruth(), c->GroundTruth());
  for (FakeClock* clock : {&clock_a, &clock_b}) clock->Advance(std::chrono::minutes(5));
  a->ApplyChurn(25);
  b->ApplyChurn(10);
  b->ApplyChurn(15);
  EXPECT_EQ(a->GroundTruth(), b->GroundTruth());
}

TEST_F(SimGroundTruthTest, ZeroChurnFreezesTheAccount) {
  FakeClock clock;
  auto sim = Make(7, clock);
  const json initial = sim->GroundTruth();
  clock.Advance(std::chrono::hours(1));
  EXPECT_EQ(sim->GroundTruth(), initial);
  sim->SetChurnPerMinute(30);
  clock.Advance(std::chrono::minutes(1));
  EXPECT_NE(sim->GroundTruth(), initial);
}

TEST_F(SimGroundTruthTest, ChurnOnTheClockMatchesTheSameEventsAppliedAtOnce) {
  FakeClock clock_a, clock_b;
  auto moving = Make(9, clock_a);
  auto twin = Make(9, clock_b);
  moving->SetChurnPerMinute(60);
  clock_a.Advance(std::chrono::seconds(10));
  clock_b.Advance(std::chrono::seconds(10));
  twin->ApplyChurn(10);
  EXPECT_EQ(moving->GroundTruth(), twin->GroundTruth());
  clock_a.Advance(std::chrono::seconds(5));
  clock_b.Advance(std::chrono::seconds(5));
  twin->ApplyChurn(5);
  EXPECT_EQ(moving->GroundTruth(), twin->GroundTruth());
}

// Readers never wait for, nor see half of, a churn: walks on several connections while the
// account changes under them (run under TSan in CI).
TEST_F(SimGroundTruthTest, ConcurrentWalksWhileTheAccountChurns) {
  FakeClock clock;
  auto sim = Make(11, clock);
  const int port = sim->Start();
  std::atomic<int> failures{0};
  std::vector<std::thread> walkers;
  for (int t = 0; t < 3; ++t) {
    walkers.emplace_back([&, t] {
      TestClient client(port);
      const std::string token = client.Token();
      const char* lists[] = {"/api/v2/account/devices?max=60", "/api/v2/account/alerts/open?max=20",
                             "/api/v2/account/sites?max=5"};
      for (int round = 0; round < 4; ++round) {
        const auto reply = client.Get(lists[(t + round) % 3], token);
        if (reply.status != 200 || !json::accept(reply.body)) ++failures;
      }
    });
  }
  for (int i = 0; i < 20; ++i) sim->ApplyChurn(5);
  for (auto& w : walkers) w.join();
  EXPECT_EQ(failures.load(), 0);
  TestClient client(port);
  EXPECT_EQ(Recompute(client, client.Token()), WithoutLifecycleFigures(sim->GroundTruth()));
}

}  // namespace
}  // namespace drmm::sim
