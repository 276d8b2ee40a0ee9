#include "datto/datto_client.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_set>
#include <utility>

#include "common/duration.h"
#include "common/log.h"
#include "common/single_flight.h"
#include "common/url.h"
#include "common/watchdog.h"
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
// Far above any account (max_pages x 250 is 500,000) and far below overflow in page arithmetic.
constexpr std::int64_t kMaxTotalCount = std::int64_t{1} << 40;

// Unknown enum values reported (logged and passed to the observer) per client: one new value on
// every device must not grow memory and the log with each poll. The values seen past the cap
// still decode and export; only the report stops.
constexpr std::size_t kMaxReportedEnumValues = 1000;
// An API value quoted in the log (and kept to tell values apart) is cut to this many bytes.
constexpr std::size_t kMaxQuotedValueBytes = 64;

// `text` cut to at most `max` bytes without splitting a UTF-8 sequence, marked when cut.
std::string Truncated(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t end = max;
  // Back off continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "...";
}

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

  // One walk's bookkeeping and guards, shared by the sequential and the concurrent path.
  template <typename Item>
  struct WalkState {
    std::string_view endpoint;
    std::set<std::string> seen_pages;
    // Hashes of the uids passed on so far: 8 bytes an item instead of a copy of each uid. A
    // 64-bit collision among 100,000 uids (odds about 1 in 10^9) would drop one item.
    std::unordered_set<std::uint64_t> seen_uids;
    std::int64_t duplicates = 0;
    std::int64_t without_uid = 0;
    int pages = 0;
    // From the latest page that had them: the list's size and the largest page seen (the
    // server may serve fewer items per page than asked for).
    std::optional<std::int64_t> total_count;
    std::int64_t largest_page = 0;
    // The first page, by number, that repeated items of earlier pages (-1: none did).
    std::int64_t first_repeating_page = -1;
    // Walking part of the list again, one page at a time, to fill a gap a concurrent walk may
    // have left (see WalkPages): items already passed on are expected, not repeats.
    bool refilling = false;
  };

  std::string PageUrl(std::string_view endpoint, std::int64_t page_size, std::int64_t page) const {
    return base_url_ + std::string(endpoint) + "?max=" + std::to_string(page_size) +
           "&page=" + std::to_string(page);
  }

  // The guards before a page is fetched (or, in a concurrent walk, used): the page cap, the
  // totalCount bound, an absolute URL on the configured origin, not a page seen before.
  template <typename Item>
  Status CheckPage(WalkState<Item>& state, const std::string& url, Url& page_url) const {
    const std::string endpoint(state.endpoint);
    if (state.pages >= options_.max_pages) {
      return ProtocolError(endpoint + ": more than " + std::to_string(options_.max_pages) +
                           " pages, walk abandoned");
    }
    if (state.total_count && state.largest_page > 0) {
      const std::int64_t expected =
          (*state.total_count + state.largest_page - 1) / state.largest_page;
      if (state.pages >= expected + kTotalCountSlackPages) {
        return ProtocolError(endpoint + ": still a nextPageUrl after " +
                             std::to_string(state.pages) + " pages of up to " +
                             std::to_string(state.largest_page) + " for a totalCount of " +
                             std::to_string(*state.total_count) + ", walk abandoned");
      }
    }
    const std::optional<Url> parsed = ParseUrl(url);
    if (!parsed) return ProtocolError(endpoint + ": nextPageUrl is not an absolute http(s) URL");
    // The request carries the bearer token: it must never go anywhere but the configured API.
    if (!SameOrigin(*parsed, *base_)) {
      return ProtocolError(endpoint + ": refusing nextPageUrl on foreign origin " +
                           parsed->Origin() + " (configured: " + base_->Origin() + ")");
    }
    if (!state.seen_pages.insert(parsed->ToString()).second) {
      return ProtocolError(endpoint + ": page " + parsed->target +
                           " came round again, walk abandoned");
    }
    page_url = *parsed;
    return Status::Ok();
  }

  // Hands a page's new items to the sink, in page order, and says where the list goes on:
  // `next` is empty at its end.
  template <typename Item>
  Status ConsumePage(WalkState<Item>& state, const Url& page_url, Page<Item>&& page,
                     const PageSink<Item>& sink, std::string& next) const {
    ++state.pages;
    // A count from the API: a negative one says nothing, a huge one must not overflow the page
    // arithmetic (a walk is capped at max_pages anyway).
    if (page.details.total_count && *page.details.total_count >= 0) {
      state.total_count = std::min(*page.details.total_count, kMaxTotalCount);
    }
    state.largest_page = std::max(state.largest_page, static_cast<std::int64_t>(page.items.size()));
    std::vector<Item> fresh;
    fresh.reserve(page.items.size());
    std::size_t page_duplicates = 0;
    for (Item& item : page.items) {
      const std::string& uid = UidOf(item);
      if (uid.empty()) {
        // A site without a uid cannot be labelled: dropped here. Devices and alerts without
        // one are passed on undeduplicated; the folds in src/exporter/collect leave them out,
        // so they reach no metric either.
        if constexpr (std::is_same_v<Item, Site>) {
          ++state.without_uid;
          continue;
        }
      } else if (!state.seen_uids.insert(std::hash<std::string_view>{}(uid)).second) {
        if (!state.refilling) {
          ++state.duplicates;  // the list shifted under the walk: the item was on an earlier page
          ++page_duplicates;
        }
        continue;
      }
      fresh.push_back(std::move(item));
    }
    if (page_duplicates > 0 && state.first_repeating_page < 0) {
      state.first_repeating_page = state.pages - 1;  // pages are consumed in page order
    }
    const bool empty_page = page.items.empty();
    // A server that ignores page= while nextPageUrl keeps counting serves the first page over
    // and over under ever new URLs: a full page of known items is a repeat like a known URL.
    const bool repeated_page = !empty_page && page_duplicates == page.items.size();
    sink(std::move(fresh));
    if (repeated_page) {
      return ProtocolError(std::string(state.endpoint) + ": page " + page_url.target +
                           " came round again (every item was on an earlier page), walk "
                           "abandoned");
    }
    next.clear();
    const auto& link = page.details.next_page_url;
    if (!link || link->empty()) return Status::Ok();
    if (empty_page) {
      // A page without items that still links onwards would walk to max_pages for nothing.
      LogDebug("empty page with a nextPageUrl ends the walk",
               {{"endpoint", std::string(state.endpoint)}});
      return Status::Ok();
    }
    // A relative link is on the configured origin by construction.
    next = link->front() == '/' && link->rfind("//", 0) != 0 ? base_->Origin() + *link : *link;
    return Status::Ok();
  }

  template <typename Item, typename Decode>
  Status Walk(std::string_view endpoint, RequestPriority priority, Decode decode,
              const PageSink<Item>& sink, const std::stop_token& caller_stop) {
    if (!base_) return BadBase();
    // The whole walk has a deadline: past it, whatever is in flight is cancelled and the walk
    // fails, so a server that answers too slowly to ever finish shows as a failure instead of
    // a walk that never ends.
    std::stop_source walk_stop;
    const std::stop_callback forward(caller_stop, [&walk_stop] { walk_stop.request_stop(); });
    std::atomic<bool> timed_out = false;
    const auto deadline_guard =
        watchdog_.Arm(std::chrono::steady_clock::now() + options_.walk_timeout, [&] {
          timed_out = true;
          walk_stop.request_stop();
        });
    Status status = WalkPages(endpoint, priority, decode, sink, walk_stop.get_token());
    if (timed_out && !caller_stop.stop_requested()) {
      return {ErrorKind::kTransport, std::string(endpoint) + ": the walk did not finish within " +
                                         FormatDuration(options_.walk_timeout) +
                                         " (timeouts.walk)"};
    }
    return status;
  }

  template <typename Item, typename Decode>
  Status WalkPages(std::string_view endpoint, RequestPriority priority, Decode decode,
                   const PageSink<Item>& sink, const std::stop_token& stop) {
    const Result<std::int64_t> page_size = PageSize(stop);
    if (!page_size.ok()) return page_size.status();
    WalkState<Item> state;
    state.endpoint = endpoint;
    bool concurrent = false;
    if (Status walked =
            FollowPages(state, page_size.value(), 0, priority, decode, sink, stop, concurrent);
        !walked.ok()) {
      return walked;
    }
    // Pages fetched concurrently reach the server in any order. When the list shifts back
    // under the walk (items inserted before the pages still to come), a page served before the
    // shift right after one served after it leaves a gap, and the shift shows as repeated items:
    // the first page that repeats some was served after a shift its predecessor was not, so
    // every gap lies after it. Walking on from that page one page at a time passes on what the
    // concurrent walk missed (a sequential walk only ever repeats items on such a shift, and
    // repeats are dropped). It costs those pages once more, only when the list changed during
    // the walk. (Items removed during any walk, sequential or not, can leave a gap that shows
    // nothing; the next walk fills it.)
    if (concurrent && state.first_repeating_page > 0) {
      LogInfo(
          "the list shifted during a concurrent walk: walking it again from the first page "
          "with repeated items, one page at a time",
          {{"endpoint", std::string(endpoint)},
           {"page", std::to_string(state.first_repeating_page)},
           {"repeated_items", std::to_string(state.duplicates)}});
      state.refilling = true;
      state.seen_pages.clear();
      state.pages = static_cast<int>(state.first_repeating_page);
      if (Status refilled = FollowPages(state, page_size.value(), state.first_repeating_page,
                                        priority, decode, sink, stop, concurrent);
          !refilled.ok()) {
        return refilled;
      }
    }
    ReportDropped(state);
    return Status::Ok();
  }

  // Follows the list from page `from` to its end. `concurrent` is set when the pages after the
  // first were fetched several at a time, which a refilling walk never does.
  template <typename Item, typename Decode>
  Status FollowPages(WalkState<Item>& state, std::int64_t page_size, std::int64_t from,
                     RequestPriority priority, Decode decode, const PageSink<Item>& sink,
                     const std::stop_token& stop, bool& concurrent) {
    const std::string_view endpoint = state.endpoint;
    std::string url = PageUrl(endpoint, page_size, from);
    std::string next;
    bool first = true;
    while (true) {
      Url page_url;
      if (Status checked = CheckPage(state, url, page_url); !checked.ok()) return checked;
      Result<Page<Item>> page =
          Get<Page<Item>>(page_url.ToString(), endpoint, priority, decode, stop);
      if (!page.ok()) return page.status();
      const std::size_t items = page->items.size();
      if (Status consumed = ConsumePage(state, page_url, std::move(page).value(), sink, next);
          !consumed.ok()) {
        return consumed;
      }
      if (next.empty()) return Status::Ok();
      // After the first page the list's length is known (sites and devices carry totalCount):
      // fetch the rest several at a time, when the API's own links follow the page numbers.
      if (first && !state.refilling && options_.pages_in_flight > 1 && state.total_count &&
          static_cast<std::int64_t>(items) == page_size &&
          next == PageUrl(endpoint, page_size, 1)) {
        const std::int64_t pages = (*state.total_count + page_size - 1) / page_size;
        if (pages > 1) {
          concurrent = true;
          if (Status rest =
                  WalkConcurrently(state, page_size, pages, priority, decode, sink, stop, next);
              !rest.ok()) {
            return rest;
          }
          if (next.empty()) return Status::Ok();
        }
      }
      first = false;
      url = next;
    }
  }

  // Pages 1 .. pages-1, up to pages_in_flight at a time, each request passing the rate gate;
  // consumed in page order, so the sink and every guard see what a sequential walk would.
  // `next` says where the list goes on after them (usually nowhere). A failed page fails the
  // walk and cancels the pages still in flight.
  template <typename Item, typename Decode>
  Status WalkConcurrently(WalkState<Item>& state, std::int64_t page_size, std::int64_t pages,
                          RequestPriority priority, Decode decode, const PageSink<Item>& sink,
                          const std::stop_token& stop, std::string& next) {
    const auto in_flight = static_cast<std::int64_t>(options_.pages_in_flight);
    std::mutex mutex;
    std::condition_variable_any changed;
    std::map<std::int64_t, Result<Page<Item>>> fetched;  // page number -> answer
    std::int64_t next_to_fetch = 1;
    std::int64_t next_to_consume = 1;
    std::stop_source workers_stop;  // the walk ended early: stop fetching
    const std::stop_callback forward(stop, [&workers_stop] { workers_stop.request_stop(); });

    auto worker = [&] {
      const std::stop_token worker_stop = workers_stop.get_token();
      std::unique_lock lock(mutex);
      while (true) {
        // Never more than `in_flight` pages ahead of the consumer: memory stays a few pages.
        changed.wait(lock, worker_stop, [&] {
          return next_to_fetch >= pages || next_to_fetch < next_to_consume + in_flight;
        });
        if (worker_stop.stop_requested() || next_to_fetch >= pages) return;
        const std::int64_t page = next_to_fetch++;
        lock.unlock();
        Result<Page<Item>> answer = Get<Page<Item>>(PageUrl(state.endpoint, page_size, page),
                                                    state.endpoint, priority, decode, worker_stop);
        lock.lock();
        fetched.emplace(page, std::move(answer));
        changed.notify_all();
      }
    };
    std::vector<std::jthread> workers;
    for (std::int64_t i = 0; i < std::min(in_flight, pages - 1); ++i) workers.emplace_back(worker);
    auto finish = [&](Status status) {
      workers_stop.request_stop();
      changed.notify_all();
      workers.clear();  // joins
      return status;
    };

    for (std::int64_t page = 1; page < pages; ++page) {
      std::optional<Result<Page<Item>>> answer;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, stop, [&] { return fetched.contains(page); });
        if (fetched.contains(page)) {
          answer.emplace(std::move(fetched.at(page)));
          fetched.erase(page);
          next_to_consume = page + 1;
          changed.notify_all();
        }
      }
      // (finish joins the workers, which need the lock: never call it holding the lock.)
      if (!answer) {
        return finish(
            Status(ErrorKind::kCancelled, "cancelled during " + std::string(state.endpoint)));
      }
      if (!answer->ok()) return finish(answer->status());
      Url page_url;
      if (Status checked = CheckPage(state, PageUrl(state.endpoint, page_size, page), page_url);
          !checked.ok()) {
        return finish(checked);
      }
      if (Status consumed = ConsumePage(state, page_url, std::move(*answer).value(), sink, next);
          !consumed.ok()) {
        return finish(consumed);
      }
      // A link elsewhere than the next page number: the foreign-origin guard holds for it even
      // though the concurrent walk does not follow it.
      if (!next.empty()) {
        const std::optional<Url> link = ParseUrl(next);
        if (link && !SameOrigin(*link, *base_)) {
          return finish(ProtocolError(std::string(state.endpoint) +
                                      ": refusing nextPageUrl on foreign origin " + link->Origin() +
                                      " (configured: " + base_->Origin() + ")"));
        }
      }
      // The list ended sooner than totalCount said: what else was fetched is dropped.
      if (next.empty()) return finish(Status::Ok());
    }
    return finish(Status::Ok());
  }

  template <typename Item>
  static void ReportDropped(const WalkState<Item>& state) {
    if (state.duplicates > 0) {
      LogWarn(
          "dropped items seen earlier in the same walk",
          {{"endpoint", std::string(state.endpoint)}, {"count", std::to_string(state.duplicates)}});
    }
    if (state.without_uid > 0) {
      LogWarn("dropped items without a uid", {{"endpoint", std::string(state.endpoint)},
                                              {"count", std::to_string(state.without_uid)}});
    }
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
      context.options = options_.decode;
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
    while (!page_size_ && page_size_fetch_.InFlight()) {
      // One request per client lifetime: later callers wait for the first one's answer (and
      // after a failure, one of them asks again).
      if (!page_size_fetch_.AwaitFinish(lock, stop)) {
        return Status(ErrorKind::kCancelled, "cancelled while waiting for the page size");
      }
    }
    if (page_size_) return *page_size_;
    page_size_fetch_.Start();
    lock.unlock();
    Result<std::int64_t> fetched =
        GetOne<std::int64_t>(endpoint::kPagination, RequestPriority::kSites, DecodePageSize, stop);
    lock.lock();
    if (fetched.ok()) page_size_ = fetched.value();
    page_size_fetch_.Finish();
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
    const std::string quoted = Truncated(value, kMaxQuotedValueBytes);
    std::string key(field);
    key += '\0';
    key += quoted;
    {
      std::lock_guard lock(enums_mutex_);
      if (reported_enums_.size() >= kMaxReportedEnumValues) {
        if (!enum_cap_reported_) {
          enum_cap_reported_ = true;
          LogWarn(
              "too many distinct unknown enum values from the API; no longer reporting new ones",
              {{"reported", std::to_string(reported_enums_.size())}});
        }
        return;
      }
      if (!reported_enums_.insert(std::move(key)).second) return;
    }
    LogInfo("unknown enum value from the API, kept as-is",
            {{"field", std::string(field)}, {"value", quoted}});
    observer_.OnUnknownEnumValue(field, quoted);
  }

  const ClientOptions options_;
  const std::optional<Url> base_;
  const std::string base_url_;  // origin + path prefix, no trailing '/'
  ApiObserver& observer_;
  RequestExecutor executor_;
  TokenProvider tokens_;

  std::mutex page_size_mutex_;
  SingleFlight page_size_fetch_;
  std::optional<std::int64_t> page_size_;

  std::mutex enums_mutex_;
  std::set<std::string> reported_enums_;  // at most kMaxReportedEnumValues
  bool enum_cap_reported_ = false;

  std::atomic<std::int64_t> decode_warnings_{0};
  Watchdog watchdog_;  // walk deadlines
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
