// The exporter's web side as an operator runs it, with the programs as processes: a real
// Prometheus scrapes it over TLS with basic auth and gets the data (and gets 401 with a wrong
// password), scrapes a second exporter that requires client certificates (with one, and
// without), --healthcheck passes through TLS, basic auth and client certificates, /-/reload
// needs both the credentials and --web.enable-lifecycle, SIGHUP reloads (a bad config is logged,
// counted in datto_rmm_config_last_reload_successful and leaves the running one in place),
// SIGUSR1 is logged and ignored, --web.systemd-socket serves on the socket it is handed, and
// SIGTERM ends it within 2 s with slow and idle clients connected.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "command.h"
#include "fill_template.h"
#include "http.h"
#include "launch.h"
#include "loopback_client.h"
#include "poll_until.h"
#include "programs.h"
#include "prometheus_api.h"
#include "shared_environment.h"
#include "subprocess.h"
#include "temp_dir.h"
#include "test_pki.h"

namespace drmm::e2e {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

// bcrypt (cost 4) of kPassword; a second user is added by a reload.
constexpr const char* kPassword = "s3cret-pass";
constexpr const char* kPasswordHash =
    "$2b$04$iE1X9F/yW3HjD79zPrENYeh9ByEtkE5/nR4oH.un8eJcYMsLeP3CW";
constexpr const char* kBobHash = "$2b$04$W606ptVQUmV3LUH5IxkSoOK0p9SHkV7hYvzb89JGPE5g6h.Dm1UA2";

constexpr const char* kExporterConfig = R"(accounts:
  - name: e2e
    api_url: ${url}
    api_key: demo-key
    api_secret: demo-secret
    collectors:
      alerts: {interval: 10s}
      devices: {interval: 10s}
      sites: {interval: 10s}
      rate_status: {interval: 10s}
)";

constexpr const char* kAuthWebConfig = R"(tls_server_config:
  cert_file: ${cert}
  key_file: ${key}
http_server_config:
  headers:
    X-Content-Type-Options: nosniff
basic_auth_users:
  prometheus: ${hash}
)";

constexpr const char* kMtlsWebConfig = R"(tls_server_config:
  cert_file: ${cert}
  key_file: ${key}
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ${ca}
  min_version: TLS13
)";

constexpr const char* kPrometheusConfig = R"(global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: tls-auth
    scheme: https
    tls_config: {ca_file: ${ca}, server_name: localhost}
    basic_auth: {username: prometheus, password: ${password}}
    static_configs: [{targets: ['127.0.0.1:${auth_port}']}]
  - job_name: tls-wrong-password
    scheme: https
    tls_config: {ca_file: ${ca}, server_name: localhost}
    basic_auth: {username: prometheus, password: wrong}
    static_configs: [{targets: ['127.0.0.1:${auth_port}']}]
  - job_name: mtls
    scheme: https
    tls_config: {ca_file: ${ca}, server_name: localhost, cert_file: ${client_cert},
                 key_file: ${client_key}}
    static_configs: [{targets: ['127.0.0.1:${mtls_port}']}]
  - job_name: mtls-without-certificate
    scheme: https
    tls_config: {ca_file: ${ca}, server_name: localhost}
    static_configs: [{targets: ['127.0.0.1:${mtls_port}']}]
)";

struct WebSecurityEnvironment {
  TempDir dir{"drmm-e2e-web-security"};
  testing::TestPki pki;
  StartedProcess sim;
  StartedProcess auth_exporter;  // TLS + basic auth + --web.enable-lifecycle
  StartedProcess mtls_exporter;  // TLS 1.3 + client certificates
  StartedProcess prometheus;
  std::filesystem::path config;
  std::filesystem::path auth_web_config;
  std::filesystem::path mtls_web_config;
};

class WebSecurity : public SharedEnvironmentTest<WebSecurity, WebSecurityEnvironment> {
 protected:
  friend class SharedEnvironmentTest<WebSecurity, WebSecurityEnvironment>;

  static std::vector<StartedProcess*> ProjectPrograms(WebSecurityEnvironment& env) {
    return {&env.auth_exporter, &env.mtls_exporter, &env.sim};
  }
  static std::vector<StartedProcess*> Programs(WebSecurityEnvironment& env) {
    return {&env.auth_exporter, &env.mtls_exporter, &env.sim, &env.prometheus};
  }

  static void Start(WebSecurityEnvironment& env) {
    env.pki = testing::MakeTestPki(env.dir.path());
    env.sim = StartSimulator(env.dir.path(), "sim",
                             {"--sites=4", "--devices=40", "--alerts=5", "--churn-per-minute=0"});
    env.config = env.dir.path() / "config.yaml";
    WriteFile(env.config, FillTemplate(kExporterConfig, {{"url", env.sim.url()}}));
    env.auth_web_config = env.dir.path() / "web-auth.yml";
    WriteFile(env.auth_web_config, FillTemplate(kAuthWebConfig, {{"cert", env.pki.server_cert},
                                                                 {"key", env.pki.server_key},
                                                                 {"hash", kPasswordHash}}));
    env.mtls_web_config = env.dir.path() / "web-mtls.yml";
    WriteFile(env.mtls_web_config, FillTemplate(kMtlsWebConfig, {{"cert", env.pki.server_cert},
                                                                 {"key", env.pki.server_key},
                                                                 {"ca", env.pki.ca_cert}}));
    env.auth_exporter = StartExporter(
        env.dir.path(), "exporter-auth", env.config,
        {"--web.config.file=" + env.auth_web_config.string(), "--web.enable-lifecycle"});
    env.mtls_exporter = StartExporter(env.dir.path(), "exporter-mtls", env.config,
                                      {"--web.config.file=" + env.mtls_web_config.string()});
    const auto prometheus_config = env.dir.path() / "prometheus.yml";
    WriteFile(
        prometheus_config,
        FillTemplate(kPrometheusConfig, {{"ca", env.pki.ca_cert},
                                         {"password", kPassword},
                                         {"client_cert", env.pki.client_cert},
                                         {"client_key", env.pki.client_key},
                                         {"auth_port", std::to_string(env.auth_exporter.port)},
                                         {"mtls_port", std::to_string(env.mtls_exporter.port)}}));
    env.prometheus = StartPrometheus(env.dir.path(), "prometheus", prometheus_config);
  }

  // curl over TLS to the exporter on `port`: {exit code, HTTP status, body}.
  struct Curled {
    int exit_code = -1;
    std::string status;
    std::string body;
  };
  static Curled Curl(int port, const std::string& path, std::vector<std::string> extra) {
    const auto body_file = env().dir.path() / "curl-body";
    std::vector<std::string> argv = {
        "curl",     "--silent",         "--max-time",  "5",           "--cacert", env().pki.ca_cert,
        "--output", body_file.string(), "--write-out", "%{http_code}"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("https://localhost:" + std::to_string(port) + path);
    std::filesystem::remove(body_file);
    const auto result = testing::RunCommand(argv, 10s);
    Curled curled{result.exit_code.value_or(-1), result.out, ""};
    std::ifstream in(body_file);
    curled.body.assign(std::istreambuf_iterator<char>(in), {});
    return curled;
  }
  static std::vector<std::string> Prometheus() {
    return {"--user", std::string("prometheus:") + kPassword};
  }

  // The value of `expr` once Prometheus has it, polled up to `timeout`.
  static std::optional<double> WaitForValue(const std::string& expr,
                                            std::chrono::milliseconds timeout = 30s) {
    const PrometheusApi api(env().prometheus.port);
    std::optional<double> value;
    PollUntil(
        [&] {
          const auto result = api.Query(expr);
          if (result.ok && !result.samples.empty()) value = result.samples.front().value;
          return value.has_value();
        },
        timeout, 250ms);
    return value;
  }

  static std::optional<double> SampleOf(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return std::nullopt;
    return std::stod(text.substr(at + series.size() + 2));
  }
};

TEST_F(WebSecurity, PrometheusScrapesOverTlsWithBasicAuthAndGetsTheData) {
  EXPECT_EQ(WaitForValue("up{job=\"tls-auth\"} == 1"), 1);
  EXPECT_EQ(WaitForValue("datto_rmm_up{job=\"tls-auth\",account=\"e2e\"} == 1"), 1)
      << "the exporter's data did not reach Prometheus";
  EXPECT_GT(WaitForValue("datto_rmm_site_devices{job=\"tls-auth\"}").value_or(-1), -1);
  // The handler counts its own scrapes under promhttp's names.
  EXPECT_GT(
      WaitForValue("promhttp_metric_handler_requests_total{job=\"tls-auth\",code=\"200\"} > 1")
          .value_or(0),
      1);
}

TEST_F(WebSecurity, AWrongPasswordOrAMissingClientCertificateGetsNothing) {
  EXPECT_EQ(WaitForValue("up{job=\"tls-wrong-password\"} == 0"), 0);
  EXPECT_EQ(WaitForValue("up{job=\"mtls-without-certificate\"} == 0"), 0);
  const auto targets = PrometheusApi(env().prometheus.port).GetData("/api/v1/targets");
  ASSERT_TRUE(targets.has_value());
  std::map<std::string, std::string> errors;
  for (const auto& target : targets->value("activeTargets", nlohmann::json::array())) {
    errors[target["labels"].value("job", "")] = target.value("lastError", "");
  }
  EXPECT_THAT(errors["tls-wrong-password"], HasSubstr("401"));
  EXPECT_THAT(errors["mtls-without-certificate"], HasSubstr("certificate required"));
  EXPECT_EQ(errors["tls-auth"], "");
  EXPECT_EQ(errors["mtls"], "");
}

TEST_F(WebSecurity, PrometheusScrapesWithAClientCertificate) {
  EXPECT_EQ(WaitForValue("up{job=\"mtls\"} == 1"), 1);
  EXPECT_EQ(WaitForValue("datto_rmm_up{job=\"mtls\",account=\"e2e\"} == 1"), 1);
}

TEST_F(WebSecurity, CurlSeesTheSameRules) {
  const int port = env().auth_exporter.port;
  EXPECT_EQ(Curl(port, "/metrics", {}).status, "401");
  EXPECT_EQ(Curl(port, "/metrics", {"--user", "prometheus:wrong"}).status, "401");
  const auto right = Curl(port, "/metrics", Prometheus());
  EXPECT_EQ(right.status, "200");
  EXPECT_THAT(right.body, HasSubstr("# TYPE datto_rmm_up gauge"));
  const auto mtls = Curl(env().mtls_exporter.port, "/metrics",
                         {"--cert", env().pki.client_cert, "--key", env().pki.client_key});
  EXPECT_EQ(mtls.status, "200");
  const auto rogue =
      Curl(env().mtls_exporter.port, "/metrics",
           {"--cert", env().pki.rogue_client_cert, "--key", env().pki.rogue_client_key});
  EXPECT_NE(rogue.exit_code, 0);
  EXPECT_EQ(rogue.status, "000");
}

TEST_F(WebSecurity, HealthcheckPassesThroughTlsBasicAuthAndClientCertificates) {
  for (const auto& [exporter, web_config] :
       {std::pair{&env().auth_exporter, env().auth_web_config},
        std::pair{&env().mtls_exporter, env().mtls_web_config}}) {
    SubprocessOptions options;
    options.argv = {ExporterBinary().string(), "--healthcheck",
                    "--web.listen-address=127.0.0.1:" + std::to_string(exporter->port),
                    "--web.config.file=" + web_config.string()};
    options.log_dir = env().dir.path();
    options.name = "healthcheck";
    const RunResult run = RunProgram(options, 10s);
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_EQ(run.out.rfind("healthy: ", 0), 0u) << run.out;
  }
}

TEST_F(WebSecurity, ReloadOverHttpNeedsCredentialsAndTheLifecycleFlag) {
  EXPECT_EQ(Curl(env().auth_exporter.port, "/-/reload", {"-X", "POST"}).status, "401");
  const auto reloaded = Curl(env().auth_exporter.port, "/-/reload", [] {
    auto args = Prometheus();
    args.insert(args.end(), {"-X", "POST"});
    return args;
  }());
  EXPECT_EQ(reloaded.status, "200") << reloaded.body;
  EXPECT_TRUE(env().auth_exporter.process->WaitForStderr(
      {"msg=\"configuration reloaded\" trigger=\"POST /-/reload\""}, 10s));
  const auto disabled =
      Curl(env().mtls_exporter.port, "/-/reload",
           {"-X", "POST", "--cert", env().pki.client_cert, "--key", env().pki.client_key});
  EXPECT_EQ(disabled.status, "403");
  EXPECT_EQ(disabled.body, "Lifecycle API is not enabled.\n");
}

// Last: it rewrites the auth exporter's files.
TEST_F(WebSecurity, SighupReloadsAndABadConfigIsLoggedCountedAndLeftOut) {
  auto& exporter = env().auth_exporter;
  const auto reload_metrics = [&] {
    const std::string text = Curl(exporter.port, "/metrics", Prometheus()).body;
    return std::pair{SampleOf(text, "datto_rmm_config_last_reload_successful"),
                     SampleOf(text, "datto_rmm_config_last_reload_success_timestamp_seconds")};
  };
  const auto [ok_before, started_at] = reload_metrics();
  EXPECT_EQ(ok_before, 1);
  ASSERT_TRUE(started_at.has_value());

  // A second user, by SIGHUP.
  const std::string web = ReadFile(env().auth_web_config);
  WriteFile(env().auth_web_config, web + "  bob: " + kBobHash + "\n");
  exporter.process->Signal(SIGHUP);
  ASSERT_TRUE(exporter.process->WaitForStderr({"trigger=SIGHUP"}, 10s));
  EXPECT_EQ(Curl(exporter.port, "/metrics", {"--user", "bob:other"}).status, "200");
  EXPECT_EQ(reload_metrics().first, 1);

  // A broken config: logged and counted, and the running one serves on.
  const std::string config = ReadFile(env().config);
  WriteFile(env().config, config + "    plattform: merlot\n");
  exporter.process->Signal(SIGHUP);
  ASSERT_TRUE(exporter.process->WaitForStderr(
      {"msg=\"reloading the configuration failed; the running configuration stays\"",
       "accounts[0].plattform: unknown key"},
      10s))
      << exporter.process->StderrTail();
  const auto [ok_after_failure, time_after_failure] = reload_metrics();
  EXPECT_EQ(ok_after_failure, 0);
  EXPECT_GE(time_after_failure, started_at) << "a failed reload moved the success time";
  EXPECT_EQ(WaitForValue("datto_rmm_up{job=\"tls-auth\",account=\"e2e\"} == 1"), 1);

  // SIGUSR1 means nothing here: logged, ignored.
  exporter.process->Signal(SIGUSR1);
  ASSERT_TRUE(exporter.process->WaitForStderr({"msg=\"ignoring a signal\" signal=SIGUSR1"}, 10s));
  EXPECT_TRUE(exporter.process->Running());

  // Fixed again.
  WriteFile(env().config, config);
  exporter.process->Signal(SIGHUP);
  EXPECT_TRUE(PollUntil([&] { return reload_metrics().first == 1; }, 10s, 100ms));
  EXPECT_GT(reload_metrics().second, started_at);
}

// ---- Exporters of their own ----------------------------------------------------------------

std::string MinimalConfig(const std::filesystem::path& dir) {
  // An API nobody answers: the web side is what these tests look at.
  const auto config = dir / "config.yaml";
  WriteFile(config, R"(accounts:
  - name: quiet
    api_url: http://127.0.0.1:9
    api_key: demo-key
    api_secret: demo-secret
)");
  return config.string();
}

TEST(WebConfigCheck, ConfigCheckChecksTheWebConfigToo) {
  TempDir dir("drmm-e2e-web-check");
  const std::string config = MinimalConfig(dir.path());
  const auto good = dir.path() / "web.yml";
  WriteFile(good, std::string("basic_auth_users:\n  prometheus: ") + kPasswordHash + "\n");
  const auto bad = dir.path() / "bad-web.yml";
  WriteFile(bad, "basic_auth_users:\n  prometheus: s3cret-pass\n");
  const auto check = [&](const std::filesystem::path& web) {
    SubprocessOptions options;
    options.argv = {ExporterBinary().string(), "--config.file=" + config,
                    "--web.config.file=" + web.string(), "--config.check"};
    options.log_dir = dir.path();
    options.name = "check";
    return RunProgram(options, 10s);
  };
  const RunResult valid = check(good);
  EXPECT_EQ(valid.exit_code, 0) << valid.err;
  EXPECT_THAT(valid.out,
              HasSubstr(good.string() + ": valid web config (TLS off, basic auth 1 user)\n"));
  const RunResult invalid = check(bad);
  EXPECT_EQ(invalid.exit_code, 2);
  EXPECT_THAT(invalid.err, HasSubstr(bad.string() + ":2: basic_auth_users.prometheus: not a "
                                                    "bcrypt hash"));
  EXPECT_THAT(invalid.err, Not(HasSubstr("s3cret-pass"))) << "a password in the message";
}

TEST(WebSystemdSocket, ServesOnTheSocketSystemdHandsOver) {
  TempDir dir("drmm-e2e-systemd");
  const std::string config = MinimalConfig(dir.path());
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(listener, 16), 0);
  socklen_t length = sizeof(address);
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);
  const std::string stderr_path = (dir.path() / "exporter.stderr").string();
  const std::string binary = ExporterBinary().string();
  // What systemd does for a .socket unit: the socket as descriptor 3, and LISTEN_PID and
  // LISTEN_FDS naming it.
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(listener, 3);
    const int log = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(log, 2);
    setenv("LISTEN_FDS", "1", 1);
    setenv("LISTEN_PID", std::to_string(getpid()).c_str(), 1);
    const std::string config_flag = "--config.file=" + config;
    execl(binary.c_str(), binary.c_str(), config_flag.c_str(), "--web.systemd-socket", nullptr);
    _exit(127);
  }
  close(listener);
  ASSERT_GT(pid, 0);
  const bool served = PollUntil([&] { return HttpGet(port, "/-/healthy").status == 200; }, 20s);
  kill(pid, SIGTERM);
  int status = 0;
  const bool exited = PollUntil([&] { return waitpid(pid, &status, WNOHANG) == pid; }, 5s, 20ms);
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  EXPECT_TRUE(served) << ReadFile(stderr_path);
  EXPECT_TRUE(exited && WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadFile(stderr_path);
  EXPECT_THAT(ReadFile(stderr_path), HasSubstr("listening=127.0.0.1:" + std::to_string(port)));
}

TEST(WebShutdown, SigtermEndsItWithinTwoSecondsWithSlowAndIdleClientsConnected) {
  TempDir dir("drmm-e2e-web-shutdown");
  StartedProcess exporter = StartExporter(dir.path(), "exporter", MinimalConfig(dir.path()));
  std::vector<testing::LoopbackSocket> clients;
  for (int i = 0; i < 108; ++i) {
    auto sock = testing::LoopbackSocket::Connect(exporter.port, 1s);
    ASSERT_TRUE(sock);
    // Eight drip a request that never ends; the rest say nothing.
    if (i < 8) sock->SendAll("GET /metrics HTTP/1.1\r\nX-Slow: a", testing::After(1s));
    clients.push_back(std::move(*sock));
  }
  ASSERT_EQ(HttpGet(exporter.port, "/-/healthy").status, 200);
  const auto signalled = std::chrono::steady_clock::now();
  exporter.process->Signal(SIGTERM);
  const auto exit_code = exporter.process->WaitForExit(2s);
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 2s);
  EXPECT_EQ(exit_code, 0) << exporter.process->StderrTail();
  EXPECT_THAT(exporter.process->Stderr(), HasSubstr("msg=stopped"));
}

}  // namespace
}  // namespace drmm::e2e
