#include "exporter/metrics/exposition_cache.h"

#include <algorithm>
#include <array>
#include <utility>

#include "exporter/catalog/catalog.h"
#include "exporter/metrics/deflate_piece.h"
#include "exporter/metrics/render.h"
#include "exporter/metrics/text_format.h"

namespace drmm {
namespace {

// One family's series of one account (or a family's header): the text and its compressed form,
// made once.
struct Chunk {
  std::string text;
  DeflatedPiece piece;
};

std::shared_ptr<const Chunk> MakeChunk(std::string text, int level) {
  auto chunk = std::make_shared<Chunk>();
  chunk->piece = DeflatePiece(text, level);
  chunk->text = std::move(text);
  return chunk;
}

const std::array<std::shared_ptr<const Chunk>, kSnapshotFamilyCount>& HeaderChunks() {
  static const auto kHeaders = [] {
    std::array<std::shared_ptr<const Chunk>, kSnapshotFamilyCount> headers;
    for (std::size_t i = 0; i < kSnapshotFamilyCount; ++i) {
      headers[i] = MakeChunk(SnapshotFamilyHeader(i), 6);
    }
    return headers;
  }();
  return kHeaders;
}

// How often the render thread looks for data that has turned stale, when nothing changed.
constexpr auto kStalenessCheckInterval = std::chrono::seconds(1);

}  // namespace

struct ExpositionCache::Part {
  std::string name;
  std::array<std::shared_ptr<const Chunk>, kSnapshotFamilyCount> families;  // null: no series
  std::optional<double> requests_in_window;  // the snapshot's, when there is no live readout
  std::function<std::optional<double>()> live_requests_in_window;
  std::optional<SteadyTime> stale_at;  // when data served now turns stale: render again then
  std::vector<std::string> waiting;    // enabled collectors without a first success yet
};

struct ExpositionCache::State {
  std::vector<std::shared_ptr<const Part>> parts;  // sorted by name
};

ExpositionCache::ExpositionCache(Options options, Clock& clock)
    : options_(std::move(options)), clock_(clock), state_(std::make_shared<const State>()) {}

ExpositionCache::~ExpositionCache() { Stop(); }

void ExpositionCache::SetAccounts(std::vector<AccountSource> accounts) {
  {
    std::lock_guard lock(mutex_);
    sources_ = std::move(accounts);
    std::sort(sources_.begin(), sources_.end(),
              [](const AccountSource& a, const AccountSource& b) { return a.name < b.name; });
    dirty_.clear();
    for (const auto& source : sources_) dirty_[source.name] = true;
    // Parts of accounts that are gone go now; the others stay until re-rendered.
    auto state = std::make_shared<State>();
    for (const auto& part : state_->parts) {
      if (dirty_.contains(part->name)) state->parts.push_back(part);
    }
    state_ = std::move(state);
  }
  RenderPending();
}

void ExpositionCache::Changed(const std::string& name) {
  {
    std::lock_guard lock(mutex_);
    dirty_[name] = true;
  }
  wake_.notify_all();
}

void ExpositionCache::Start() {
  thread_ = std::jthread([this](const std::stop_token& stop) { Loop(stop); });
}

void ExpositionCache::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
}

void ExpositionCache::Loop(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, kStalenessCheckInterval, [this] {
        return std::any_of(dirty_.begin(), dirty_.end(), [](const auto& d) { return d.second; });
      });
    }
    if (stop.stop_requested()) return;
    RenderPending();
  }
}

void ExpositionCache::RenderPending() {
  std::lock_guard render_lock(render_mutex_);
  struct Job {
    AccountSource source;
    std::shared_ptr<const Part> previous;
  };
  std::vector<Job> jobs;
  {
    std::lock_guard lock(mutex_);
    const SteadyTime now = clock_.Now();
    for (const auto& source : sources_) {
      std::shared_ptr<const Part> previous;
      for (const auto& part : state_->parts) {
        if (part->name == source.name) previous = part;
      }
      const bool stale = previous && previous->stale_at && now >= *previous->stale_at;
      bool& dirty = dirty_[source.name];
      if (!dirty && previous && !stale) continue;
      dirty = false;
      jobs.push_back({source, previous});
    }
  }
  if (jobs.empty()) return;
  std::vector<std::shared_ptr<const Part>> rendered;
  rendered.reserve(jobs.size());
  for (const auto& job : jobs) rendered.push_back(Render(job.source, job.previous));

  std::lock_guard lock(mutex_);
  auto state = std::make_shared<State>(*state_);
  for (auto& part : rendered) {
    // Only accounts still configured (a reload may have removed one meanwhile).
    const bool configured = std::any_of(sources_.begin(), sources_.end(),
                                        [&](const auto& s) { return s.name == part->name; });
    if (!configured) continue;
    auto it = std::find_if(state->parts.begin(), state->parts.end(),
                           [&](const auto& p) { return p->name == part->name; });
    if (it != state->parts.end()) {
      *it = std::move(part);
    } else {
      state->parts.push_back(std::move(part));
    }
  }
  std::sort(state->parts.begin(), state->parts.end(),
            [](const auto& a, const auto& b) { return a->name < b->name; });
  state_ = std::move(state);
  renders_ += rendered.size();
}

std::shared_ptr<const ExpositionCache::Part> ExpositionCache::Render(
    const AccountSource& source, const std::shared_ptr<const Part>& previous) const {
  const AccountSnapshot snapshot = source.snapshot();
  FamilyTexts texts = RenderAccount(snapshot);
  auto part = std::make_shared<Part>();
  part->name = source.name;
  part->requests_in_window = snapshot.requests_in_window;
  part->live_requests_in_window = source.requests_in_window;
  part->stale_at = snapshot.next_stale_at;
  for (const auto& collector : snapshot.collectors) {
    if (collector.enabled && !collector.last_success_unix) part->waiting.push_back(collector.name);
  }
  for (std::size_t family = 0; family < kSnapshotFamilyCount; ++family) {
    if (family == kLiveFamily || texts[family].empty()) continue;
    // Unchanged text keeps its compressed form: an alerts poll recompresses the alert
    // families, not the device families it left as they were.
    if (previous && previous->families[family] &&
        previous->families[family]->text == texts[family]) {
      part->families[family] = previous->families[family];
      continue;
    }
    part->families[family] = MakeChunk(std::move(texts[family]), options_.gzip_level);
  }
  return part;
}

MetricsResponse ExpositionCache::Scrape(bool gzip) const {
  std::shared_ptr<const State> state;
  {
    std::lock_guard lock(mutex_);
    state = state_;
  }
  MetricsResponse response;
  response.gzip = gzip;
  SharedBody& body = response.body;
  body.owners.push_back(state);                   // keeps every part and chunk alive until written
  body.owners.push_back(HeaderChunks().front());  // the headers are static; any owner will do
  GzipTrailer trailer;
  if (gzip) body.pieces.push_back(GzipHeader());
  auto add_chunk = [&](const Chunk& chunk) {
    if (gzip) {
      body.pieces.emplace_back(chunk.piece.deflated);
      trailer.Add(chunk.piece);
    } else {
      body.pieces.emplace_back(chunk.text);
    }
  };
  auto add_text = [&](std::string text) {
    if (text.empty()) return;
    if (!gzip) {
      body.AppendOwned(std::move(text));
      return;
    }
    auto piece = std::make_shared<const DeflatedPiece>(DeflatePiece(text, 1));
    body.pieces.emplace_back(piece->deflated);
    trailer.Add(*piece);
    body.owners.push_back(std::move(piece));
  };

  for (std::size_t family = 0; family < kSnapshotFamilyCount; ++family) {
    if (family == kLiveFamily) {
      std::string text;
      SeriesWriter series(text, kMetricRequestsInWindow.name);
      for (const auto& part : state->parts) {
        std::optional<double> value = part->requests_in_window;
        if (part->live_requests_in_window) value = part->live_requests_in_window();
        if (value) series.Begin().Label("account", part->name).End(*value);
      }
      if (!text.empty()) add_text(SnapshotFamilyHeader(family) + text);
      continue;
    }
    bool header = false;
    for (const auto& part : state->parts) {
      const auto& chunk = part->families[family];
      if (!chunk) continue;
      if (!header) add_chunk(*HeaderChunks()[family]);
      header = true;
      add_chunk(*chunk);
    }
  }
  if (options_.per_scrape_text) add_text(options_.per_scrape_text());
  if (gzip) body.AppendOwned(trailer.Finish());
  return response;
}

std::vector<std::string> ExpositionCache::NotReady() const {
  std::shared_ptr<const State> state;
  std::vector<std::string> unrendered;
  {
    std::lock_guard lock(mutex_);
    state = state_;
    for (const auto& source : sources_) {
      const bool rendered =
          std::any_of(state->parts.begin(), state->parts.end(),
                      [&](const auto& part) { return part->name == source.name; });
      if (!rendered) unrendered.push_back(source.name + ": not rendered yet");
    }
  }
  std::vector<std::string> waiting = std::move(unrendered);
  for (const auto& part : state->parts) {
    if (part->waiting.empty()) continue;
    std::string entry = part->name + ":";
    for (std::size_t i = 0; i < part->waiting.size(); ++i) {
      entry += (i == 0 ? " " : ", ") + part->waiting[i];
    }
    waiting.push_back(std::move(entry));
  }
  return waiting;
}

std::size_t ExpositionCache::renders() const {
  std::lock_guard lock(mutex_);
  return renders_;
}

}  // namespace drmm
