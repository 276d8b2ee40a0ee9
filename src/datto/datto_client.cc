#include "datto/datto_client.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <set>
#include <type_traits>
#include <unordered_set>
#include <utility>

#include "common/log.h"
#include "common/url.h"
#include "datto/decode.h"
#include "datto/endpoints.h"
#include "datto/request_executor.h"
#include "datto/token_provider.h"

namespace drmm::datto {
namespace {

Status ProtocolError(std::string message) { return {ErrorKind::kProtocol, std::move(message)}; }

const std::string& UidOf(const Site& site) { return site.uid; }
const std::string& UidOf(const Device& device) { return device.uid; }
const std::string& UidOf(const Alert& alert) { return alert.alert_uid; }

// Pages a walk may take beyond ceil(totalCount / page size): the list may grow or shift while
// it is walked, but not by pages at a time.
constexpr std::int64_t kTotalCountSlackPages = 2;

}  // namespace

class DattoClient::Impl {
 public:
  Impl(ClientOptions options, HttpTransport& transport, RequestGate& gate, ApiObserver& observer,
       Clock& clock)
      : options_(std::move(options)),
        base_(ParseBase(options_.base_url)),
        base_url_(base_ ? base_->Origin() + BasePath(*base_) : std::string()),
        observer_(observer),
        executor_(transport, gate, observer, clock, options_.retry, options_.jitter_seed),
        tokens_(TokenOptions{base_url_, options_.api_key, options_.api_secret,
                             options_.token_renew_margin, options_.credentials_backoff},
                executor_, observer, clock) {}

  template <typename Item, typename Decode>
  Status Walk(std::string_view endpoint, RequestPriority priority, Decode decode,
              const PageSink<Item>& sink, const std::stop_token& stop) {
    if (!base_) return BadBase();
    const Result<std::int64_t> page_size = PageSize(stop);
    if (!page_size.ok()) return page_size.status();

    std::string url =
        base_url_ + std::string(endpoint) + "?max=" + std::to_string(page_size.value()) + "&page=0";
    std::set<std::string> seen_pages;
    std::unordered_set<std::string> seen_uids;
    std::int64_t duplicates = 0;
    std::int64_t without_uid = 0;
    // From the latest page that had them: the list's size and the largest page seen (the server
    // may serve fewer items per page than asked for).
    std::optional<std::int64_t> total_count;
    std::int64_t largest_page = 0;
    for (int pages = 0;; ++pages) {
      if (pages >= options_.max_pages) {
        return ProtocolError(std::string(endpoint) + ": more than " +
                             std::to_string(options_.max_pages) + " pages, walk abandoned");
      }
      if (total_count && largest_page > 0) {
        const std::int64_t expected = (*total_count + largest_page - 1) / largest_page;
        if (pages >= expected + kTotalCountSlackPages) {
          return ProtocolError(std::string(endpoint) + ": still a nextPageUrl after " +
                               std::to_string(pages) + " pages of up to " +
                               std::to_string(largest_page) + " for a totalCount of " +
                               std::to_string(*total_count) + ", walk abandoned");
        }
      }
      const std::optional<Url> page_url = ParseUrl(url);
      if (!page_url) {
        return ProtocolError(std::string(endpoint) +
                             ": nextPageUrl is not an absolute http(s) URL");
      }
      // The request carries the bearer token: it must never go anywhere but the configured API.
      if (!SameOrigin(*page_url, *base_)) {
        return ProtocolError(std::string(endpoint) + ": refusing nextPageUrl on foreign origin " +
                             page_url->Origin() + " (configured: " + base_->Origin() + ")");
      }
      if (!seen_pages.insert(page_url->ToString()).second) {
        return ProtocolError(std::string(endpoint) + ": page " + page_url->target +
                             " came round again, walk abandoned");
      }

      Result<Page<Item>> page =
          Get<Page<Item>>(page_url->ToString(), endpoint, priority, decode, stop);
      if (!page.ok()) return page.status();
      Page<Item> current = std::move(page).value();

      if (current.details.total_count) total_count = current.details.total_count;
      largest_page = std::max(largest_page, static_cast<std::int64_t>(current.items.size()));

      std::vector<Item> fresh;
      fresh.reserve(current.items.size());
      std::size_t page_duplicates = 0;
      for (Item& item : current.items) {
        const std::string& uid = UidOf(item);
        if (uid.empty()) {
          // A site without a uid cannot be labelled: dropped here. Devices and alerts without
          // one are passed on undeduplicated; the folds in src/exporter/collect skip them (and
          // count them as skipped), so they reach no metric either.
          if constexpr (std::is_same_v<Item, Site>) {
            ++without_uid;
            continue;
          }
        } else if (!seen_uids.insert(uid).second) {
          ++duplicates;  // the list shifted under the walk: the item was on an earlier page
          ++page_duplicates;
          continue;
        }
        fresh.push_back(std::move(item));
      }
      const bool empty_page = current.items.empty();
      // A server that ignores page= while nextPageUrl keeps counting serves the first page over
      // and over under ever new URLs: a full page of known items is a repeat like a known URL.
      const bool repeated_page = !empty_page && page_duplicates == current.items.size();
      sink(std::move(fresh));
      if (repeated_page) {
        return ProtocolError(std::string(endpoint) + ": page " + page_url->target +
                             " came round again (every item was on an earlier page), walk "
                             "abandoned");
      }

      const auto& next = current.details.next_page_url;
      if (!next || next->empty()) break;
      if (empty_page) {
        // A page without items that still links onwards would walk to max_pages for nothing.
        LogDebug("empty page with a nextPageUrl ends the walk",
                 {{"endpoint", std::string(endpoint)}});
        break;
      }
      // A relative link is on the configured origin by construction.
      url = next->front() == '/' && next->rfind("//", 0) != 0 ? base_->Origin() + *next : *next;
    }
    if (duplicates > 0) {
      LogWarn("dropped items seen earlier in the same walk",
              {{"endpoint", std::string(endpoint)}, {"count", std::to_string(duplicates)}});
    }
    if (without_uid > 0) {
      LogWarn("dropped items without a uid",
              {{"endpoint", std::string(endpoint)}, {"count", std::to_string(without_uid)}});
    }
    return Status::Ok();
  }

  template <typename T, typename Decode>
  Result<T> Get(const std::string& url, std::string_view endpoint, RequestPriority priority,
                Decode decode, const std::stop_token& stop) {
    std::string token;
    std::optional<T> value;
    auto build = [&]() -> Result<HttpRequest> {
      Result<std::string> current = tokens_.Get(stop);
      if (!current.ok()) return current.status();
      token = std::move(current).value();
      return HttpRequest{
          "GET", url, {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}}, {}};
    };
    auto accept = [&](const HttpResponse& response) -> Status {
      DecodeContext context;
      context.on_unknown_enum = [this](std::string_view field, std::string_view enum_value) {
        ReportUnknownEnum(field, enum_value);
      };
      auto decoded = decode(response.body, context);
      decode_warnings_ += context.warnings;
      if (context.warnings > 0) observer_.OnDecodeWarnings(endpoint, context.warnings);
      if (!decoded.ok()) return decoded.status();
      value = std::move(decoded).value();
      return Status::Ok();
    };
    CallOptions call;
    call.endpoint = endpoint;
    call.priority = priority;
    call.unauthorized_kind = ErrorKind::kUnauthorized;
    call.on_unauthorized = [&] { tokens_.Invalidate(token); };
    if (Status status = executor_.Execute(call, build, accept, stop); !status.ok()) return status;
    return std::move(*value);
  }

  template <typename T, typename Decode>
  Result<T> GetOne(std::string_view endpoint, RequestPriority priority, Decode decode,
                   const std::stop_token& stop) {
    if (!base_) return BadBase();
    return Get<T>(base_url_ + std::string(endpoint), endpoint, priority, decode, stop);
  }

  Result<std::int64_t> PageSize(const std::stop_token& stop) {
    std::unique_lock lock(page_size_mutex_);
    while (!page_size_ && page_size_fetching_) {
      // One request per client lifetime: later callers wait for the first one's answer.
      if (!page_size_fetched_.wait(lock, stop, [&] { return !page_size_fetching_; })) {
        return Status(ErrorKind::kCancelled, "cancelled while waiting for the page size");
      }
    }
    if (page_size_) return *page_size_;
    page_size_fetching_ = true;
    lock.unlock();
    Result<std::int64_t> fetched =
        GetOne<std::int64_t>(endpoint::kPagination, RequestPriority::kSites, DecodePageSize, stop);
    lock.lock();
    page_size_fetching_ = false;
    if (fetched.ok()) page_size_ = fetched.value();
    page_size_fetched_.notify_all();
    return fetched;
  }

  std::optional<WallTime> TokenExpiry() const { return tokens_.Expiry(); }
  std::int64_t DecodeWarnings() const { return decode_warnings_.load(); }

 private:
  static std::optional<Url> ParseBase(const std::string& text) {
    auto url = ParseUrl(text);
    if (!url || url->target.find('?') != std::string::npos) return std::nullopt;
    return url;
  }
  // The base URL's path without a trailing '/' ("" for a bare host).
  static std::string BasePath(const Url& url) {
    std::string path = url.target;
    while (!path.empty() && path.back() == '/') path.pop_back();
    return path;
  }

  Status BadBase() const {
    return ProtocolError("base URL \"" + options_.base_url + "\" is not an absolute http(s) URL");
  }

  void ReportUnknownEnum(std::string_view field, std::string_view value) {
    std::string key(field);
    key += '\0';
    key += value;
    {
      std::lock_guard lock(enums_mutex_);
      if (!reported_enums_.insert(std::move(key)).second) return;
    }
    LogInfo("unknown enum value from the API, kept as-is",
            {{"field", std::string(field)}, {"value", std::string(value)}});
    observer_.OnUnknownEnumValue(field, value);
  }

  const ClientOptions options_;
  const std::optional<Url> base_;
  const std::string base_url_;  // origin + path prefix, no trailing '/'
  ApiObserver& observer_;
  RequestExecutor executor_;
  TokenProvider tokens_;

  std::mutex page_size_mutex_;
  std::condition_variable_any page_size_fetched_;
  std::optional<std::int64_t> page_size_;
  bool page_size_fetching_ = false;

  std::mutex enums_mutex_;
  std::set<std::string> reported_enums_;

  std::atomic<std::int64_t> decode_warnings_{0};
};

DattoClient::DattoClient(ClientOptions options, HttpTransport& transport, RequestGate& gate,
                         ApiObserver& observer, Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), transport, gate, observer, clock)) {}

DattoClient::~DattoClient() = default;

Status DattoClient::ForEachSite(const PageSink<Site>& sink, const std::stop_token& stop) {
  return impl_->Walk<Site>(endpoint::kSites, RequestPriority::kSites, DecodeSitesPage, sink, stop);
}

Status DattoClient::ForEachDevice(const PageSink<Device>& sink, const std::stop_token& stop) {
  return impl_->Walk<Device>(endpoint::kDevices, RequestPriority::kDevices, DecodeDevicesPage, sink,
                             stop);
}

Status DattoClient::ForEachOpenAlert(const PageSink<Alert>& sink, const std::stop_token& stop) {
  return impl_->Walk<Alert>(endpoint::kAlerts, RequestPriority::kAlerts, DecodeAlertsPage, sink,
                            stop);
}

Result<RateStatus> DattoClient::GetRateStatus(const std::stop_token& stop) {
  return impl_->GetOne<RateStatus>(endpoint::kRateStatus, RequestPriority::kRateStatus,
                                   DecodeRateStatus, stop);
}

Result<Account> DattoClient::GetAccount(const std::stop_token& stop) {
  return impl_->GetOne<Account>(endpoint::kAccount, RequestPriority::kSites, DecodeAccount, stop);
}

Result<std::int64_t> DattoClient::GetPageSize(const std::stop_token& stop) {
  return impl_->PageSize(stop);
}

std::optional<WallTime> DattoClient::TokenExpiry() const { return impl_->TokenExpiry(); }

std::int64_t DattoClient::DecodeWarnings() const { return impl_->DecodeWarnings(); }

}  // namespace drmm::datto
