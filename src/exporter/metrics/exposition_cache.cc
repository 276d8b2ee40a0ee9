#include "exporter/metrics/exposition_cache.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>

#include "common/log.h"
#include "exporter/catalog/catalog.h"
#include "exporter/metrics/deflate_piece.h"
#include "exporter/metrics/render.h"
#include "exporter/metrics/text_format.h"

namespace drmm {
namespace {

// One family's series of one account (or a family's header), compressed once. Only the
// compressed form is kept: Prometheus always asks for gzip, and keeping the text beside it held
// 15 MB of text next to 1.2 MB of gzip at 2,000 sites, twice over while a render replaced it.
struct Chunk {
  DeflatedPiece piece;
  // With the piece's length, tells an unchanged text without keeping it (a changed family that
  // matched both by chance, at odds of 2^-64, would be served unchanged until it changes again).
  std::size_t text_hash = 0;
};

std::size_t TextHash(std::string_view text) { return std::hash<std::string_view>{}(text); }

std::shared_ptr<const Chunk> MakeChunk(std::string_view text, int level) {
  auto chunk = std::make_shared<Chunk>();
  chunk->piece = DeflatePiece(text, level);
  chunk->text_hash = TextHash(text);
  return chunk;
}

bool MadeFrom(const Chunk& chunk, std::string_view text) {
  return chunk.piece.size == text.size() && chunk.text_hash == TextHash(text);
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

// The families to render together, pass by pass: in catalog order, each pass as many as fit in
// `pass_bytes` by their previous sizes (a family bigger than that alone). Without a previous
// render the sizes are unknown (and no old text is held): one pass.
using FamilySizes = std::array<std::uint64_t, kSnapshotFamilyCount>;
std::vector<FamilySet> RenderPasses(const std::optional<FamilySizes>& sizes,
                                    std::uint64_t pass_bytes) {
  if (!sizes) return {FamilySet().set()};
  std::vector<FamilySet> passes;
  FamilySet pass;
  std::uint64_t bytes = 0;
  for (std::size_t family = 0; family < kSnapshotFamilyCount; ++family) {
    const std::uint64_t size = (*sizes)[family];
    if (pass.any() && bytes + size > pass_bytes) {
      passes.push_back(pass);
      pass.reset();
      bytes = 0;
    }
    pass.set(family);
    bytes += size;
  }
  passes.push_back(pass);
  return passes;
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

// The text of every snapshot family (its header and every account's series), for plain scrapes.
struct ExpositionCache::PlainText {
  std::array<std::string, kSnapshotFamilyCount> families;  // the live family is left empty
};

struct ExpositionCache::State {
  std::vector<std::shared_ptr<const Part>> parts;  // sorted by name
  // Inflated by the first plain scrape of this state and shared by every plain scrape in
  // flight; gone when the last of them is written, so at most one copy exists per state and
  // none between plain scrapes.
  mutable std::mutex plain_mutex;
  mutable std::weak_ptr<const PlainText> plain;
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
  auto state = std::make_shared<State>();
  state->parts = state_->parts;
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
  auto part = std::make_shared<Part>();
  part->name = source.name;
  part->requests_in_window = snapshot.requests_in_window;
  part->live_requests_in_window = source.requests_in_window;
  part->stale_at = snapshot.next_stale_at;
  for (const auto& collector : snapshot.collectors) {
    if (collector.enabled && !collector.last_success_unix) part->waiting.push_back(collector.name);
  }
  std::optional<FamilySizes> previous_sizes;
  if (previous) {
    previous_sizes.emplace();
    for (std::size_t family = 0; family < kSnapshotFamilyCount; ++family) {
      const auto& chunk = previous->families[family];
      (*previous_sizes)[family] = chunk ? chunk->piece.size : 0;
    }
  }
  for (const FamilySet& pass : RenderPasses(previous_sizes, options_.pass_text_bytes)) {
    FamilyTexts texts = RenderAccount(snapshot, pass);
    for (std::size_t family = 0; family < kSnapshotFamilyCount; ++family) {
      if (!pass[family] || family == kLiveFamily || texts[family].empty()) continue;
      // Unchanged text keeps its compressed form: an alerts poll recompresses the alert
      // families, not the device families it left as they were.
      if (previous && previous->families[family] &&
          MadeFrom(*previous->families[family], texts[family])) {
        part->families[family] = previous->families[family];
      } else {
        part->families[family] = MakeChunk(texts[family], options_.gzip_level);
      }
      std::string().swap(texts[family]);  // the text goes as soon as it is compressed
    }
  }
  return part;
}

std::shared_ptr<const ExpositionCache::PlainText> ExpositionCache::PlainTextOf(
    const State& state) const {
  // Under the state's lock: concurrent plain scrapes wait for one inflation and share it.
  std::lock_guard lock(state.plain_mutex);
  if (auto plain = state.plain.lock()) return plain;
  auto plain = std::make_shared<PlainText>();
  for (std::size_t family = 0; family < kSnapshotFamilyCount; ++family) {
    if (family == kLiveFamily) continue;
    std::string& text = plain->families[family];
    for (const auto& part : state.parts) {
      const auto& chunk = part->families[family];
      if (!chunk) continue;
      Result<std::string> series = InflatePiece(chunk->piece);
      if (!series.ok()) {
        // Pieces are made by DeflatePiece in this process: only a memory error gets here.
        LogError("cannot serve a family as plain text",
                 {{"account", part->name}, {"error", series.error().message}});
        continue;
      }
      if (text.empty()) text = SnapshotFamilyHeader(family);
      text += series.value();
    }
  }
  state.plain = plain;
  plain_texts_built_.fetch_add(1, std::memory_order_relaxed);
  return plain;
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
  std::shared_ptr<const PlainText> plain;
  if (gzip) {
    body.pieces.push_back(GzipHeader());
  } else {
    plain = PlainTextOf(*state);
    body.owners.push_back(plain);
  }
  auto add_chunk = [&](const Chunk& chunk) {
    body.pieces.emplace_back(chunk.piece.deflated);
    trailer.Add(chunk.piece);
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
    if (!gzip) {
      if (!plain->families[family].empty()) body.pieces.emplace_back(plain->families[family]);
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

std::size_t ExpositionCache::plain_texts_built() const {
  return plain_texts_built_.load(std::memory_order_relaxed);
}

std::size_t ExpositionCache::renders() const {
  std::lock_guard lock(mutex_);
  return renders_;
}

}  // namespace drmm
