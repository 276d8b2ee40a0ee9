// The Docker Compose stack as written (deploy/compose/compose.yaml, read as YAML: no Docker engine
// here): ports published on 127.0.0.1 unless DRMM_BIND_ADDRESS says otherwise, the exporter
// locked down, Grafana's anonymous access only in the simulator profile, versions pinned and
// the same as the Kubernetes examples', Prometheus scraping job datto-rmm and alerting the
// Alertmanager, which loads deploy/alertmanager/alertmanager.yml.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "deploy_files.h"

namespace drmm::testing {
namespace {

class ComposeTest : public ::testing::Test {
 protected:
  const YAML::Node compose_ = YAML::LoadFile(RepoPath("deploy/compose/compose.yaml").string());
  const YAML::Node services_ = compose_["services"];

  // The service with YAML merge keys (`<<: *exporter`) applied, whether or not the YAML reader
  // applies them itself.
  static YAML::Node Resolved(const YAML::Node& service) {
    YAML::Node out(YAML::NodeType::Map);
    if (service["<<"]) {
      for (const auto& entry : service["<<"]) out[entry.first.Scalar()] = entry.second;
    }
    for (const auto& entry : service) {
      if (entry.first.Scalar() != "<<") out[entry.first.Scalar()] = entry.second;
    }
    return out;
  }
  YAML::Node Service(const std::string& name) const { return Resolved(services_[name]); }

  static std::vector<std::string> Strings(const YAML::Node& list) {
    std::vector<std::string> out;
    for (const auto& item : list) out.push_back(item.as<std::string>());
    return out;
  }
  static std::set<std::string> Profiles(const YAML::Node& service) {
    const auto profiles = Strings(service["profiles"]);
    return {profiles.begin(), profiles.end()};
  }
};

TEST_F(ComposeTest, PublishesPortsOnLoopbackUnlessTold) {
  int published = 0;
  for (const auto& entry : services_) {
    for (const auto& port : Resolved(entry.second)["ports"]) {
      ++published;
      EXPECT_THAT(port.as<std::string>(), ::testing::StartsWith("${DRMM_BIND_ADDRESS:-127.0.0.1}:"))
          << entry.first.as<std::string>();
    }
  }
  EXPECT_EQ(published, 6);  // two exporters, Prometheus, Alertmanager, two Grafanas
}

TEST_F(ComposeTest, ExporterAndSimulatorAreLockedDown) {
  for (const char* name : {"exporter", "exporter-simulated", "simulator"}) {
    ASSERT_TRUE(services_[name]) << name;
    const auto service = Service(name);
    EXPECT_TRUE(service["read_only"].as<bool>(false)) << name;
    EXPECT_THAT(Strings(service["cap_drop"]), ::testing::ElementsAre("ALL")) << name;
    EXPECT_THAT(Strings(service["security_opt"]), ::testing::Contains("no-new-privileges:true"))
        << name;
  }
}

TEST_F(ComposeTest, ExportersHaveTheMemoryLimitsOfTheKubernetesManifests) {
  // docs/deployment.md sizes both from scripts/bench-scrape.sh; the Kubernetes side is checked
  // in KubernetesTest.
  for (const char* name : {"exporter", "exporter-simulated"}) {
    const auto service = Service(name);
    EXPECT_EQ(service["mem_limit"].as<std::string>(""), "256m") << name;
    EXPECT_EQ(service["mem_reservation"].as<std::string>(""), "64m") << name;
  }
}

TEST_F(ComposeTest, GrafanaIsAnonymousOnlyInTheSimulatorProfile) {
  int grafanas = 0;
  for (const auto& entry : services_) {
    const auto service = Resolved(entry.second);
    if (service["image"].as<std::string>("").find("grafana/grafana:") != 0) continue;
    ++grafanas;
    const auto name = entry.first.as<std::string>();
    const bool anonymous =
        service["environment"]["GF_AUTH_ANONYMOUS_ENABLED"].as<std::string>("false") == "true";
    const auto profiles = Profiles(service);
    ASSERT_EQ(profiles.size(), 1u) << name << " must belong to one profile";
    EXPECT_EQ(anonymous, profiles.count("simulator") == 1) << name;
    if (!anonymous) {
      EXPECT_EQ(service["environment"]["GF_SECURITY_ADMIN_PASSWORD__FILE"].as<std::string>(""),
                "/run/secrets/grafana_admin_password")
          << name << ": no default admin password on real data";
    }
    EXPECT_THAT(Strings(service["volumes"]),
                ::testing::Contains(
                    "../../dashboards/provisioning/alerting:/etc/grafana/provisioning/alerting:ro"))
        << name << ": Grafana-managed alert rules";
  }
  EXPECT_EQ(grafanas, 2);
}

// Pinned (no `latest`, no bare name) and the same in Compose and Kubernetes.
TEST_F(ComposeTest, ImagesArePinnedAndMatchTheKubernetesExamples) {
  const std::string kubernetes = ReadText(RepoPath("deploy/kubernetes/sidecar/prometheus.yaml")) +
                                 ReadText(RepoPath("deploy/kubernetes/sidecar/alertmanager.yaml"));
  for (const char* name : {"prometheus", "alertmanager"}) {
    const auto image = Service(name)["image"].as<std::string>("");
    EXPECT_THAT(image, ::testing::MatchesRegex("[a-z/]+:v[0-9]+\\.[0-9]+\\.[0-9]+")) << name;
    EXPECT_THAT(kubernetes, ::testing::HasSubstr("image: " + image)) << name;
  }
  EXPECT_THAT(Service("grafana")["image"].as<std::string>(""),
              ::testing::MatchesRegex("grafana/grafana:[0-9]+\\.[0-9]+\\.[0-9]+"));
}

TEST_F(ComposeTest, PrometheusScrapesJobDattoRmmAndAlertsTheAlertmanager) {
  const auto config = YAML::LoadFile(RepoPath("deploy/compose/prometheus/prometheus.yml").string());
  std::vector<std::string> jobs;
  for (const auto& job : config["scrape_configs"])
    jobs.push_back(job["job_name"].as<std::string>());
  EXPECT_THAT(jobs, ::testing::Contains("datto-rmm"));
  EXPECT_EQ(
      config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"][0].as<std::string>(""),
      "alertmanager:9093");
  EXPECT_THAT(Strings(Service("alertmanager")["volumes"]),
              ::testing::Contains(
                  "../alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro"));
  EXPECT_THAT(Strings(Service("alertmanager")["command"]),
              ::testing::Contains("--config.file=/etc/alertmanager/alertmanager.yml"));
}

}  // namespace
}  // namespace drmm::testing
