#include "boot_host.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include <caf/all.hpp>

#include "control_server.hpp"
#include "heart.hpp"
#include "relc/runtime/node.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "systemd_notify.hpp"

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
  std::string name;        ///< node name (socket, log dir); default: release
  std::string notify_fifo; ///< bin/<rel> start waits on it for the outcome
  std::string error;
};

// Tells whoever waits on the FIFO (bin/<rel> start) how the boot went.
class boot_notifier {
public:
  explicit boot_notifier(const std::string& path) {
    if (!path.empty())
      // Opened first thing: if the node dies later, the reader sees EOF.
      // Non-blocking: a node restarted by heart finds no reader and goes on.
      fd_ = open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NONBLOCK);
  }
  ~boot_notifier() {
    if (fd_ >= 0)
      close(fd_);
  }
  void tell(const std::string& line) {
    if (fd_ < 0)
      return;
    auto text = line + "\n";
    (void) !write(fd_, text.data(), text.size());
    close(fd_);
    fd_ = -1;
  }

private:
  int fd_ = -1;
};

// Applies flags in order; later ones win (and --env accumulates).
void apply_flags(const std::vector<std::string>& flags, parsed_args& out) {
  for (size_t i = 0; i < flags.size(); ++i) {
    auto flag = flags[i];
    std::string value;
    auto eq = flag.find('=');
    auto name = flag.substr(0, eq);
    auto takes_value = name == "--config" || name == "--env"
                       || name == "--shutdown-time" || name == "--name"
                       || name == "--notify-fifo";
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
    if (name == "--name") {
      out.name = value;
    } else if (name == "--notify-fifo") {
      out.notify_fifo = value;
    } else if (name == "--config") {
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

namespace {

// `relc ctl SOCKET --remote`: an admin prompt; each line is one request.
int run_remote(const std::string& socket) {
  auto tty = isatty(STDIN_FILENO) != 0;
  std::string reply;
  if (auto err = control_request(socket, "versions", reply)) {
    fprintf(stderr, "relc: %s\n", describe_error(err).c_str());
    return exit_failed;
  }
  if (tty)
    printf("connected to %s (%s); commands as for rpc, 'help', 'quit'\n",
           socket.c_str(), reply.substr(3, reply.size() > 4 ? reply.size() - 4 : 0).c_str());
  std::string line;
  for (;;) {
    if (tty) {
      printf("relc> ");
      fflush(stdout);
    }
    if (!std::getline(std::cin, line))
      break;
    auto b = line.find_first_not_of(" \t");
    if (b == std::string::npos)
      continue;
    line = line.substr(b);
    if (line == "quit" || line == "exit")
      break;
    if (auto err = control_request(socket, line == "help" ? "?" : line, reply)) {
      fprintf(stderr, "relc: %s\n", describe_error(err).c_str());
      return exit_failed;
    }
    auto nl = reply.find('\n');
    auto head = reply.substr(0, nl);
    auto body = nl == std::string::npos ? std::string{} : reply.substr(nl + 1);
    if (head == "ok")
      fputs(body.c_str(), stdout);
    else
      printf("%s\n", head.empty() ? "no reply" : head.c_str());
    fflush(stdout);
    if (line == "stop" || line == "reboot")
      break;
  }
  return exit_ok;
}

} // namespace

int run_control_client(const std::vector<std::string>& args) {
  if (args.size() == 2 && args[1] == "--remote")
    return run_remote(args[0]);
  if (args.size() < 2) {
    fprintf(stderr, "relc: error: usage: relc ctl SOCKET COMMAND [ARGS...]\n");
    return exit_usage;
  }
  std::string request;
  for (size_t i = 1; i < args.size(); ++i)
    request += (i > 1 ? " " : "") + args[i];
  std::string reply;
  if (auto err = control_request(args[0], request, reply)) {
    fprintf(stderr, "relc: %s\n", describe_error(err).c_str());
    return exit_failed;
  }
  auto nl = reply.find('\n');
  auto head = reply.substr(0, nl);
  auto body = nl == std::string::npos ? std::string{} : reply.substr(nl + 1);
  if (head == "ok") {
    fputs(body.c_str(), stdout);
    return exit_ok;
  }
  fprintf(stderr, "relc: %s\n", head.empty() ? "no reply" : head.c_str());
  return exit_failed;
}

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
  // Workers poll for new work a while before they nap, as BEAM's schedulers
  // busy-wait: OTP's start and stop are chains of short handoffs between
  // the controller and the apps' actors, and CAF's default (100 polls, then
  // 50 us naps) puts a nap into nearly every handoff (500 apps: ready in
  // ~85 ms instead of ~30). Idle cost measured: none; node.args or the
  // command line can set it back (--work-stealing.aggressive-poll-attempts).
  cfg.set("work-stealing.aggressive-poll-attempts", 10000);
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
  boot_notifier notifier{parsed.notify_fifo};
  heart_client_start(); // beats from the start: a hung boot is a hung node
  // Libraries load before the actor system's threads exist: mapping code
  // into a single-threaded process is cheaper (no cross-CPU TLB flushes).
  // Owned here so it goes before the actor system: apps' callback objects
  // may hold actor handles, which must not outlive their system.
  auto owned = std::make_unique<node>(parsed.node);
  node& n = *owned;
  if (auto err = n.load()) {
    auto line = "boot failed: " + describe_error(err);
    fprintf(stderr, "%s\n", line.c_str());
    notifier.tell(line);
    return exit_failed;
  }
  auto name = parsed.name.empty() ? n.release_name() : parsed.name;
  // The reboot-loop guard counts per node (several may share a release).
  n.set_boot_counter_file(parsed.node.release_dir + "/var/" + name
                          + "/failed_boots");
  auto run_dir = parsed.node.release_dir + "/run";
  mkdir(run_dir.c_str(), 0700);
  {
    caf::actor_system sys{cfg};
    control_server control{n, sys, run_dir + "/" + name + ".sock",
                           n.release_name() + " " + n.release_version()};
    std::atomic<bool> done{false};
    std::thread signal_thread{[&] {
      timespec tick{0, 10 * 1000 * 1000}; // how soon the thread sees `done`
      while (!done) {
        if (sigtimedwait(&signals, nullptr, &tick) > 0)
          n.request_stop();
      }
    }};
    caf::error boot_error;
    if (auto err = control.start())
      boot_error = make_error(runtime_errc::boot_failed,
                              "kernel: control socket: " + describe_error(err));
    else
      boot_error = n.boot(sys);
    std::thread watchdog;
    if (boot_error) {
      // A node that failed answers no more requests before anyone is told.
      control.stop();
      if (boot_error != runtime_errc::interrupted) {
        auto line = "boot failed: " + describe_error(boot_error);
        fprintf(stderr, "%s\n", line.c_str());
        notifier.tell(line);
        status = exit_failed;
      } else {
        notifier.tell("stopped during boot");
        heart_client_stop();
      }
    } else {
      auto note = n.status().note;
      notifier.tell(note.empty() ? "started" : "started (" + note + ")");
      heart_client_started();
      systemd_notify("READY=1\nSTATUS=started");
      if (auto usec = systemd_watchdog_usec(); usec > 0)
        watchdog = std::thread{[&done, usec] {
          while (!done) {
            systemd_notify("WATCHDOG=1");
            for (long long t = 0; t < usec / 2 && !done; t += 20000)
              std::this_thread::sleep_for(std::chrono::microseconds(20000));
          }
        }};
      auto reason = n.wait();
      // `restart`: the boot script runs again in this process.
      while (reason.empty() && n.take_restart_request()) {
        systemd_notify("RELOADING=1");
        if (auto err = n.restart(sys)) {
          reason = "restart: boot failed: " + describe_error(err);
          break;
        }
        systemd_notify("READY=1\nSTATUS=started");
        reason = n.wait();
      }
      systemd_notify("STOPPING=1");
      // A requested stop disarms heart; an app that ended the node, and a
      // reboot, do not: heart starts the node again.
      if (control.reboot_requested())
        heart_client_reboot();
      else if (reason.empty())
        heart_client_stop();
      n.stop();
      if (!reason.empty()) {
        fprintf(stderr, "node stopped: %s\n", reason.c_str());
        status = exit_failed;
      }
    }
    done = true;
    signal_thread.join();
    if (watchdog.joinable())
      watchdog.join();
    n.stop();
    control.stop();
    owned.reset();
    // Actors outside every supervision tree must not hold the exit hostage.
    sys.await_actors_before_shutdown(false);
  }
  return status;
}

} // namespace relc
