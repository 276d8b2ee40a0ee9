#include "sim/service.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/ascii.h"
#include "common/duration.h"
#include "common/http_status.h"
#include "common/log.h"
#include "sim/generator.h"
#include "sim/pagination.h"
#include "sim/render.h"
#include "sim/responses.h"
#include "sim/scenario.h"
#include "sim/time_format.h"

namespace drmm::sim {
namespace {

using nlohmann::json;

constexpr std::string_view kVersion = "2.0.0 (Build 201_aadf6556fb176a75fbb9b2aad0f0d2301d64c88a)";
// A backlog of due churn (after a pause, or a jump of a test clock) is capped: the account
// moves as much as a busy stretch would, not by its whole history at once.
constexpr std::int64_t kMaxChurnBatch = 1000;
constexpr auto kChurnSpacing = std::chrono::milliseconds(100);
constexpr std::uint64_t kTokenSeedSalt = 0x746f6b656e73ULL;
constexpr std::uint64_t kChurnSeedSalt = 0x636875726e21ULL;

std::string Malform(std::string body) {
  // A complete body with one structural character removed: no parser accepts it.
  const auto colon = body.find(':');
  if (colon == std::string::npos) return body + "{\"";
  body[colon] = ' ';
  return body;
}

AccountState BuildAccount(const SimulatorOptions& options, std::int64_t now_ms,
                          std::optional<std::uint64_t>& scenario_seed) {
  if (!options.scenario_file.empty()) {
    ScenarioDefaults defaults;
    defaults.seed = options.seed;
    defaults.online_ratio = options.online_ratio;
    defaults.now_ms = now_ms;
    auto scenario = LoadScenarioFile(options.scenario_file, defaults);
    // A constructor has no Result to return: the Service's contract (service.h) is to throw
    // for a bad scenario file, as for invalid options.
    if (!scenario.ok()) throw std::invalid_argument(scenario.error().message);
    scenario_seed = scenario->seed;
    return std::move(scenario).value().state;
  }
  GeneratorOptions g;
  g.seed = options.seed;
  g.sites = options.sites;
  g.devices = options.devices;
  g.alerts = options.alerts;
  g.online_ratio = options.online_ratio;
  return GenerateAccount(g, now_ms);
}

const SimulatorOptions& Validated(const SimulatorOptions& options) {
  if (auto error = ValidateOptions(options)) throw std::invalid_argument(error->message);
  return options;
}

RateLimitSettings LimiterSettings(const SimulatorOptions& o) {
  RateLimitSettings s;
  s.limit = o.rate_limit;
  s.window = o.rate_window;
  s.cutoff_ratio = o.cutoff_ratio;
  s.block_duration = o.block_duration;
  s.block_after = o.block_after;
  return s;
}

int CeilSeconds(Duration d) {
  return std::max(1, static_cast<int>(std::ceil(std::chrono::duration<double>(d).count() - 1e-9)));
}

}  // namespace

std::string SimRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoringAsciiCase(key, name)) return value;
  }
  return {};
}

Service::Service(const SimulatorOptions& options, Clock& clock)
    : options_(Validated(options)),
      clock_(clock),
      started_(clock.Now()),
      started_wall_(clock.WallNow()),
      churn_rng_(options_.seed ^ kChurnSeedSalt),
      limiter_(LimiterSettings(options_), clock.Now()),
      tokens_(options_.seed ^ kTokenSeedSalt) {
  std::optional<std::uint64_t> scenario_seed;
  state_ = std::make_shared<const AccountState>(
      BuildAccount(options_, ToEpochMillis(clock_.WallNow()), scenario_seed));
  if (scenario_seed) churn_rng_ = Rng(*scenario_seed ^ kChurnSeedSalt);
  churn_options_ = SteadyChurnOptions(*state_, options_.online_ratio);
  // The clock starts once the account exists (generation can take a second at scale).
  started_ = clock_.Now();
  churn_epoch_ = started_;
  churn_per_minute_ = options_.churn_per_minute;
  limiter_ = RateLimiter(LimiterSettings(options_), started_);
  limiter_.SetOtherConsumers(options_.other_consumers_rpm, started_);
  other_consumers_rpm_ = options_.other_consumers_rpm;
  settings_.device_timestamps = options_.device_timestamps;
  settings_.throttle_delay = options_.throttle_delay;
  settings_.origin = options_.advertised_url.empty()
                         ? "http://127.0.0.1:" + std::to_string(options_.port)
                         : options_.advertised_url;
  while (settings_.origin.ends_with('/')) settings_.origin.pop_back();
  for (const auto& fault : options_.faults) faults_.Add(fault);
}

Service::~Service() = default;

void Service::SetOrigin(std::string origin) {
  if (!options_.advertised_url.empty()) return;
  std::lock_guard lock(settings_mutex_);
  settings_.origin = std::move(origin);
}

std::string Service::Origin() const { return CurrentSettings().origin; }

Service::Settings Service::CurrentSettings() const {
  std::lock_guard lock(settings_mutex_);
  return settings_;
}

double Service::SecondsSinceStart(SteadyTime now) const {
  return std::chrono::duration<double>(now - started_).count();
}

std::shared_ptr<const AccountState> Service::State() {
  AdvanceChurn(clock_.Now(), true);
  std::lock_guard lock(state_mutex_);
  return state_;
}

std::shared_ptr<const AccountState> Service::Current() const {
  std::lock_guard lock(state_mutex_);
  return state_;
}

// ---- churn -----------------------------------------------------------------------------------

void Service::AdvanceChurn(SteadyTime now, bool wait) {
  std::unique_lock lock(churn_mutex_, std::defer_lock);
  if (wait) {
    lock.lock();
  } else if (!lock.try_lock()) {
    return;  // another request is applying the churn; this one serves the current state
  }
  if (churn_per_minute_ <= 0) return;
  // Each application copies the account's item lists (100,000 devices: milliseconds), so the
  // request path batches events: at most one application per kChurnSpacing. The ground truth
  // and the admin endpoints (wait=true) still see every event due.
  if (!wait && churn_applied_at_ && now - *churn_applied_at_ < kChurnSpacing) return;
  const double seconds = std::chrono::duration<double>(now - churn_epoch_).count();
  // The epsilon keeps whole event counts whole despite rounding (10 s at 60/min is 10 events).
  const auto due_total =
      static_cast<std::int64_t>(std::floor(seconds * churn_per_minute_ / 60.0 + 1e-9));
  const std::int64_t due = due_total - churn_applied_;
  if (due <= 0) return;
  churn_applied_ = due_total;
  churn_applied_at_ = now;
  ApplyChurnLocked(static_cast<int>(std::min(due, kMaxChurnBatch)));
}

void Service::ApplyChurnLocked(int events) {
  if (events <= 0) return;
  std::shared_ptr<const AccountState> current;
  {
    std::lock_guard lock(state_mutex_);
    current = state_;
  }
  AccountState next = *current;  // shares every item; churn replaces the ones it changes
  ApplyChurnEvents(next, events, churn_rng_, ToEpochMillis(clock_.WallNow()), churn_options_);
  auto published = std::make_shared<const AccountState>(std::move(next));
  std::lock_guard lock(state_mutex_);
  state_ = std::move(published);
}

void Service::ApplyChurn(int events) {
  std::lock_guard lock(churn_mutex_);
  ApplyChurnLocked(events);
}

void Service::SetChurnPerMinute(double per_minute) {
  const SteadyTime now = clock_.Now();
  AdvanceChurn(now, true);
  std::lock_guard lock(churn_mutex_);
  churn_per_minute_ = std::max(per_minute, 0.0);
  churn_epoch_ = now;
  churn_applied_ = 0;
}

// ---- the API -----------------------------------------------------------------------------------

SimResponse Service::Handle(const SimRequest& request) {
  if (request.path.starts_with(kAdminPrefix) || request.path == "/__sim") {
    return HandleAdmin(request);
  }
  const SteadyTime now = clock_.Now();
  AdvanceChurn(now, false);
  SimResponse response = HandleApi(request, now);
  log_.Add(SecondsSinceStart(now), request.method, request.path, request.query,
           response.drop_connection ? 0 : response.status);
  LogDebug("request", {{"method", request.method},
                       {"path", request.path},
                       {"status", std::to_string(response.status)}});
  return response;
}

SimResponse Service::HandleApi(const SimRequest& request, SteadyTime now) {
  const Route route = MatchRoute(request.path);
  const Params query = ParseFormUrlEncoded(request.query);
  RequestFacts facts;
  facts.path = request.path;
  facts.is_list = route.is_list;
  facts.page = route.is_list ? RequestedPage(query) : 0;
  const std::int64_t now_ms = ToEpochMillis(clock_.WallNow());

  auto too_many = [&](int retry_after) {
    SimResponse r = ErrorResponse(429, request.path, "Request rate limit exceeded", now_ms);
    if (retry_after > 0) r.headers.emplace_back("Retry-After", std::to_string(retry_after));
    return r;
  };
  auto blocked = [&](int retry_after) {
    SimResponse r = ErrorResponse(
        403, request.path,
        "Access denied: IP address temporarily blocked because the request rate limit was exceeded",
        now_ms);
    r.headers.emplace_back("Retry-After", std::to_string(retry_after));
    return r;
  };

  if (auto fault = faults_.TakeAdmissionFault(facts)) {
    std::lock_guard lock(limiter_mutex_);
    if (fault->kind == FaultKind::kRateLimit) {
      limiter_.ForceRateLimited(now, std::chrono::seconds(fault->retry_after_seconds));
      return too_many(fault->retry_after_seconds);
    }
    const Duration duration = fault->duration > Duration::zero()
                                  ? Duration(fault->duration)
                                  : Duration(options_.block_duration);
    limiter_.ForceBlock(now, duration);
    return blocked(CeilSeconds(duration));
  }
  RateDecision decision;
  {
    std::lock_guard lock(limiter_mutex_);
    decision = limiter_.Admit(now);
  }
  if (decision.verdict == RateVerdict::kBlocked) return blocked(decision.retry_after_seconds);
  if (decision.verdict == RateVerdict::kRateLimited) return too_many(decision.retry_after_seconds);
  Duration delay = decision.verdict == RateVerdict::kThrottle ? CurrentSettings().throttle_delay
                                                              : Duration::zero();

  if (faults_.TakeRevocation(facts)) tokens_.RevokeAll();
  ListEffects effects;
  enum class BodyFault { kNone, kMalformed, kTruncated } body_fault = BodyFault::kNone;
  if (auto fault = faults_.TakeResponseFault(facts)) {
    switch (fault->kind) {
      case FaultKind::kServerError: {
        SimResponse r;
        if (fault->status == 500) {
          r = ErrorResponse(500, request.path, "Internal Server Error", now_ms);
        } else {
          // A gateway in front of the API answers these, with its own HTML page.
          r.status = fault->status;
          r.content_type = "text/html";
          r.body = "<html><head><title>" + std::to_string(fault->status) + " " +
                   std::string(HttpReasonPhrase(fault->status)) + "</title></head><body><h1>" +
                   std::string(HttpReasonPhrase(fault->status)) + "</h1></body></html>";
        }
        r.delay = delay;
        return r;
      }
      case FaultKind::kForbidden: {
        // The plain "no permission" 403: no Retry-After, nothing about rate limits or blocks,
        // so a careful client tells it from an IP block and does not wait it out.
        SimResponse r = ErrorResponse(
            403, request.path,
            "Access is denied: the API user does not have permission to access this resource",
            now_ms);
        r.delay = delay;
        return r;
      }
      case FaultKind::kDropConnection: {
        SimResponse r;
        r.drop_connection = true;
        return r;
      }
      case FaultKind::kSlow:
        delay += fault->delay;
        break;
      case FaultKind::kMalformedJson:
        body_fault = BodyFault::kMalformed;
        break;
      case FaultKind::kTruncatedJson:
        body_fault = BodyFault::kTruncated;
        break;
      case FaultKind::kForeignNextPage:
        effects.foreign_origin = fault->origin;
        break;
      case FaultKind::kRepeatItems:
        effects.repeat = true;
        effects.repeat_items = fault->items;
        break;
      case FaultKind::kRevokeToken:
      case FaultKind::kRateLimit:
      case FaultKind::kBlock:
        break;  // handled above
    }
  }

  SimResponse response = Dispatch(request, route, query, now, effects);
  if (body_fault == BodyFault::kMalformed) {
    response.body = Malform(std::move(response.body));
  } else if (body_fault == BodyFault::kTruncated) {
    response.body.resize(response.body.size() / 2);
  }
  response.delay += delay;
  return response;
}

SimResponse Service::Dispatch(const SimRequest& request, const Route& route, const Params& query,
                              SteadyTime now, const ListEffects& effects) {
  const std::int64_t now_ms = ToEpochMillis(clock_.WallNow());
  auto not_found = [&](std::string_view what) {
    return ErrorResponse(404, request.path, what, now_ms);
  };
  auto not_allowed = [&](std::string_view allowed) {
    SimResponse r = ErrorResponse(405, request.path,
                                  "Request method '" + request.method + "' not supported", now_ms);
    r.headers.emplace_back("Allow", std::string(allowed));
    return r;
  };

  if (route.endpoint == Endpoint::kNotFound) return not_found("No handler found");
  if (route.endpoint == Endpoint::kToken) {
    if (request.method != "POST") return not_allowed("POST");
    return IssueToken(request, query, now);
  }
  if (route.needs_token) {
    if (auto denied = CheckBearer(request, now)) return std::move(*denied);
  }
  if (route.endpoint == Endpoint::kUnknownApi) return not_found("No handler found");
  if (request.method != route.method && !(request.method == "HEAD" && route.method == "GET")) {
    return not_allowed(route.method);
  }

  enum class Muted { kAll, kOnly, kNone, kInvalid };
  auto muted_filter = [&] {
    const auto muted = FindParam(query, "muted");
    if (!muted) return Muted::kAll;
    if (*muted == "true") return Muted::kOnly;
    if (*muted == "false") return Muted::kNone;
    return Muted::kInvalid;
  };

  const auto state = Current();
  const Settings settings = CurrentSettings();
  switch (route.endpoint) {
    case Endpoint::kAccount:
      return JsonResponse(200, RenderAccount(*state));
    case Endpoint::kAccountSites:
      return ServeList(
          request, query, "sites", true, options_.page_max, state->sites.size(), effects, 700,
          [&](JsonWriter& w, std::size_t i) { WriteSite(w, *state, *state->sites[i]); });
    case Endpoint::kAccountDevices:
      return ServeList(request, query, "devices", true, options_.page_max, state->devices.size(),
                       effects, 5300, [&](JsonWriter& w, std::size_t i) {
                         WriteDevice(w, *state, *state->devices[i], settings.device_timestamps);
                       });
    case Endpoint::kSite: {
      const SimSite* site = state->FindSite(route.uid);
      if (site == nullptr) return not_found("Site not found");
      std::string body;
      JsonWriter w(body);
      WriteSite(w, *state, *site);
      return JsonResponse(200, std::move(body));
    }
    case Endpoint::kSiteDevices: {
      if (state->FindSite(route.uid) == nullptr) return not_found("Site not found");
      const Positions& positions = state->DevicesOfSite(route.uid);
      return ServeList(request, query, "devices", true, options_.page_max, positions.size(),
                       effects, 5300, [&](JsonWriter& w, std::size_t i) {
                         WriteDevice(w, *state, *state->devices[positions[i]],
                                     settings.device_timestamps);
                       });
    }
    case Endpoint::kAccountAlertsOpen:
    case Endpoint::kSiteAlertsOpen: {
      const Muted muted = muted_filter();
      if (muted == Muted::kInvalid) {
        return ErrorResponse(400, request.path, "muted must be true or false", now_ms);
      }
      const bool per_site = route.endpoint == Endpoint::kSiteAlertsOpen;
      if (per_site && state->FindSite(route.uid) == nullptr) return not_found("Site not found");
      Positions positions;
      if (per_site) {
        positions = state->AlertsOfSite(route.uid);
      } else {
        positions.resize(state->alerts.size());
        for (std::size_t i = 0; i < positions.size(); ++i) positions[i] = i;
      }
      if (muted != Muted::kAll) {
        std::erase_if(positions, [&](std::size_t i) {
          return state->alerts[i]->muted.value_or(false) != (muted == Muted::kOnly);
        });
      }
      return ServeList(
          request, query, "alerts", false, options_.alerts_page_max, positions.size(), effects,
          1200, [&](JsonWriter& w, std::size_t i) { WriteAlert(w, *state->alerts[positions[i]]); });
    }
    case Endpoint::kDevice: {
      const SimDevice* device = state->FindDevice(route.uid);
      if (device == nullptr) return not_found("Device not found");
      std::string body;
      JsonWriter w(body);
      WriteDevice(w, *state, *device, settings.device_timestamps);
      return JsonResponse(200, std::move(body));
    }
    case Endpoint::kRequestRate:
      return RequestRate(now);
    case Endpoint::kPagination:
      return JsonResponse(200, json{{"max", options_.page_max}}.dump());
    case Endpoint::kStatus:
      return Status();
    case Endpoint::kToken:
    case Endpoint::kUnknownApi:
    case Endpoint::kNotFound:
      break;
  }
  return not_found("No handler found");
}

template <typename RenderItem>
SimResponse Service::ServeList(const SimRequest& request, const Params& query, std::string_view key,
                               bool with_total, int cap, std::size_t total,
                               const ListEffects& effects, std::size_t bytes_per_item,
                               const RenderItem& render) {
  const auto parsed = ParsePageRequest(query, cap);
  if (!parsed.ok()) {
    return ErrorResponse(400, request.path, parsed.error().message,
                         ToEpochMillis(clock_.WallNow()));
  }
  const PageRequest page = parsed.value();
  const auto n = static_cast<std::int64_t>(total);
  const std::int64_t offset =
      page.page * page.max - WalkShift(request.path, page.page, page.max, effects);
  const std::int64_t begin = std::clamp<std::int64_t>(offset, 0, n);
  const std::int64_t end = std::clamp<std::int64_t>(offset + page.max, 0, n);
  const bool has_next = offset + page.max < n;
  if (!has_next) EndWalk(request.path);

  const std::string origin = CurrentSettings().origin;
  PageDetailsData details;
  details.count = end - begin;
  if (with_total) details.total_count = n;
  if (page.page > 0) details.prev_page_url = PageUrl(origin, request.path, page.max, page.page - 1);
  if (has_next || effects.foreign_origin) {
    details.next_page_url =
        PageUrl(effects.foreign_origin.value_or(origin), request.path, page.max, page.page + 1);
  }

  std::string body;
  body.reserve(static_cast<std::size_t>(end - begin) * bytes_per_item + 512);
  JsonWriter w(body);
  w.BeginObject();
  w.Key("pageDetails");
  WritePageDetails(w, details);
  w.Key(key).BeginArray();
  for (std::int64_t i = begin; i < end; ++i) render(w, static_cast<std::size_t>(i));
  w.EndArray();
  w.EndObject();
  return JsonResponse(200, std::move(body));
}

std::int64_t Service::WalkShift(const std::string& path, std::int64_t page, std::int64_t max,
                                const ListEffects& effects) {
  std::lock_guard lock(walks_mutex_);
  auto it = std::find_if(walks_.begin(), walks_.end(),
                         [&](const auto& walk) { return walk.first == path; });
  if (page == 0 && it != walks_.end()) {  // a new walk starts unshifted
    walks_.erase(it);
    it = walks_.end();
  }
  auto shift_at = [&]() {
    std::int64_t shift = 0;
    if (it != walks_.end()) {
      for (const auto& [from, items] : it->second) {
        if (page >= from) shift += items;
      }
    }
    return shift;
  };
  if (effects.repeat && page >= 1) {
    std::int64_t items =
        effects.repeat_items > 0 ? std::min<std::int64_t>(effects.repeat_items, max) : max;
    items = std::min(items, page * max - shift_at());  // never before the first item
    if (items > 0) {
      if (it == walks_.end()) {
        walks_.emplace_back(path, std::vector<std::pair<std::int64_t, std::int64_t>>{});
        it = walks_.end() - 1;
      }
      it->second.emplace_back(page, items);
    }
  }
  return shift_at();
}

void Service::EndWalk(const std::string& path) {
  std::lock_guard lock(walks_mutex_);
  std::erase_if(walks_, [&](const auto& walk) { return walk.first == path; });
}

SimResponse Service::RequestRate(SteadyTime now) {
  std::int64_t count = 0;
  RateLimitSettings limits;
  {
    std::lock_guard lock(limiter_mutex_);
    count = limiter_.Count(now);
    limits = limiter_.settings();
  }
  // A scaled window (1500 ms) is reported to the nearest whole second, never 0.
  const auto window_seconds =
      std::max<std::int64_t>(1, std::llround(std::chrono::duration<double>(limits.window).count()));
  std::string body;
  JsonWriter w(body);
  w.BeginObject();
  w.Key("slidingTimeWindowSizeSeconds").Int(window_seconds);
  w.Key("accountUid").String(Current()->account.uid);
  w.Key("accountCount").Int(count);
  w.Key("accountRateLimit").Int(limits.limit);
  w.Key("accountCutOffRatio").Double(limits.cutoff_ratio);
  w.Key("accountWriteRateLimit").Int(100);
  w.Key("accountWriteCount").Int(0);
  w.Key("operationWriteStatus").BeginObject();
  w.Key("device-udf-set").BeginObject().Key("limit").Int(50).Key("count").Int(0).EndObject();
  w.Key("quickjob-create").BeginObject().Key("limit").Int(50).Key("count").Int(0).EndObject();
  w.EndObject();
  w.EndObject();
  return JsonResponse(200, std::move(body));
}

SimResponse Service::Status() const {
  return JsonResponse(200, json{{"version", kVersion},
                                {"status", "OK"},
                                {"started", FormatIsoMillis(ToEpochMillis(started_wall_))}}
                               .dump());
}

}  // namespace drmm::sim
