// The watch on the web config: a changed file is read again at the next use, a change that does
// not load is reported once and the running config stays, and the listener is told outside the
// watcher's lock (a reload that applies a web config holds its own lock around Replace).
#include "exporter/web/web_config_watcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "command.h"

namespace drmm {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAlice =
    "basic_auth_users:\n  alice: $2b$04$iE1X9F/yW3HjD79zPrENYeh9ByEtkE5/nR4oH.un8eJcYMsLeP3CW\n";
constexpr const char* kBob =
    "basic_auth_users:\n  bob: $2b$04$W606ptVQUmV3LUH5IxkSoOK0p9SHkV7hYvzb89JGPE5g6h.Dm1UA2\n";

std::shared_ptr<const ActiveWebConfig> Load(const std::string& path) {
  auto loaded = LoadActiveWebConfig(path);
  if (!loaded.ok()) {
    ADD_FAILURE() << loaded.error().front().ToString();
    return nullptr;
  }
  return std::move(loaded).value();
}

std::string FirstUser(const ActiveWebConfig& config) {
  return config.config.users.empty() ? "" : config.config.users.front().name;
}

TEST(WebConfigWatcher, WithoutAFileThereIsNothingToWatch) {
  auto empty = Load("");
  ASSERT_NE(empty, nullptr);
  EXPECT_FALSE(empty->Tls());
  EXPECT_FALSE(empty->BasicAuth());
  int told = 0;
  WebConfigWatcher watcher(empty, [&](const std::vector<ConfigError>*) { ++told; });
  EXPECT_EQ(watcher.Current(), empty);
  EXPECT_EQ(told, 0);
}

TEST(WebConfigWatcher, ReReadsAChangedFileOnceAndKeepsTheLastGoodOne) {
  testing::ScratchDir dir("drmm-watch");
  const std::string file = dir.File("web.yml");
  testing::WriteTextFile(file, kAlice);
  std::vector<std::string> told;
  WebConfigWatcher watcher(Load(file), [&](const std::vector<ConfigError>* errors) {
    told.push_back(errors == nullptr ? "applied" : errors->front().ToString());
  });
  const auto first = watcher.Current();
  EXPECT_EQ(FirstUser(*first), "alice");
  EXPECT_EQ(watcher.Current(), first) << "unchanged: the same config, nothing read";

  testing::WriteTextFile(file, kBob);
  EXPECT_EQ(FirstUser(*watcher.Current()), "bob");
  EXPECT_EQ(told, std::vector<std::string>{"applied"});

  testing::WriteTextFile(file, "basic_auth_users:\n  bob: not-a-hash\n");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(FirstUser(*watcher.Current()), "bob");
  ASSERT_EQ(told.size(), 2u) << "a broken change is reported once";
  EXPECT_EQ(told[1],
            file +
                ":2: basic_auth_users.bob: not a bcrypt hash (expected $2y$, $2b$ or $2a$, "
                "a cost and 53 characters, as htpasswd -nBC 10 \"\" prints)");

  testing::WriteTextFile(file, kAlice);
  EXPECT_EQ(FirstUser(*watcher.Current()), "alice");
  EXPECT_EQ(told.size(), 3u);
  // A removed file is a change that does not load.
  std::filesystem::remove(file);
  EXPECT_EQ(FirstUser(*watcher.Current()), "alice");
  EXPECT_EQ(told.size(), 4u);
}

TEST(WebConfigWatcher, ReplaceAppliesAConfigLoadedElsewhere) {
  testing::ScratchDir dir("drmm-watch");
  const std::string file = dir.File("web.yml");
  testing::WriteTextFile(file, kAlice);
  WebConfigWatcher watcher(Load(file), nullptr);
  testing::WriteTextFile(file, kBob);
  const auto bob = Load(file);
  watcher.Replace(bob);
  EXPECT_EQ(watcher.Current(), bob) << "already current: nothing to read again";
}

TEST(WebConfigWatcher, TheListenerMayUseTheWatcher) {
  testing::ScratchDir dir("drmm-watch");
  const std::string file = dir.File("web.yml");
  testing::WriteTextFile(file, kAlice);
  WebConfigWatcher* self = nullptr;
  WebConfigWatcher watcher(Load(file), [&](const std::vector<ConfigError>*) {
    self->Replace(self->Current());  // would deadlock if told under the watcher's lock
  });
  self = &watcher;
  testing::WriteTextFile(file, kBob);
  std::atomic<bool> done{false};
  std::thread user([&] {
    watcher.Current();
    done = true;
  });
  for (int i = 0; i < 500 && !done; ++i) std::this_thread::sleep_for(10ms);
  if (!done) {
    user.detach();  // stuck for good; the process ends with the test binary
    FAIL() << "the listener was called with the watcher locked";
  }
  user.join();
  EXPECT_EQ(FirstUser(*watcher.Current()), "bob");
}

}  // namespace
}  // namespace drmm
