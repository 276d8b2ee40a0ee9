// The Kubernetes examples as a cluster would get them: deploy/kubernetes/{operator,
// kube-prometheus-stack,sidecar} rendered with `kubectl kustomize`, or `kustomize build` where
// there is no kubectl (the same code; Debian 12 packages neither, scripts/install-deps.sh puts
// Debian 13's kustomize there), from a copy of deploy/ with placeholder credentials, then
// checked: every manifest parses and names itself, the ServiceMonitor selects labels the Service
// has and a port it has, the Service selects the Deployment's pods, the Deployment is locked
// down with probes and resources, the PrometheusRule and the sidecar's rules ConfigMap equal
// rules/*.yml, the sidecar's Prometheus sends alerts to the Alertmanager, whose configuration is
// deploy/alertmanager/alertmanager.yml.
//
// prometheusrule.yaml and rules-configmap.yaml are generated from rules/*.yml by this test:
// when they differ it fails and prints how to regenerate them (DRMM_UPDATE_GOLDEN=1). Having
// neither kubectl nor kustomize is a failure, not a skip.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "deploy_files.h"

namespace drmm::testing {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> RulesFiles() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(RepoPath("rules"))) {
    if (entry.path().extension() == ".yml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string GeneratedHeader(const std::string& what) {
  std::string names;
  for (const auto& file : RulesFiles()) {
    names += (names.empty() ? "" : ", ") + ("rules/" + file.filename().string());
  }
  return "# " + what + " generated from " + names +
         "\n# by tests/deploy/kubernetes_test.cc: do not edit. Edit the rules, then regenerate:\n"
         "#   DRMM_UPDATE_GOLDEN=1 ctest --test-dir build -R KubernetesGenerated\n";
}

std::string Indented(const std::string& text, const std::string& indent) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += (line.empty() ? "" : indent + line) + "\n";
  return out;
}

// The rules files' groups, one after the other, as the spec of one PrometheusRule.
std::string GeneratedPrometheusRule() {
  std::string text = GeneratedHeader("The PrometheusRule datto-rmm,") +
                     "apiVersion: monitoring.coreos.com/v1\n"
                     "kind: PrometheusRule\n"
                     "metadata:\n"
                     "  name: datto-rmm\n"
                     "  labels:\n"
                     "    app.kubernetes.io/name: datto-rmm-exporter\n"
                     "    app.kubernetes.io/component: exporter\n"
                     "spec:\n"
                     "  groups:\n";
  for (const auto& file : RulesFiles()) {
    const std::string rules = ReadText(file);
    const auto groups = rules.find("\ngroups:\n");
    if (groups == std::string::npos) {
      throw std::runtime_error(file.string() + ": no top-level 'groups:' line");
    }
    text +=
        "    # rules/" + file.filename().string() + "\n" + Indented(rules.substr(groups + 9), "  ");
  }
  return text;
}

// The rules files as they are, in the ConfigMap the sidecar's Prometheus loads.
std::string GeneratedRulesConfigMap() {
  std::string text = GeneratedHeader("The ConfigMap datto-rmm-rules,") +
                     "apiVersion: v1\n"
                     "kind: ConfigMap\n"
                     "metadata:\n"
                     "  name: datto-rmm-rules\n"
                     "data:\n";
  for (const auto& file : RulesFiles()) {
    text += "  " + file.filename().string() + ": |\n" + Indented(ReadText(file), "    ");
  }
  return text;
}

void ExpectGenerated(const std::string& relative, const std::string& generated) {
  const fs::path path = RepoPath(relative);
  const char* update = std::getenv("DRMM_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    WriteText(path, generated);
    return;
  }
  EXPECT_EQ(ReadText(path), generated)
      << relative << " is not what rules/*.yml give; regenerate it with\n"
      << "  DRMM_UPDATE_GOLDEN=1 ctest --test-dir build -R KubernetesGenerated";
}

TEST(KubernetesGeneratedTest, PrometheusRuleIsTheRulesFiles) {
  ExpectGenerated("deploy/kubernetes/operator/prometheusrule.yaml", GeneratedPrometheusRule());
}

TEST(KubernetesGeneratedTest, SidecarRulesConfigMapIsTheRulesFiles) {
  ExpectGenerated("deploy/kubernetes/sidecar/rules-configmap.yaml", GeneratedRulesConfigMap());
}

// ---------------------------------------------------------------------------------------------

using Manifests = std::vector<YAML::Node>;

class KubernetesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    error_ = new std::string;
    rendered_ = new std::map<std::string, Manifests>;
    std::string render;
    if (RunCommand("command -v kubectl").status == 0) {
      render = "kubectl kustomize ";
    } else if (RunCommand("command -v kustomize").status == 0) {
      render = "kustomize build ";
    } else {
      *error_ =
          "neither kubectl nor kustomize found: the Kubernetes examples are rendered with "
          "`kubectl kustomize` (scripts/install-deps.sh installs one)";
      return;
    }
    // A copy of deploy/ with placeholder credentials where the secretGenerator reads them.
    const fs::path root =
        fs::temp_directory_path() / ("drmm-kustomize-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
    fs::copy(RepoPath("deploy"), root / "deploy", fs::copy_options::recursive);
    WriteText(root / "deploy/kubernetes/exporter/credentials/api-key", "placeholder-key");
    WriteText(root / "deploy/kubernetes/exporter/credentials/api-secret", "placeholder-secret");
    for (const std::string overlay : {"operator", "kube-prometheus-stack", "sidecar"}) {
      const auto result = RunCommand(render + (root / "deploy/kubernetes" / overlay).string());
      if (result.status != 0) {
        *error_ += render + "deploy/kubernetes/" + overlay + ": " + result.output;
        continue;
      }
      try {
        for (const auto& doc : YAML::LoadAll(result.output)) (*rendered_)[overlay].push_back(doc);
      } catch (const YAML::Exception& e) {
        *error_ += "deploy/kubernetes/" + overlay +
                   " renders YAML that does not parse: " + std::string(e.what());
      }
    }
    fs::remove_all(root);
  }

  static void TearDownTestSuite() {
    delete error_;
    delete rendered_;
  }

  void SetUp() override { ASSERT_EQ(*error_, "") << "rendering failed"; }

  static const Manifests& Rendered(const std::string& overlay) { return rendered_->at(overlay); }
  // For literals: GCC 14's -Wdangling-reference flags a reference bound to the result of a call
  // that took a temporary std::string, though the result points into rendered_.
  static const Manifests& Rendered(const char* overlay) { return rendered_->at(overlay); }

  // The one manifest of `kind` (and `name`, when given); fails the test when there is not one.
  static YAML::Node One(const Manifests& manifests, const std::string& kind,
                        const std::string& name = "") {
    std::vector<YAML::Node> found;
    for (const auto& m : manifests) {
      if (m["kind"].as<std::string>() == kind &&
          (name.empty() || m["metadata"]["name"].as<std::string>() == name)) {
        found.push_back(m);
      }
    }
    EXPECT_EQ(found.size(), 1u) << kind << " " << name;
    return found.empty() ? YAML::Node() : found.front();
  }

  // Generated names carry a content hash: datto-rmm-credentials-7g2k9....
  static std::string NameStartingWith(const Manifests& manifests, const std::string& kind,
                                      const std::string& prefix) {
    for (const auto& m : manifests) {
      const auto name = m["metadata"]["name"].as<std::string>();
      if (m["kind"].as<std::string>() == kind && name.starts_with(prefix + "-")) return name;
    }
    ADD_FAILURE() << "no " << kind << " named " << prefix << "-<hash>";
    return "";
  }

  static YAML::Node Container(const YAML::Node& deployment, const std::string& name) {
    for (const auto& c : deployment["spec"]["template"]["spec"]["containers"]) {
      if (c["name"].as<std::string>() == name) return c;
    }
    ADD_FAILURE() << "no container " << name;
    return YAML::Node();
  }

  static bool LabelsInclude(const YAML::Node& labels, const YAML::Node& subset) {
    if (!subset || subset.size() == 0) return false;  // an empty selector selects everything
    for (const auto& entry : subset) {
      const auto key = entry.first.as<std::string>();
      if (!labels[key] || labels[key].as<std::string>() != entry.second.as<std::string>()) {
        return false;
      }
    }
    return true;
  }

  static inline std::string* error_ = nullptr;
  static inline std::map<std::string, Manifests>* rendered_ = nullptr;
};

TEST_F(KubernetesTest, EveryManifestNamesItsKindAndItself) {
  for (const auto& [overlay, manifests] : *rendered_) {
    EXPECT_FALSE(manifests.empty()) << overlay;
    for (const auto& m : manifests) {
      ASSERT_TRUE(m.IsMap()) << overlay;
      EXPECT_TRUE(m["apiVersion"] && m["kind"] && m["metadata"]["name"])
          << overlay << ": " << YAML::Dump(m).substr(0, 200);
    }
  }
}

TEST_F(KubernetesTest, OperatorBaseIsTheExporterOnItsOwn) {
  std::multiset<std::string> kinds;
  for (const auto& m : Rendered("operator")) kinds.insert(m["kind"].as<std::string>());
  EXPECT_THAT(kinds, ::testing::UnorderedElementsAre("ConfigMap", "Secret", "Deployment", "Service",
                                                     "ServiceMonitor", "PrometheusRule"));
  const auto deployment = One(Rendered("operator"), "Deployment", "datto-rmm-exporter");
  EXPECT_EQ(deployment["spec"]["replicas"].as<int>(), 1) << "each replica polls the account";
  EXPECT_EQ(deployment["spec"]["strategy"]["type"].as<std::string>(), "Recreate");
}

TEST_F(KubernetesTest, ServiceMonitorSelectsTheServiceAndOneOfItsPorts) {
  for (const std::string overlay : {"operator", "kube-prometheus-stack"}) {
    SCOPED_TRACE(overlay);
    const auto monitor = One(Rendered(overlay), "ServiceMonitor");
    const auto service = One(Rendered(overlay), "Service", "datto-rmm-exporter");
    EXPECT_TRUE(
        LabelsInclude(service["metadata"]["labels"], monitor["spec"]["selector"]["matchLabels"]))
        << "the ServiceMonitor selects labels the Service lacks";
    std::vector<std::string> ports;
    for (const auto& p : service["spec"]["ports"]) ports.push_back(p["name"].as<std::string>());
    ASSERT_EQ(monitor["spec"]["endpoints"].size(), 1u);
    const auto endpoint = monitor["spec"]["endpoints"][0];
    EXPECT_THAT(ports, ::testing::Contains(endpoint["port"].as<std::string>()));
    EXPECT_EQ(endpoint["path"].as<std::string>(), "/metrics");
    // job="datto-rmm", what the alert rules' job matcher and every other example use.
    ASSERT_EQ(endpoint["relabelings"].size(), 1u);
    EXPECT_EQ(endpoint["relabelings"][0]["targetLabel"].as<std::string>(), "job");
    EXPECT_EQ(endpoint["relabelings"][0]["replacement"].as<std::string>(), "datto-rmm");
  }
}

TEST_F(KubernetesTest, ServiceSelectsTheDeploymentsPodsOnANamedContainerPort) {
  const auto& manifests = Rendered("operator");
  const auto service = One(manifests, "Service", "datto-rmm-exporter");
  const auto deployment = One(manifests, "Deployment", "datto-rmm-exporter");
  const auto pod_labels = deployment["spec"]["template"]["metadata"]["labels"];
  EXPECT_TRUE(LabelsInclude(pod_labels, service["spec"]["selector"]));
  EXPECT_TRUE(LabelsInclude(pod_labels, deployment["spec"]["selector"]["matchLabels"]));
  const auto container = Container(deployment, "exporter");
  std::vector<std::string> container_ports;
  for (const auto& p : container["ports"]) container_ports.push_back(p["name"].as<std::string>());
  for (const auto& p : service["spec"]["ports"]) {
    EXPECT_THAT(container_ports, ::testing::Contains(p["targetPort"].as<std::string>()));
  }
}

TEST_F(KubernetesTest, ExporterIsLockedDownWithProbesAndResources) {
  for (const std::string overlay : {"operator", "sidecar"}) {
    SCOPED_TRACE(overlay);
    const auto deployment = One(Rendered(overlay), "Deployment",
                                overlay == "sidecar" ? "prometheus" : "datto-rmm-exporter");
    const auto pod = deployment["spec"]["template"]["spec"];
    EXPECT_FALSE(pod["automountServiceAccountToken"].as<bool>());
    EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>());
    EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"].as<std::string>(), "RuntimeDefault");
    const auto container =
        Container(deployment, overlay == "sidecar" ? "datto-rmm-exporter" : "exporter");
    const auto security = container["securityContext"];
    EXPECT_FALSE(security["allowPrivilegeEscalation"].as<bool>());
    EXPECT_TRUE(security["readOnlyRootFilesystem"].as<bool>());
    EXPECT_EQ(security["capabilities"]["drop"][0].as<std::string>(), "ALL");
    for (const char* probe : {"startupProbe", "livenessProbe", "readinessProbe"}) {
      ASSERT_TRUE(container[probe]) << probe;
      EXPECT_THAT(container[probe]["httpGet"]["path"].as<std::string>(),
                  ::testing::AnyOf("/-/healthy", "/-/ready"))
          << probe;
    }
    if (overlay == "operator") {
      // On its own, readiness is the exporter's own: polled once. (A sidecar's readiness is
      // the whole Prometheus pod's, so there it is /-/healthy.)
      EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/-/ready");
    }
    EXPECT_EQ(container["resources"]["requests"]["cpu"].as<std::string>(), "50m");
    EXPECT_EQ(container["resources"]["requests"]["memory"].as<std::string>(), "64Mi");
    EXPECT_EQ(container["resources"]["limits"]["memory"].as<std::string>(), "256Mi");
    EXPECT_EQ(container["image"].as<std::string>(),
              std::string("datto-rmm-exporter:") + DRMM_VERSION)
        << "the image tag is the project version";
  }
}

TEST_F(KubernetesTest, MountsTheGeneratedConfigMapAndSecret) {
  for (const std::string overlay : {"operator", "sidecar"}) {
    SCOPED_TRACE(overlay);
    const auto& manifests = Rendered(overlay);
    const auto config = NameStartingWith(manifests, "ConfigMap", "datto-rmm-exporter-config");
    const auto secret = NameStartingWith(manifests, "Secret", "datto-rmm-credentials");
    const auto deployment =
        One(manifests, "Deployment", overlay == "sidecar" ? "prometheus" : "datto-rmm-exporter");
    std::vector<std::string> mounted;
    for (const auto& v : deployment["spec"]["template"]["spec"]["volumes"]) {
      if (v["configMap"]) mounted.push_back(v["configMap"]["name"].as<std::string>());
      if (v["secret"]) mounted.push_back(v["secret"]["secretName"].as<std::string>());
    }
    EXPECT_THAT(mounted, ::testing::IsSupersetOf({config, secret}));
    // The exporter configuration names the files where the Secret is mounted.
    const auto configuration =
        YAML::Load(One(manifests, "ConfigMap", config)["data"]["config.yaml"].as<std::string>());
    EXPECT_EQ(configuration["accounts"][0]["api_key_file"].as<std::string>(),
              "/run/secrets/datto-rmm/api-key");
    const auto secret_data = One(manifests, "Secret", secret)["data"];
    EXPECT_TRUE(secret_data["api-key"] && secret_data["api-secret"]);
  }
}

TEST_F(KubernetesTest, PrometheusRuleHoldsEveryRulesFileGroup) {
  YAML::Node expected(YAML::NodeType::Sequence);
  for (const auto& file : RulesFiles()) {
    for (const auto& group : YAML::LoadFile(file.string())["groups"]) expected.push_back(group);
  }
  ASSERT_GT(expected.size(), 0u);
  for (const std::string overlay : {"operator", "kube-prometheus-stack"}) {
    const auto rule = One(Rendered(overlay), "PrometheusRule", "datto-rmm");
    std::string where;
    EXPECT_TRUE(YamlEqual(rule["spec"]["groups"], expected, where))
        << overlay << ": the PrometheusRule differs from rules/*.yml at " << where;
  }
}

TEST_F(KubernetesTest, KubePrometheusStackLabelsWhatItsPrometheusSelects) {
  for (const auto& m : Rendered("kube-prometheus-stack")) {
    EXPECT_EQ(m["metadata"]["namespace"].as<std::string>(""), "monitoring")
        << m["kind"] << " " << m["metadata"]["name"];
    const auto kind = m["kind"].as<std::string>();
    if (kind == "ServiceMonitor" || kind == "PrometheusRule") {
      EXPECT_EQ(m["metadata"]["labels"]["release"].as<std::string>(""), "kube-prometheus-stack")
          << kind;
    }
  }
}

TEST_F(KubernetesTest, SidecarPrometheusScrapesTheSidecarAndAlertsTheAlertmanager) {
  const auto& manifests = Rendered("sidecar");
  const auto prometheus_config = YAML::Load(
      One(manifests, "ConfigMap",
          NameStartingWith(manifests, "ConfigMap", "prometheus-config"))["data"]["prometheus.yml"]
          .as<std::string>());
  bool scrapes_sidecar = false;
  for (const auto& job : prometheus_config["scrape_configs"]) {
    if (job["job_name"].as<std::string>() == "datto-rmm") {
      scrapes_sidecar =
          job["static_configs"][0]["targets"][0].as<std::string>() == "localhost:9768";
    }
  }
  EXPECT_TRUE(scrapes_sidecar) << "no job datto-rmm scraping localhost:9768";
  const auto target =
      prometheus_config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"][0]
          .as<std::string>("");
  const auto service = One(manifests, "Service", "alertmanager");
  EXPECT_EQ(target, service["metadata"]["name"].as<std::string>() + ":" +
                        service["spec"]["ports"][0]["port"].as<std::string>());
  const auto alertmanager = One(manifests, "Deployment", "alertmanager");
  EXPECT_TRUE(LabelsInclude(alertmanager["spec"]["template"]["metadata"]["labels"],
                            service["spec"]["selector"]));
}

TEST_F(KubernetesTest, SidecarLoadsTheRepositorysRulesAndAlertmanagerConfig) {
  const auto& manifests = Rendered("sidecar");
  const auto rules = One(manifests, "ConfigMap", "datto-rmm-rules")["data"];
  for (const auto& file : RulesFiles()) {
    EXPECT_EQ(rules[file.filename().string()].as<std::string>(""), ReadText(file))
        << file.filename();
  }
  EXPECT_EQ(rules.size(), RulesFiles().size());
  const auto alertmanager_config =
      One(manifests, "ConfigMap", NameStartingWith(manifests, "ConfigMap", "alertmanager-config"));
  EXPECT_EQ(alertmanager_config["data"]["alertmanager.yml"].as<std::string>(""),
            ReadText(RepoPath("deploy/alertmanager/alertmanager.yml")));
  std::vector<std::string> mounted;
  for (const auto& v :
       One(manifests, "Deployment", "alertmanager")["spec"]["template"]["spec"]["volumes"]) {
    if (v["configMap"]) mounted.push_back(v["configMap"]["name"].as<std::string>());
  }
  EXPECT_THAT(mounted,
              ::testing::Contains(alertmanager_config["metadata"]["name"].as<std::string>()));
}

}  // namespace
}  // namespace drmm::testing
