// datto-rmm-sim: the Datto RMM API simulator as a process. Parses flags, starts the simulator,
// prints its URL as the first line on stdout, and stops cleanly on SIGTERM or SIGINT.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <stdexcept>

#include "common/command_line.h"
#include "common/log.h"
#include "sim/flags.h"
#include "sim/simulator.h"

int main(int argc, char** argv) {
  const auto parsed = drmm::sim::ParseFlags(drmm::ArgumentsOf(argc, argv));
  if (!parsed.ok()) {
    std::fprintf(stderr, "datto-rmm-sim: %s\nrun with --help for usage\n",
                 parsed.error().message.c_str());
    return 2;
  }
  const drmm::sim::CommandLine& flags = parsed.value();
  if (flags.help) {
    std::fputs(drmm::sim::UsageText().c_str(), stdout);
    return 0;
  }

  // Blocked before any thread starts, so every thread inherits the mask and the signals are
  // taken only by sigwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    drmm::sim::Simulator simulator(flags.options);
    const int port = simulator.Start();
    std::printf("datto-rmm-sim listening on http://127.0.0.1:%d\n", port);
    std::fflush(stdout);
    int signal = 0;
    sigwait(&signals, &signal);
    drmm::LogInfo("stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
    simulator.Stop();
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "datto-rmm-sim: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "datto-rmm-sim: %s\n", e.what());
    return 1;
  }
  return 0;
}
