// A GoogleTest fixture whose environment is set up once for all the cases of its suite: the
// processes of an end-to-end test take seconds to become useful (Prometheus's first scrape
// alone about 6 s) and every case only looks at them, so starting them per case would multiply
// the suite's wall time.
//
// Environment is a default-constructible struct at namespace scope (a nested one would be
// incomplete where the base needs it). The fixture derives from
// SharedEnvironmentTest<Fixture, Environment>, befriends it, and provides
//   static void Start(Environment&);                    throws std::runtime_error on failure
//   static std::vector<StartedProcess*> ProjectPrograms(Environment&);
//       the exporter and simulators, in the order to stop them: each must exit 0 on SIGTERM
//       with no sanitizer report (StopCleanly)
//   static std::vector<StartedProcess*> Programs(Environment&);
//       every process, whose stderr tails a failing case prints
// A failed start fails every case with its message instead of crashing the binary.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include "launch.h"

namespace drmm::e2e {

template <typename Fixture, typename Environment>
class SharedEnvironmentTest : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    try {
      environment_ = std::make_unique<Environment>();
      Fixture::Start(*environment_);
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }

  static void TearDownTestSuite() {
    if (environment_) {
      for (StartedProcess* program : Fixture::ProjectPrograms(*environment_)) {
        EXPECT_EQ(StopCleanly(*program, std::chrono::seconds(10)), "");
      }
    }
    environment_.reset();  // kills whatever is still running (Prometheus)
  }

 protected:
  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

  void TearDown() override {
    if (!HasFailure() || !environment_) return;
    for (const StartedProcess* program : Fixture::Programs(*environment_)) {
      if (program->process) std::cerr << program->process->StderrTail() << "\n";
    }
  }

  static Environment& env() { return *environment_; }

 private:
  static inline std::unique_ptr<Environment> environment_;
  static inline std::string setup_error_;
};

}  // namespace drmm::e2e
