#include "boot_host.hpp"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <caf/all.hpp>

#include "relc/runtime/node.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace relc {

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

// node.args: one flag per line, `#` comments, blank lines ignored.
std::vector<std::string> read_node_args(const std::string& root) {
  std::vector<std::string> result;
  std::ifstream start{root + "/releases/start.data"};
  std::string rvsn;
  std::string vsn;
  if (!(start >> rvsn >> vsn))
    return result;
  std::ifstream in{root + "/releases/" + vsn + "/node.args"};
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos)
      line.erase(hash);
    auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos)
      continue;
    result.push_back(line.substr(b, line.find_last_not_of(" \t\r") - b + 1));
  }
  return result;
}

struct parsed_args {
  node_options node;
  std::vector<std::string> caf_args;
  std::string error;
};

// Applies flags in order; later ones win (and --env accumulates).
void apply_flags(const std::vector<std::string>& flags, parsed_args& out) {
  for (size_t i = 0; i < flags.size(); ++i) {
    auto flag = flags[i];
    std::string value;
    auto eq = flag.find('=');
    auto name = flag.substr(0, eq);
    auto takes_value = name == "--config" || name == "--env"
                       || name == "--shutdown-time";
    if (takes_value) {
      if (eq != std::string::npos) {
        value = flag.substr(eq + 1);
      } else if (i + 1 < flags.size()) {
        value = flags[++i];
      } else {
        out.error = name + " needs a value";
        return;
      }
    }
    if (name == "--config") {
      out.node.config_file = value;
    } else if (name == "--env") {
      out.node.env_overrides.push_back(value);
    } else if (name == "--shutdown-time") {
      char* end = nullptr;
      auto ms = strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || ms < 0) {
        out.error = "--shutdown-time: expected milliseconds, found '" + value + "'";
        return;
      }
      out.node.shutdown_time = std::chrono::milliseconds(ms);
    } else if (flag == "--init-debug") {
      out.node.init_debug = true;
    } else if (flag.rfind("--", 0) == 0) {
      out.caf_args.push_back(flag); // CAF's own options (scheduler, ...)
    } else {
      out.error = "unexpected argument '" + flag + "'";
      return;
    }
  }
}

} // namespace

int run_boot_host(const std::vector<std::string>& args) {
  if (args.empty() || args[0].rfind("--", 0) == 0) {
    fprintf(stderr, "relc: error: usage: relc boot RELEASE_DIR [--config FILE] "
                    "[--env APP.KEY=VALUE]... [--init-debug] "
                    "[--shutdown-time MS]\n");
    return exit_usage;
  }
  parsed_args parsed;
  parsed.node.release_dir = args[0];
  auto from_file = read_node_args(args[0]);
  apply_flags(from_file, parsed);
  if (!parsed.error.empty()) {
    fprintf(stderr, "relc: error: node.args: %s\n", parsed.error.c_str());
    return exit_failed;
  }
  apply_flags({args.begin() + 1, args.end()}, parsed);
  if (!parsed.error.empty()) {
    fprintf(stderr, "relc: error: %s\n", parsed.error.c_str());
    return exit_usage;
  }
  // Block the stop signals before CAF starts its threads, so they inherit
  // the mask and only the signal thread below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  caf::actor_system_config cfg;
  std::vector<std::string> caf_argv{"relc"};
  caf_argv.insert(caf_argv.end(), parsed.caf_args.begin(), parsed.caf_args.end());
  std::vector<char*> argv;
  for (auto& a : caf_argv)
    argv.push_back(a.data());
  if (auto err = cfg.parse(static_cast<int>(argv.size()), argv.data())) {
    fprintf(stderr, "relc: error: CAF options: %s\n", cfg.render(err).c_str());
    return exit_usage;
  }
  int status = exit_ok;
  // Libraries load before the actor system's threads exist: mapping code
  // into a single-threaded process is cheaper (no cross-CPU TLB flushes).
  node n{parsed.node};
  if (auto err = n.load()) {
    fprintf(stderr, "boot failed: %s\n", describe_error(err).c_str());
    return exit_failed;
  }
  {
    caf::actor_system sys{cfg};
    std::atomic<bool> done{false};
    std::thread signal_thread{[&] {
      timespec tick{0, 100 * 1000 * 1000};
      while (!done) {
        if (sigtimedwait(&signals, nullptr, &tick) > 0)
          n.request_stop();
      }
    }};
    if (auto err = n.boot(sys)) {
      if (err != runtime_errc::interrupted) {
        fprintf(stderr, "boot failed: %s\n", describe_error(err).c_str());
        status = exit_failed;
      }
    } else {
      auto reason = n.wait();
      n.stop();
      if (!reason.empty()) {
        fprintf(stderr, "node stopped: %s\n", reason.c_str());
        status = exit_failed;
      }
    }
    done = true;
    signal_thread.join();
    n.stop();
    // Actors outside every supervision tree must not hold the exit hostage.
    sys.await_actors_before_shutdown(false);
  }
  return status;
}

} // namespace relc
