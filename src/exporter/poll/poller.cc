#include "exporter/poll/poller.h"

#include <stdexcept>
#include <variant>

#include "common/build_info.h"
#include "exporter/collect/site_filter.h"

namespace drmm {

std::unique_ptr<datto::HttpTransport> Poller::DefaultTransport(const AccountConfig& account) {
  datto::TransportOptions options;
  options.connect_timeout = account.connect_timeout;
  options.read_timeout = account.read_timeout;
  options.ca_file = account.ca_file;
  options.user_agent = std::string("datto-rmm-exporter/") + kBuildVersion;
  return datto::MakeHttplibTransport(options);
}

Poller::Poller(const Config& config, const ObserverFor& observer_for, Clock& clock,
               const TransportFactory& make_transport, const PollerTuning& tuning) {
  for (const auto& account : config.accounts) {
    auto filter = SiteFilter::Create(account.site_filter);
    if (auto* error = std::get_if<std::string>(&filter)) {
      throw std::invalid_argument("account " + account.name + ": " + *error);
    }
    auto shared_filter =
        std::make_shared<const SiteFilter>(std::move(std::get<SiteFilter>(filter)));
    transports_.push_back(make_transport(account));
    accounts_.push_back(std::make_unique<AccountPoller>(account, std::move(shared_filter),
                                                        *transports_.back(),
                                                        observer_for(account.name), clock, tuning));
  }
}

Poller::~Poller() { Stop(); }

void Poller::Start() {
  for (auto& account : accounts_) account->Start();
}

void Poller::Stop() {
  for (auto& account : accounts_) account->RequestStop();
  for (auto& account : accounts_) account->Join();
}

std::shared_ptr<const Snapshot> Poller::Current() const {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->accounts.reserve(accounts_.size());
  for (const auto& account : accounts_) snapshot->accounts.push_back(account->Current());
  return snapshot;
}

std::vector<std::string> Poller::NotReady() const {
  std::vector<std::string> waiting;
  for (const auto& account : accounts_) {
    const auto collectors = account->CollectorsNotReady();
    if (collectors.empty()) continue;
    std::string entry = account->config().name + ":";
    for (std::size_t i = 0; i < collectors.size(); ++i) {
      entry += (i == 0 ? " " : ", ") + collectors[i];
    }
    waiting.push_back(std::move(entry));
  }
  return waiting;
}

}  // namespace drmm
