// Checks the simulator's responses against Datto's own OpenAPI document, so the simulator
// cannot drift from the real API: every property the spec lists is present, each value has the
// spec's type (or enum value) or is null, `format: date-time` also accepts epoch milliseconds
// (README "Data on the wire"), alertContext is checked against the context schema of its @class,
// sub-objects recursively, and no property outside the spec appears.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "sim/simulator.h"
#include "sim_test_client.h"
#include "support/fake_clock.h"

#ifndef DRMM_OPENAPI_JSON
#error "DRMM_OPENAPI_JSON must name the spec (set by tests/sim/CMakeLists.txt)"
#endif

namespace drmm::sim {
namespace {

using drmm::testing::FakeClock;
using nlohmann::json;
using sim::testing::TestClient;
using sim::testing::TestOptions;

// The spec does not name the @class values; these are the schemas whose properties they carry.
const std::map<std::string, std::string>& ContextSchemas() {
  static const std::map<std::string, std::string> kMap = {
      {"online_offline_status_ctx", "OnlineOfflineStatusContext"},
      {"perf_resource_usage_ctx", "ResourceUsageContext"},
      {"perf_disk_usage_ctx", "DiskUsageContext"},
      {"patch_ctx", "PatchContext"},
      {"antivirus_ctx", "AntivirusContext"},
      {"srvc_status_ctx", "StatusContext"},
      {"comp_script_ctx", "ScriptContext"},
      {"eventlog_ctx", "EventLogContext"},
      {"ping_ctx", "PingContext"},
  };
  return kMap;
}

class SchemaChecker {
 public:
  explicit SchemaChecker(json spec) : spec_(std::move(spec)) {}

  const json& Named(const std::string& name) const {
    return spec_.at("components").at("schemas").at(name);
  }
  // The schema the spec gives for GET `api_path` (it lists it under 200, or only under 401/403).
  std::string ResponseSchemaName(const std::string& api_path) const {
    for (const auto& [code, response] :
         spec_.at("paths").at(api_path).at("get").at("responses").items()) {
      if (!response.contains("content")) continue;
      for (const auto& [type, content] : response["content"].items()) {
        const std::string ref = content.at("schema").at("$ref");
        return ref.substr(ref.rfind('/') + 1);
      }
    }
    return "";
  }

  // Appends one message per violation to `errors`.
  void Check(const json& value, const json& schema_in, const std::string& path,
             std::vector<std::string>& errors) const {
    const json& schema = Resolve(schema_in);
    if (value.is_null()) return;  // the spec marks nothing nullable; live data is full of nulls
    if (schema.contains("oneOf")) {
      CheckContext(value, schema, path, errors);
      return;
    }
    const std::string type = schema.value("type", schema.contains("properties") ? "object" : "");
    if (type == "object") {
      if (!value.is_object()) return Error(errors, path, "expected an object");
      if (schema.contains("properties")) {
        for (const auto& [key, sub] : schema["properties"].items()) {
          if (!value.contains(key)) {
            if (!absent_ok_.contains(path + "." + key)) Error(errors, path + "." + key, "missing");
            continue;
          }
          Check(value[key], sub, path + "." + key, errors);
        }
        for (const auto& [key, sub] : value.items()) {
          if (!schema["properties"].contains(key))
            Error(errors, path + "." + key, "not in the spec");
        }
      }
      if (schema.contains("additionalProperties")) {
        for (const auto& [key, sub] : value.items()) {
          Check(sub, schema["additionalProperties"], path + "." + key, errors);
        }
      }
    } else if (type == "array") {
      if (!value.is_array()) return Error(errors, path, "expected an array");
      for (std::size_t i = 0; i < value.size(); ++i) {
        Check(value[i], schema.at("items"), path + "[" + std::to_string(i) + "]", errors);
      }
    } else if (type == "string") {
      const bool date_time = schema.value("format", "") == "date-time";
      if (!(value.is_string() || (date_time && value.is_number_integer()))) {
        return Error(errors, path, "expected a string, got " + value.dump());
      }
      if (value.is_string() && schema.contains("enum")) {
        bool found = false;
        for (const auto& e : schema["enum"]) found = found || e == value;
        if (!found) Error(errors, path, value.dump() + " is not in the enum");
      }
    } else if (type == "integer") {
      if (!value.is_number_integer())
        Error(errors, path, "expected an integer, got " + value.dump());
    } else if (type == "number") {
      if (!value.is_number()) Error(errors, path, "expected a number, got " + value.dump());
    } else if (type == "boolean") {
      if (!value.is_boolean()) Error(errors, path, "expected a boolean, got " + value.dump());
    } else {
      Error(errors, path, "schema without a type: " + schema.dump());
    }
  }

  void AllowAbsent(const std::string& path) { absent_ok_.insert(path); }
  const std::set<std::string>& contexts_seen() const { return contexts_seen_; }

 private:
  static void Error(std::vector<std::string>& errors, const std::string& path,
                    const std::string& message) {
    errors.push_back(path + ": " + message);
  }

  // Follows $ref; a named schema made of allOf parts is merged into one object schema (once).
  const json& Resolve(const json& schema) const {
    if (!schema.contains("$ref")) return schema;
    const std::string ref = schema["$ref"];
    const std::string name = ref.substr(ref.rfind('/') + 1);
    if (const auto it = resolved_.find(name); it != resolved_.end()) return it->second;
    const json& named = Named(name);
    json flat = named;
    if (named.contains("allOf")) {
      flat = {{"type", "object"}, {"properties", json::object()}};
      for (const auto& part : named["allOf"]) {
        const json& resolved = Resolve(part);
        if (resolved.contains("properties")) flat["properties"].update(resolved["properties"]);
      }
    }
    return resolved_.emplace(name, std::move(flat)).first->second;
  }

  void CheckContext(const json& value, const json& schema, const std::string& path,
                    std::vector<std::string>& errors) const {
    if (!value.is_object() || !value.contains("@class") || !value["@class"].is_string()) {
      return Error(errors, path, "alertContext needs a string @class");
    }
    const std::string cls = value["@class"];
    const auto it = ContextSchemas().find(cls);
    if (it == ContextSchemas().end()) return Error(errors, path, "unexpected @class " + cls);
    bool listed = false;
    for (const auto& option : schema["oneOf"]) {
      listed = listed || option.at("$ref") == "#/components/schemas/" + it->second;
    }
    if (!listed) return Error(errors, path, it->second + " is not one of alertContext's schemas");
    contexts_seen_.insert(cls);
    Check(value, json{{"$ref", "#/components/schemas/" + it->second}}, path, errors);
  }

  json spec_;
  std::set<std::string> absent_ok_;
  mutable std::map<std::string, json> resolved_;  // by schema name
  mutable std::set<std::string> contexts_seen_;
};

json LoadSpec() {
  std::ifstream in(DRMM_OPENAPI_JSON);
  if (!in) {
    ADD_FAILURE() << "Datto's OpenAPI document is missing: " << DRMM_OPENAPI_JSON
                  << " (set the CMake cache variable DRMM_SHARED_DIR to the directory that holds "
                     "datto-api/openapi.json)";
    return json();
  }
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

class SimSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const json spec = LoadSpec();
    ASSERT_TRUE(spec.is_object());
    checker_ = std::make_unique<SchemaChecker>(spec);
    checker_->AllowAbsent("AlertsPage.pageDetails.totalCount");  // absent on open alerts
    SimulatorOptions options = TestOptions();
    options.sites = 25;
    options.devices = 600;
    options.alerts = 200;
    sim_ = std::make_unique<Simulator>(options, clock_);
    client_ = std::make_unique<TestClient>(sim_->Start());
    token_ = client_->Token();
  }

  // GETs `target` and checks the body against the spec's schema for `api_path`.
  json CheckGet(const std::string& target, const std::string& api_path) {
    const auto reply = client_->Get(target, token_);
    EXPECT_EQ(reply.status, 200) << target;
    if (reply.status != 200) return json();
    const json body = reply.Json();
    const std::string schema = checker_->ResponseSchemaName(api_path);
    EXPECT_FALSE(schema.empty()) << api_path;
    std::vector<std::string> errors;
    checker_->Check(body, checker_->Named(schema), schema, errors);
    for (std::size_t i = 0; i < errors.size() && i < 20; ++i)
      ADD_FAILURE() << target << ": " << errors[i];
    ++checked_;
    return body;
  }

  // Every page of a list.
  std::vector<json> CheckWalk(const std::string& first, const std::string& api_path,
                              const std::string& key) {
    std::vector<json> items;
    std::string target = first;
    const std::string origin = sim_->base_url();
    for (int page = 0; page < 100 && !target.empty(); ++page) {
      const json body = CheckGet(target, api_path);
      if (!body.is_object()) break;
      for (const auto& item : body[key]) items.push_back(item);
      const json& next = body["pageDetails"]["nextPageUrl"];
      target = next.is_string() ? next.get<std::string>().substr(origin.size()) : "";
    }
    return items;
  }

  FakeClock clock_;
  std::unique_ptr<SchemaChecker> checker_;
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<TestClient> client_;
  std::string token_;
  int checked_ = 0;
};

TEST_F(SimSchemaTest, EveryEndpointMatchesTheSpec) {
  CheckGet("/api/v2/account", "/v2/account");
  CheckGet("/api/v2/system/request_rate", "/v2/system/request_rate");
  CheckGet("/api/v2/system/pagination", "/v2/system/pagination");
  CheckGet("/api/v2/system/status", "/v2/system/status");
  const auto sites = CheckWalk("/api/v2/account/sites", "/v2/account/sites", "sites");
  const auto devices = CheckWalk("/api/v2/account/devices", "/v2/account/devices", "devices");
  const auto alerts = CheckWalk("/api/v2/account/alerts/open", "/v2/account/alerts/open", "alerts");
  ASSERT_EQ(sites.size(), 25u);
  ASSERT_EQ(devices.size(), 600u);
  ASSERT_EQ(alerts.size(), 200u);
  // The per-site paths for a few sites, "Deleted Devices" and an on-demand site among them.
  std::vector<json> sample(sites.begin(), sites.begin() + 4);
  for (const auto& site : sites) {
    if (site["name"] == "Deleted Devices" || site["onDemand"] == true) sample.push_back(site);
  }
  for (const auto& site : sample) {
    const std::string uid = site["uid"];
    CheckGet("/api/v2/site/" + uid, "/v2/site/{siteUid}");
    CheckWalk("/api/v2/site/" + uid + "/devices", "/v2/site/{siteUid}/devices", "devices");
    CheckWalk("/api/v2/site/" + uid + "/alerts/open", "/v2/site/{siteUid}/alerts/open", "alerts");
  }
  // One device of each class through the per-device path.
  std::set<std::string> classes;
  bool null_patch = false, null_antivirus = false, never_rebooted = false;
  for (const auto& d : devices) {
    null_patch = null_patch || d["patchManagement"].is_null();
    null_antivirus = null_antivirus || d["antivirus"].is_null();
    never_rebooted = never_rebooted || d["lastReboot"] == -62135596800000;
    if (classes.insert(d["deviceClass"].get<std::string>()).second) {
      CheckGet("/api/v2/device/" + d["uid"].get<std::string>(), "/v2/device/{deviceUid}");
    }
  }
  // The account exercised the nulls and variants the check is meant to cover.
  EXPECT_EQ(classes, (std::set<std::string>{"device", "esxihost", "printer", "rmmnetworkdevice"}));
  EXPECT_TRUE(null_patch);
  EXPECT_TRUE(null_antivirus);
  EXPECT_TRUE(never_rebooted);
  std::set<std::string> expected_contexts;
  for (const auto& [cls, schema] : ContextSchemas()) expected_contexts.insert(cls);
  EXPECT_EQ(checker_->contexts_seen(), expected_contexts);
  EXPECT_GT(checked_, 20);
}

TEST_F(SimSchemaTest, IsoTimestampsMatchTooAndTheCheckerCatchesDrift) {
  ASSERT_EQ(client_->Send("PUT", "/__sim/settings", R"({"device_timestamps": "iso"})").status, 200);
  const auto devices = CheckWalk("/api/v2/account/devices", "/v2/account/devices", "devices");
  ASSERT_FALSE(devices.empty());
  EXPECT_TRUE(devices[0]["creationDate"].is_string());

  // The checker itself: a missing property, an extra one, a wrong type and a bad enum value.
  json device = devices[0];
  device.erase("hostname");
  device["colour"] = "red";
  device["online"] = "yes";
  device["deviceClass"] = "toaster";
  std::vector<std::string> errors;
  checker_->Check(device, checker_->Named("Device"), "Device", errors);
  EXPECT_EQ(
      std::set<std::string>(errors.begin(), errors.end()),
      (std::set<std::string>{
          "Device.hostname: missing", "Device.online: expected a boolean, got \"yes\"",
          "Device.deviceClass: \"toaster\" is not in the enum", "Device.colour: not in the spec"}));
  EXPECT_EQ(errors.size(), 4u);
}

}  // namespace
}  // namespace drmm::sim
