#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <iostream>

#include "cli.hpp"

namespace {

std::atomic<bool> cancelled{false};

extern "C" void on_signal(int) {
  cancelled = true;
}

std::string self_exe() {
  char buf[PATH_MAX];
  auto n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string{};
}

} // namespace

int main(int argc, char** argv) {
  struct sigaction sa = {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  auto env = relc::cli::locate_environment(self_exe());
  env.cancelled = &cancelled;
  // Bad input is a diagnostic, never an exception; one that escapes is a
  // bug of relc's, and says so in one line instead of aborting.
  try {
    return relc::cli::run_cli({argv + 1, argv + argc}, std::cout, std::cerr,
                              env);
  } catch (const std::exception& e) {
    std::cerr << "relc: internal error (a bug in relc, please report it): "
              << e.what() << '\n';
  } catch (...) {
    std::cerr << "relc: internal error (a bug in relc, please report it)\n";
  }
  return 70; // EX_SOFTWARE
}
