#include "exporter/poll/poller.h"

#include <algorithm>
#include <utility>

#include "common/build_info.h"
#include "common/log.h"
#include "exporter/collect/devices_fold.h"

namespace drmm {
namespace {

// The same Datto account and API user: what the rate budget and the collected data belong to.
bool SameAccount(const AccountConfig& a, const AccountConfig& b) {
  return a.name == b.name && a.base_url == b.base_url && a.api_key == b.api_key;
}

// What the transport and the client (with its token) are built from.
bool SameConnection(const AccountConfig& a, const AccountConfig& b) {
  return a.api_secret == b.api_secret && a.ca_file == b.ca_file &&
         a.connect_timeout == b.connect_timeout && a.read_timeout == b.read_timeout &&
         a.request_timeout == b.request_timeout && a.walk_timeout == b.walk_timeout &&
         a.max_staleness == b.max_staleness && a.max_response_bytes == b.max_response_bytes &&
         a.pages_in_flight == b.pages_in_flight &&
         a.rate_limit.auth_failure_backoff == b.rate_limit.auth_failure_backoff &&
         DecodeOptionsFor(a.device_metrics).device_udfs ==
             DecodeOptionsFor(b.device_metrics).device_udfs;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ",") + name;
  return out;
}

}  // namespace

std::unique_ptr<datto::HttpTransport> Poller::DefaultTransport(const AccountConfig& account) {
  datto::TransportOptions options;
  options.connect_timeout = account.connect_timeout;
  options.read_timeout = account.read_timeout;
  options.request_deadline = account.request_timeout;
  options.max_response_bytes = account.max_response_bytes;
  options.ca_file = account.ca_file;
  options.user_agent = std::string("datto-rmm-exporter/") + kBuildVersion;
  return datto::MakeHttplibTransport(options);
}

Poller::Poller(const Config& config, ObserverFor observer_for, Clock& clock,
               TransportFactory make_transport, PollerTuning tuning)
    : observer_for_(std::move(observer_for)),
      clock_(clock),
      make_transport_(std::move(make_transport)),
      tuning_(tuning) {
  for (const auto& account : config.accounts) accounts_.push_back(MakeRuntime(account, nullptr));
}

Poller::~Poller() { Stop(); }

std::shared_ptr<AccountRuntime> Poller::MakeRuntime(const AccountConfig& config,
                                                    const AccountRuntime* kept) const {
  auto runtime = std::make_shared<AccountRuntime>();
  runtime->config = config;
  if (kept != nullptr) {
    runtime->budget = kept->budget;
    runtime->budget->Reconfigure(config.rate_limit);
    if (SameConnection(kept->config, config)) {
      runtime->transport = kept->transport;
      runtime->client = kept->client;
    }
  } else {
    runtime->budget = std::make_shared<AccountBudget>(config.name, config.rate_limit, clock_);
  }
  if (!runtime->client) {
    runtime->transport = make_transport_(config);
    datto::ClientOptions options;
    options.base_url = config.base_url;
    options.api_key = config.api_key;
    options.api_secret = config.api_secret;
    options.retry = tuning_.retry;
    options.pages_in_flight = config.pages_in_flight;
    options.walk_timeout = config.walk_timeout.value_or(config.max_staleness);
    options.credentials_backoff =
        std::chrono::ceil<std::chrono::seconds>(config.rate_limit.auth_failure_backoff);
    options.decode = DecodeOptionsFor(config.device_metrics);
    runtime->client = std::make_shared<datto::DattoClient>(
        options, *runtime->transport, runtime->budget->gate(), observer_for_(config.name), clock_);
  }
  runtime->poller =
      std::make_unique<AccountPoller>(config, *runtime->client, *runtime->budget, clock_);
  std::function<void(const std::string&)> on_change;
  {
    std::lock_guard lock(mutex_);
    on_change = on_change_;
  }
  if (on_change) {
    runtime->poller->SetOnChange([on_change, name = config.name] { on_change(name); });
  }
  return runtime;
}

void Poller::SetOnChange(std::function<void(const std::string& account)> on_change) {
  std::lock_guard lock(mutex_);
  on_change_ = std::move(on_change);
  for (auto& account : accounts_) {
    account->poller->SetOnChange(
        [on_change = on_change_, name = account->config.name] { on_change(name); });
  }
}

void Poller::Start() {
  std::lock_guard lock(mutex_);
  started_ = true;
  for (auto& account : accounts_) account->poller->Start();
}

// Not const, though it changes no member: stopping every account's poller is a change of state.
void Poller::Stop() {  // NOLINT(readability-make-member-function-const)
  const auto accounts = this->accounts();
  // Stop in parallel: request everywhere first, then wait.
  for (const auto& account : accounts) account->poller->RequestStop();
  for (const auto& account : accounts) account->poller->Join();
}

Poller::Changes Poller::Apply(const Config& config) {
  Changes changes;
  const auto before = accounts();
  std::vector<std::shared_ptr<AccountRuntime>> after;
  std::vector<std::shared_ptr<AccountRuntime>> retired;
  for (const auto& account : config.accounts) {
    const auto old = std::find_if(before.begin(), before.end(), [&](const auto& runtime) {
      return runtime->config.name == account.name;
    });
    if (old == before.end()) {
      after.push_back(MakeRuntime(account, nullptr));
      changes.added.push_back(account.name);
      continue;
    }
    if ((*old)->config == account) {
      after.push_back(*old);  // untouched: keeps running
      continue;
    }
    // The old poller stops before its state is handed over, so nothing changes it meanwhile.
    (*old)->poller->Stop();
    retired.push_back(*old);
    if (SameAccount((*old)->config, account)) {
      auto runtime = MakeRuntime(account, old->get());
      runtime->poller->TakeOver(*(*old)->poller->Handover());
      after.push_back(std::move(runtime));
      changes.changed.push_back(account.name);
    } else {
      after.push_back(MakeRuntime(account, nullptr));
      changes.replaced.push_back(account.name);
    }
  }
  for (const auto& runtime : before) {
    const bool kept = std::any_of(after.begin(), after.end(), [&](const auto& a) {
      return a->config.name == runtime->config.name;
    });
    if (kept) continue;
    runtime->poller->RequestStop();
    retired.push_back(runtime);
    changes.removed.push_back(runtime->config.name);
  }
  bool started = false;
  {
    std::lock_guard lock(mutex_);
    accounts_ = after;
    started = started_;
  }
  if (started) {
    for (const auto& runtime : after) {
      const bool fresh = std::none_of(before.begin(), before.end(),
                                      [&](const auto& b) { return b.get() == runtime.get(); });
      if (fresh) runtime->poller->Start();
    }
  }
  for (const auto& runtime : retired) runtime->poller->Join();
  LogInfo("accounts reloaded", {{"added", Join(changes.added)},
                                {"removed", Join(changes.removed)},
                                {"changed", Join(changes.changed)},
                                {"replaced", Join(changes.replaced)}});
  return changes;
}

std::vector<std::shared_ptr<AccountRuntime>> Poller::accounts() const {
  std::lock_guard lock(mutex_);
  return accounts_;
}

std::shared_ptr<const Snapshot> Poller::Current() const {
  auto snapshot = std::make_shared<Snapshot>();
  for (const auto& account : accounts()) snapshot->accounts.push_back(account->poller->Current());
  return snapshot;
}

std::vector<std::string> Poller::NotReady() const {
  std::vector<std::string> waiting;
  for (const auto& account : accounts()) {
    const auto collectors = account->poller->CollectorsNotReady();
    if (collectors.empty()) continue;
    std::string entry = account->config.name + ":";
    for (std::size_t i = 0; i < collectors.size(); ++i) {
      entry += (i == 0 ? " " : ", ") + collectors[i];
    }
    waiting.push_back(std::move(entry));
  }
  return waiting;
}

}  // namespace drmm
