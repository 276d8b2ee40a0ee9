// /metrics rendered once per data change. The pollers say when an account changed; a render
// thread re-renders that account's part (each of its families compressed once; the text is not
// kept) and swaps in a new immutable state. A gzip scrape takes the current state and hands the
// server views of the prepared parts, adding only what changes per scrape: the rate governor's
// live request count, the exporter's own metrics and the process metrics. So a gzip scrape costs
// what writing its bytes costs, whatever the account's size, and a scrape during a poll or a swap
// sees one whole state, old or new, never a mix. A plain scrape (curl; Prometheus always asks
// for gzip) inflates the state's text once and shares it with the plain scrapes in flight.
//
// Output: byte for byte what RenderSnapshotText gives for the same snapshots (families in catalog
// order, one HELP/TYPE each, accounts in name order), followed by the per-scrape text.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/shared_body.h"
#include "exporter/collect/snapshot.h"

namespace drmm {

class ExpositionCache {
 public:
  struct AccountSource {
    std::string name;  // the account label; parts are served in name order
    // The account's state now (data older than max_staleness already dropped). Called on the
    // render thread.
    std::function<AccountSnapshot()> snapshot;
    // datto_rmm_api_requests_in_window at scrape time; empty: use the snapshot's value.
    std::function<std::optional<double>()> requests_in_window;
  };
  struct Options {
    int gzip_level = 6;  // zlib level for the prepared parts (once per change)
    // Appended after the snapshot families on every scrape: the exporter's own metrics and the
    // process metrics, in the text format.
    std::function<std::string()> per_scrape_text;
    // The text a render pass may produce at once, judged by the families' previous sizes (a
    // bigger family gets a pass of its own): bounds the new text that exists at once while the
    // state being served is still held. At 2,000 sites an account's text is 15 MB, its biggest
    // family about 4 MB.
    std::uint64_t pass_text_bytes = 4 << 20;
  };

  ExpositionCache(Options options, Clock& clock);
  ~ExpositionCache();
  ExpositionCache(const ExpositionCache&) = delete;
  ExpositionCache& operator=(const ExpositionCache&) = delete;

  // The accounts to serve, replacing any earlier set (start-up, config reload). An account whose
  // name was served before keeps its prepared part until its first re-render. Renders them.
  void SetAccounts(std::vector<AccountSource> accounts);
  // The account's data or state changed: the render thread re-renders it soon.
  void Changed(const std::string& name);
  // Starts the render thread (re-renders after Changed and when data turns stale).
  void Start();
  void Stop();
  // Renders every account whose part is missing or out of date, on the calling thread (tests;
  // the render thread calls it too).
  void RenderPending();

  MetricsResponse Scrape(bool gzip) const;
  // For /-/ready, from what is being served (so "ready" means the metrics show every
  // collector's data): one entry per account with an enabled collector that has not succeeded
  // yet, as "acme: devices, alerts"; empty when every account is ready.
  std::vector<std::string> NotReady() const;

  // Account renders so far, for the benchmark and tests.
  std::size_t renders() const;
  // Times a plain scrape inflated the text of a state (tests: concurrent plain scrapes share one).
  std::size_t plain_texts_built() const;

 private:
  struct Part;
  struct PlainText;
  struct State;

  std::shared_ptr<const PlainText> PlainTextOf(const State& state) const;

  // Renders `source`, reusing `previous`'s compressed families whose text did not change.
  std::shared_ptr<const Part> Render(const AccountSource& source,
                                     const std::shared_ptr<const Part>& previous) const;
  void Loop(const std::stop_token& stop);

  const Options options_;
  Clock& clock_;

  std::mutex render_mutex_;   // one render at a time: an older one never swaps in after a newer
  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable_any wake_;
  std::vector<AccountSource> sources_;
  std::map<std::string, bool> dirty_;  // account name -> needs a render
  std::shared_ptr<const State> state_;
  std::size_t renders_ = 0;
  mutable std::atomic<std::size_t> plain_texts_built_{0};
  std::jthread thread_;
};

}  // namespace drmm
