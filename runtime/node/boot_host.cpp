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
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>

#include <caf/all.hpp>

#include "admin_commands.hpp"
#include "blocking_pool.hpp"
#include "dist_host.hpp"
#include "release_handler.hpp"
#include "release_commands.hpp"
#include "runtime_exec.hpp"
#include "control_server.hpp"
#include "cpu_budget.hpp"
#include "liveness.hpp"
#include "log_file.hpp"
#include "node_lock.hpp"
#include "heart.hpp"
#include "relc/runtime/blocking.hpp"
#include "relc/runtime/lifecycle_event.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/node.hpp"
#include "relc/runtime/release_layout.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "systemd_notify.hpp"

namespace relc {

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

// node.args: one flag per line, as `--flag=value` or `--flag value` (the
// value is the rest of the line), `#` comments, blank lines ignored.
// The release's own, `vsn` or (empty) the permanent one's.
std::vector<std::string> read_node_args(const std::string& root,
                                        std::string vsn) {
  std::vector<std::string> result;
  if (vsn.empty()) {
    auto start = layout::read_start_data(root);
    if (!start)
      return result;
    vsn = start->release_vsn;
  }
  std::ifstream in{root + "/" + layout::node_args(vsn)};
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos)
      line.erase(hash);
    auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos)
      continue;
    line = line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
    auto gap = line.find_first_of(" \t");
    if (gap == std::string::npos || line.compare(0, 2, "--") != 0
        || line.find('=') < gap) {
      result.push_back(line);
      continue;
    }
    result.push_back(line.substr(0, gap));
    result.push_back(line.substr(line.find_first_not_of(" \t", gap)));
  }
  return result;
}

struct parsed_args {
  node_options node;
  std::vector<std::string> caf_args;
  std::string name;        ///< node name (socket, log dir); default: release
  std::string notify_fifo; ///< bin/<rel> start waits on it for the outcome
  std::string log_file;    ///< the node's own log (bin/<rel> start)
  resume_plan resume;      ///< what an exec into this runtime goes on with
  dist_flags dist;         ///< --dist-* (docs/distribution.md)
  bool help = false;
  std::string error;
};

// Tells whoever waits on the FIFO (bin/<rel> start) how the boot went.
class boot_notifier {
public:
  explicit boot_notifier(const std::string& path) {
    if (!path.empty())
      // Read-write: opening a FIFO write-only without blocking fails
      // (ENXIO) while the reader has not opened it yet, and a start script
      // that got there late then waited for ever. Held until the process
      // ends, so the line stays readable after it was written, and the
      // reader sees EOF if the node dies first. A node restarted by heart
      // finds the FIFO gone (the script removed it) and goes on.
      fd_ = open(path.c_str(), O_RDWR | O_CLOEXEC | O_NONBLOCK);
  }
  ~boot_notifier() {
    if (fd_ >= 0)
      close(fd_);
  }
  /// Tells the outcome, after every report logged before it is written:
  /// whoever waits for it (bin/<rel> start) reads the log next.
  void tell(const std::string& line) {
    if (fd_ < 0 || told_)
      return;
    told_ = true;
    flush_log_blocking();
    auto text = line + "\n";
    (void) !write(fd_, text.data(), text.size());
  }

private:
  int fd_ = -1;
  bool told_ = false;
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
                       || name == "--notify-fifo" || name == "--log-file"
                       || name == "--log-level" || name == "--release"
                       || name == "--dist-listen" || name == "--dist-cert"
                       || name == "--dist-key" || name == "--dist-ca";
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
    if (out.resume.take_flag(flags, i, out.error)) {
      if (!out.error.empty())
        return;
    } else if (flag == "--help" || flag == "-h") {
      out.help = true;
    } else if (name == "--dist-listen") {
      out.dist.listen = value;
    } else if (name == "--dist-cert") {
      out.dist.cert = value;
    } else if (name == "--dist-key") {
      out.dist.key = value;
    } else if (name == "--dist-ca") {
      out.dist.ca = value;
    } else if (flag == "--dist-insecure") {
      out.dist.insecure = true;
    } else if (name == "--release") {
      out.node.release_vsn = value;
    } else if (name == "--name") {
      out.name = value;
    } else if (name == "--log-file") {
      out.log_file = value;
    } else if (name == "--log-level") {
      if (!parse_log_level(value)) {
        out.error = "--log-level: expected debug, info, warning or error, "
                    "found '" + value + "'";
        return;
      }
      out.node.env_overrides.push_back("kernel.logger_level=" + value);
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
      // CAF's own options (scheduler, ...); `--flag value` as vm.args
      // users write it becomes CAF's `--flag=value`.
      if (eq == std::string::npos && i + 1 < flags.size()
          && flags[i + 1].rfind("-", 0) != 0)
        flag += "=" + flags[++i];
      out.caf_args.push_back(flag);
    } else {
      out.error = "unexpected argument '" + flag + "'";
      return;
    }
  }
}

} // namespace

namespace {

// One admin request, its reply in `reply`. The release handler's long
// commands say what they do as they go (printed on stdout as they come)
// and keep the connection alive meanwhile, so the usual 5 s without a
// word still means a node that does not answer; the reply then leaves out
// the lines already printed.
caf::error ask_node(const std::string& socket, const std::string& request,
                    std::string& reply) {
  auto cmd = request.substr(0, request.find(' '));
  if (cmd != "install" && cmd != "upgrade" && cmd != "downgrade")
    return control_request(socket, request, reply);
  std::set<std::string> printed;
  auto print_progress = [&printed](const std::string& line) {
    printf("%s\n", line.c_str());
    fflush(stdout);
    printed.insert(line);
  };
  if (auto err = control_request(socket, std::string{progress_flag} + " " + request,
                                 reply, std::chrono::seconds(5), print_progress))
    return err;
  if (reply.rfind("error: unknown command", 0) == 0
      && reply.find(progress_flag) != std::string::npos) {
    // A node of an earlier relc: no progress, and a long wait.
    reply.clear();
    return control_request(socket, request, reply, std::chrono::minutes(30));
  }
  if (printed.empty())
    return {};
  auto nl = reply.find('\n');
  if (nl == std::string::npos)
    return {};
  std::string kept = reply.substr(0, nl + 1);
  for (size_t at = nl + 1; at < reply.size();) {
    auto end = reply.find('\n', at);
    auto line = reply.substr(at, end == std::string::npos ? std::string::npos
                                                          : end - at);
    if (printed.count(line) == 0)
      kept += line + "\n";
    at = end == std::string::npos ? reply.size() : end + 1;
  }
  reply = std::move(kept);
  return {};
}

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
    if (auto err = ask_node(socket, line == "help" ? "?" : line, reply)) {
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
  if (auto err = ask_node(args[0], request, reply)) {
    fprintf(stderr, "relc: %s\n", describe_error(err).c_str());
    return exit_failed;
  }
  auto nl = reply.find('\n');
  auto head = reply.substr(0, nl);
  auto body = nl == std::string::npos ? std::string{} : reply.substr(nl + 1);
  if (head == "ok") {
    // `stop`/`reboot` name how long the node may take to be gone; the
    // wait is this client's business, not the user's.
    if (body.rfind("stopping within ", 0) == 0)
      body.erase(0, body.find('\n') + 1);
    fputs(body.c_str(), stdout);
    return exit_ok;
  }
  fprintf(stderr, "relc: %s\n", head.empty() ? "no reply" : head.c_str());
  return exit_failed;
}

namespace {

// How long the actor system may take to end once the node has stopped.
constexpr std::chrono::milliseconds actor_system_exit_limit{5000};

// The node's own lines (boot failed, node stopped) come after every report
// logged before them, which the background writer may still hold.
void print_line(const std::string& line) {
  flush_log_blocking();
  fprintf(stderr, "%s\n", line.c_str());
  fflush(stderr);
}

// A node name selects the socket, log and state paths: no path tricks.
// Turns SIGTERM/SIGINT into a stop request and SIGHUP into reopening the
// log file; once a second it keeps the log file bounded. SIGUSR1 ends it.
class signal_thread {
public:
  signal_thread(node& n, log_file& log) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGHUP);
    sigaddset(&set_, SIGUSR1);
    thread_ = std::thread{[this, &n, &log] {
      timespec second{1, 0};
      for (;;) {
        auto sig = sigtimedwait(&set_, nullptr, &second);
        if (sig == SIGUSR1)
          return;
        if (sig == SIGHUP)
          log.reopen();
        else if (sig == SIGTERM || sig == SIGINT)
          n.request_stop();
        log.check();
      }
    }};
  }
  ~signal_thread() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }

private:
  sigset_t set_;
  std::thread thread_;
};

// Turns the node's lifecycle events into what the outside world is told:
// heart's 'R' and systemd's READY=1 when a boot (or a restart) completes.
caf::actor spawn_event_relay(caf::actor_system& sys) {
  return sys.spawn<caf::hidden>([]() -> caf::behavior {
    return {
      [](const lifecycle_event& ev) {
        if (ev.kind == lifecycle_kind::node_started) {
          heart_client_started();
          systemd_notify("READY=1\nSTATUS=started");
        }
      },
    };
  });
}

} // namespace

const char* boot_usage =
  "Usage: relc boot RELEASE_DIR [FLAGS]   (bin/<rel> foreground runs this)\n"
  "\n"
  "Boots the release in RELEASE_DIR in this process; SIGTERM or Ctrl-C stops\n"
  "its apps in reverse order. Flags (also read from the release's node.args,\n"
  "one per line, as --flag=value or --flag value):\n"
  "  --config FILE           a sys.config to use instead of the release's\n"
  "  --env APP.KEY=VALUE     override one app env value (repeatable)\n"
  "  --init-debug            print every boot step with its time\n"
  "  --shutdown-time MS      how long a stop may take (default 30000)\n"
  "  --log-level LEVEL       debug, info, warning or error (default info;\n"
  "                          also kernel: {logger_level: ...} in sys.config)\n"
  "  --name NAME             node name: socket, log and state paths\n"
  "  --log-file FILE         write output there, bounded (RELC_LOG_MAX_BYTES,\n"
  "                          RELC_LOG_KEEP); SIGHUP reopens it\n"
  "  --dist-listen HOST:PORT distributed: listen for other nodes there (TLS)\n"
  "  --dist-cert FILE, --dist-key FILE, --dist-ca FILE\n"
  "                          its certificate, key and CA (PEM)\n"
  "  --dist-insecure         plain TCP instead of TLS, loopback only\n"
  "Environment: RELC_RUN_DIR (socket), RELC_VAR_DIR (state); both default to\n"
  "run/ and var/ under RELEASE_DIR.\n"
  "Any other --flag is CAF's; CAF's options follow.\n\n";

// CAF's config, with its option table readable.
struct boot_config : caf::actor_system_config {
  const caf::config_option_set& options() const { return custom_options_; }
};

// CAF's option errors as one line: `unknown option '--x'`, not
// `parser_error(not_an_option, ...)`.
std::string caf_option_error(const std::vector<std::string>& caf_args,
                             const boot_config& cfg,
                             const caf::error& err) {
  for (auto& arg : caf_args) {
    auto name = arg.substr(2, arg.find('=') - 2);
    auto dot = name.find('.');
    auto cat = dot == std::string::npos ? std::string{"global"}
                                        : name.substr(0, dot);
    auto key = dot == std::string::npos ? name : name.substr(dot + 1);
    auto opt = cfg.options().qualified_name_lookup(cat, key);
    if (opt == nullptr && cat == "global")
      opt = cfg.options().cli_long_name_lookup(key);
    if (opt == nullptr)
      return "unknown option '" + arg.substr(0, arg.find('=')) + "' (relc boot "
             "--help lists relc's and CAF's options)";
  }
  // Every option exists: find the one whose value CAF refused.
  for (auto& arg : caf_args) {
    boot_config probe;
    std::string prog = "relc";
    auto copy = arg;
    char* argv[] = {prog.data(), copy.data()};
    if (!probe.parse(2, argv))
      continue;
    auto eq = arg.find('=');
    auto name = arg.substr(2, eq - 2);
    auto dot = name.find('.');
    auto opt = dot == std::string::npos
                 ? cfg.options().cli_long_name_lookup(name)
                 : cfg.options().qualified_name_lookup(name.substr(0, dot),
                                                       name.substr(dot + 1));
    auto type = opt ? std::string{opt->type_name().begin(),
                                  opt->type_name().end()}
                    : std::string{"another value"};
    return "CAF option " + arg.substr(0, eq) + ": invalid value '"
           + (eq == std::string::npos ? std::string{} : arg.substr(eq + 1))
           + "', expected " + type;
  }
  auto text = cfg.render(err);
  for (auto& c : text)
    if (c == '\n')
      c = ' ';
  return "CAF options: " + text;
}

std::string dir_from_env(const char* var, const std::string& fallback) {
  auto v = getenv(var);
  return v && *v ? std::string{v} : fallback;
}

// mkdir -p with `mode` for the directories it creates.
void make_dirs(const std::string& path, mode_t mode) {
  for (size_t pos = 0; pos != std::string::npos;) {
    pos = path.find('/', pos + 1);
    mkdir(path.substr(0, pos).c_str(), mode);
  }
}

// An exec into another runtime, done once everything of this program is
// gone (runtime_exec.hpp).
struct pending_exec {
  std::string executable;
  std::vector<std::string> args; ///< after `boot ROOT`
  int keep = -1;                 ///< a connection that goes with it
};

// The command line an exec passes on: without what only this boot
// needed (the start script's FIFO, the release to boot, the resume flags).
std::vector<std::string> carried_args(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    auto& a = args[i];
    resume_plan scratch;
    std::string ignore;
    if (scratch.take_flag(args, i, ignore))
      continue;
    if (a == "--notify-fifo" || a == "--release") {
      ++i;
      continue;
    }
    if (a.rfind("--notify-fifo=", 0) == 0 || a.rfind("--release=", 0) == 0)
      continue;
    out.push_back(a);
  }
  return out;
}

// The runtime release `vsn` (empty: the permanent one) needs, as RELEASES
// and start.data say; empty when they do not.
std::string runtime_of(const std::string& root, const std::string& vsn) {
  if (vsn.empty()) {
    auto start = layout::read_start_data(root);
    return start ? start->runtime_vsn : std::string{};
  }
  auto entry = release_handler::find_release(root, vsn);
  return entry ? entry->runtime : std::string{};
}

// Back to the permanent release, on its runtime, after the boot a resumed
// install asked for failed: that boot answers the waiting connection.
pending_exec rollback_exec(const std::string& root,
                           const std::vector<std::string>& cmdline,
                           const resume_plan& failed, int fd,
                           const std::string& why) {
  auto start = layout::read_start_data(root);
  auto perm = start ? start->release_vsn : std::string{"?"};
  pending_exec ex;
  if (!start || find_runtime_executable(root, start->runtime_vsn, ex.executable))
    ex.executable = (std::filesystem::absolute(root) / "bin" / "relc").string();
  resume_plan back;
  back.rolled_back = "release " + failed.install + ": rolled back to " + perm
                     + ": " + why;
  back.fd = fd;
  ex.args = carried_args(cmdline);
  auto more = back.to_args();
  ex.args.insert(ex.args.end(), more.begin(), more.end());
  ex.keep = fd;
  print_line(back.rolled_back);
  return ex;
}

int boot_once(const std::vector<std::string>& args,
              std::optional<pending_exec>& exec_after);

int run_boot_host(const std::vector<std::string>& args) {
  std::optional<pending_exec> exec_after;
  auto status = boot_once(args, exec_after);
  if (!exec_after)
    return status;
  auto why = exec_node(exec_after->executable, args[0], exec_after->args,
                       exec_after->keep);
  fprintf(stderr, "relc: error: %s\n", why.c_str());
  return exit_failed;
}

int boot_once(const std::vector<std::string>& args,
              std::optional<pending_exec>& exec_after) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    fputs(boot_usage, stdout);
    boot_config cfg;
    fputs(cfg.options().help_text(false).c_str(), stdout);
    return exit_ok;
  }
  if (args.empty() || args[0].rfind("--", 0) == 0) {
    fprintf(stderr, "relc: error: usage: relc boot RELEASE_DIR [--config FILE] "
                    "[--env APP.KEY=VALUE]... [--init-debug] "
                    "[--shutdown-time MS] (relc boot --help)\n");
    return exit_usage;
  }
  parsed_args parsed;
  parsed.node.release_dir = args[0];
  std::string boot_vsn; // --release on the command line picks the node.args
  for (size_t i = 1; i + 1 < args.size(); ++i)
    if (args[i] == "--release")
      boot_vsn = args[i + 1];
    else if (args[i].rfind("--release=", 0) == 0)
      boot_vsn = args[i].substr(10);
  auto from_file = read_node_args(args[0], boot_vsn);
  apply_flags(from_file, parsed);
  if (!parsed.error.empty()) {
    fprintf(stderr, "relc: error: node.args: %s\n", parsed.error.c_str());
    return exit_failed;
  }
  apply_flags({args.begin() + 1, args.end()}, parsed);
  if (parsed.help)
    return run_boot_host({"--help"});
  if (!parsed.error.empty()) {
    fprintf(stderr, "relc: error: %s\n", parsed.error.c_str());
    return exit_usage;
  }
  if (!parsed.name.empty() && !valid_node_name(parsed.name)) {
    fprintf(stderr,
            "relc: error: node name '%s': expected 1-64 characters of "
            "[A-Za-z0-9_.-], not starting with '.' or '-'\n",
            parsed.name.c_str());
    return exit_usage;
  }
  // A release built for another runtime boots on that one: heart, a start
  // script or a unit file may start this runtime after an upgrade made a
  // release on another permanent.
  auto& root = parsed.node.release_dir;
  if (auto rt = runtime_of(root, parsed.node.release_vsn);
      !rt.empty() && rt != running_runtime_version()) {
    std::string exe;
    if (!find_runtime_executable(root, rt, exe)) {
      exec_after = pending_exec{exe, {args.begin() + 1, args.end()},
                                parsed.resume.fd};
      return exit_ok;
    }
    fprintf(stderr, "relc: warning: the release needs runtime %s, this is %s "
                    "(no %s): booting it on this one\n", rt.c_str(),
            running_runtime_version().c_str(),
            layout::runtime_executable(rt).c_str());
  }
  // Block the signals before CAF starts its threads, so they inherit the
  // mask and only the signal thread receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  boot_config cfg;
  // Workers poll for new work a while before they nap, as BEAM's schedulers
  // busy-wait: OTP's start and stop are chains of short handoffs between
  // the controller and the apps' actors, and CAF's default (100 polls, then
  // 50 us naps) puts a nap into nearly every handoff (500 apps: ready in
  // ~85 ms instead of ~30). Idle cost measured: none; node.args or the
  // command line can set it back (--work-stealing.aggressive-poll-attempts).
  // CAF starts max(cores, 4) workers; on fewer than 4 cores the extra ones
  // poll and steal on the cores the handoffs need (2 cores, 500 apps: a
  // supervisor's start took ~70 us with 4 workers, ~35 us with 2; ready
  // -6 % empty, -10 % work-matched). One worker per core the process may
  // use (its affinity mask and cgroup quota: taskset, a container's
  // --cpus), as BEAM has one scheduler per core. Passed as the first
  // flags: node.args and the command line come later and win.
  auto cores = usable_cpus();
  std::vector<std::string> caf_argv{
    "relc", "--work-stealing.aggressive-poll-attempts=10000",
    "--scheduler.max-threads=" + std::to_string(cores)};
  caf_argv.insert(caf_argv.end(), parsed.caf_args.begin(), parsed.caf_args.end());
  std::vector<char*> argv;
  for (auto& a : caf_argv)
    argv.push_back(a.data());
  if (auto err = cfg.parse(static_cast<int>(argv.size()), argv.data())) {
    fprintf(stderr, "relc: error: %s\n",
            caf_option_error(parsed.caf_args, cfg, err).c_str());
    return exit_usage;
  }
  // Output goes to the node's own log file from here on (bin/<rel> start).
  log_file log;
  if (!parsed.log_file.empty()) {
    auto err = log.open(parsed.log_file, log_max_bytes_from_env(),
                        log_keep_from_env());
    if (!err.empty()) {
      fprintf(stderr, "relc: error: %s\n", err.c_str());
      return exit_failed;
    }
  }
  int status = exit_ok;
  boot_notifier notifier{parsed.notify_fifo};
  heart_client_start();
  // State directories default to under the release root; a read-only
  // install sets them (RELC_RUN_DIR, RELC_VAR_DIR; bin/<rel> maps
  // systemd's directories).
  auto var_dir = dir_from_env("RELC_VAR_DIR", parsed.node.release_dir + "/var");
  parsed.node.library_record_file = var_dir + "/library-record";
  // Libraries load before the actor system's threads exist: mapping code
  // into a single-threaded process is cheaper (no cross-CPU TLB flushes).
  // Owned here so it goes before the actor system: apps' callback objects
  // may hold actor handles, which must not outlive their system.
  auto owned = std::make_unique<node>(parsed.node);
  node& n = *owned;
  bool resumed_install = !parsed.resume.install.empty() && parsed.resume.fd >= 0;
  if (auto err = n.load()) {
    auto line = "boot failed: " + one_line(describe_error(err));
    fprintf(stderr, "%s\n", line.c_str());
    notifier.tell(line);
    if (resumed_install)
      exec_after = rollback_exec(root, {args.begin() + 1, args.end()},
                                 parsed.resume, parsed.resume.fd, line);
    return exit_failed;
  }
  auto name = parsed.name.empty() ? n.release_name() : parsed.name;
  if (!valid_node_name(name)) {
    fprintf(stderr, "relc: error: node name '%s' (the release's name): "
                    "expected [A-Za-z0-9_.-]\n", name.c_str());
    return exit_usage;
  }
  // The reboot-loop guard counts per node (several may share a release).
  n.set_boot_counter_file(var_dir + "/" + name + "/failed_boots");
  auto run_dir = dir_from_env("RELC_RUN_DIR", parsed.node.release_dir + "/run");
  make_dirs(run_dir, 0700);
  // Before anything the running node owns is touched (socket, counter).
  node_lock lock;
  if (auto err = lock.acquire(run_dir + "/" + name + ".lock")) {
    auto line = "boot failed: " + one_line(describe_error(err));
    fprintf(stderr, "%s\n", line.c_str());
    notifier.tell(line);
    return exit_failed;
  }
  // A distributed node loads CAF's network layer (the dist plugin); any
  // other node maps none of it.
  dist_host dist;
  if (auto err = dist.prepare(parsed.dist, name, n)) {
    auto line = "boot failed: " + one_line(describe_error(err));
    fprintf(stderr, "%s\n", line.c_str());
    notifier.tell(line);
    return exit_failed;
  }
  dist.configure(cfg);
  caf::actor_system sys{cfg};
  // From here on CAF's threads log: none of them waits for a write(2).
  start_background_log_writer();
  auto listen_error = dist.listen_blocking(sys);
  std::atomic<bool> reboot{false};
  caf::actor admin;
  control_server control{run_dir + "/" + name + ".sock",
                         [&admin](uint64_t conn, std::string line) {
                           caf::anon_send(admin, conn, std::move(line));
                         }};
  admin_config acfg;
  acfg.target = &n;
  acfg.release_root = parsed.node.release_dir;
  acfg.release_name = n.release_name();
  acfg.outbox = control.outbox();
  acfg.on_stop = [&reboot, &n](bool is_reboot) {
    reboot = is_reboot;
    n.request_stop();
  };
  acfg.heart_active = [] { return heart_client_active(); };
  acfg.shutdown_time = parsed.node.shutdown_time;
  acfg.net_kernel = dist.kernel();
  // An install onto another runtime: the node stops, then this program
  // execs that runtime (after `finish`), handing the connection over.
  struct exec_slot {
    std::mutex mtx;
    std::optional<runtime_exec> request;
  };
  auto slot = std::make_shared<exec_slot>();
  auto outbox = control.outbox();
  std::function<caf::error(runtime_exec)> exec_runtime
    = [slot, &n, outbox](runtime_exec req) -> caf::error {
        std::lock_guard<std::mutex> guard{slot->mtx};
        if (slot->request)
          return make_error(runtime_errc::release_handling,
                            "the node already restarts into runtime "
                              + slot->request->runtime_vsn);
        outbox->post({req.connection, {}, false, true});
        relc::log(log_level::info, "release_handler",
                  "stopping to exec runtime " + req.runtime_vsn + " ("
                    + req.executable + ")");
        slot->request = std::move(req);
        n.request_stop();
        return {};
      };
  acfg.exec_runtime = exec_runtime;
  auto exec_asked = [slot] {
    std::lock_guard<std::mutex> guard{slot->mtx};
    return slot->request.has_value();
  };
  admin = spawn_admin(sys, std::move(acfg));
  n.subscribe(spawn_event_relay(sys));
  // Beats and watchdog pings follow a round trip through the controller.
  caf::actor liveness;
  auto watchdog_usec = systemd_watchdog_usec();
  if (heart_client_active() || watchdog_usec > 0) {
    auto interval = heart_client_active() ? heart_beat_interval()
                                          : std::chrono::milliseconds{1000};
    if (watchdog_usec > 0)
      interval = std::min(interval,
                          std::chrono::milliseconds{watchdog_usec / 2000});
    liveness = spawn_liveness(
      sys, [&n] { return n.controller(); }, interval,
      [watchdog_usec] {
        heart_client_beat();
        if (watchdog_usec > 0)
          systemd_notify("WATCHDOG=1");
      });
  }
  std::unique_ptr<signal_thread> signal_waiter;
  auto finish = [&](int code) {
    signal_waiter.reset(); // it uses the node
    // A callback abandoned at its deadline still runs app code on a master
    // thread, which the actor system would join forever: leave instead.
    if (n.abandoned_callbacks() > 0) {
      print_line("node stopped: " + std::to_string(n.abandoned_callbacks())
                 + " callback(s) abandoned at the shutdown deadline; exiting "
                   "without waiting for them");
      fflush(stdout);
      _exit(code);
    }
    // Likewise a child start function still running on the blocking pool
    // (a restart stuck in app code): its thread may hold the actor system.
    if (auto stuck = detail::blocking_pool::instance().running(); stuck > 0) {
      print_line("node stopped: " + std::to_string(stuck)
                 + " child start function(s) still running (stuck in app "
                   "code); exiting without waiting for them");
      fflush(stdout);
      _exit(code);
    }
    if (liveness)
      caf::anon_send_exit(liveness, caf::exit_reason::user_shutdown);
    dist.stop();
    caf::anon_send_exit(admin, caf::exit_reason::user_shutdown);
    control.stop();
    if (exec_asked()) {
      auto& req = *slot->request;
      req.resume.fd = control.handed_over_fd();
      pending_exec ex{req.executable, carried_args({args.begin() + 1, args.end()}),
                      req.resume.fd};
      if (!req.release_vsn.empty()) {
        ex.args.push_back("--release");
        ex.args.push_back(req.release_vsn);
      }
      auto more = req.resume.to_args();
      ex.args.insert(ex.args.end(), more.begin(), more.end());
      exec_after = std::move(ex);
    }
    owned.reset();
    // Actors outside every supervision tree must not hold the exit hostage.
    sys.await_actors_before_shutdown(false);
    // Nor a scheduler thread stuck in app code (a handler, or a restart's
    // start function, that blocks for good): the actor system joins its
    // threads as it goes, for ever.
    std::thread{[code] {
      std::this_thread::sleep_for(actor_system_exit_limit);
      print_line("node stopped: the actor system did not end within "
                 + std::to_string(actor_system_exit_limit.count())
                 + " ms (app code blocks a scheduler thread); exiting "
                   "without waiting for it");
      _exit(code);
    }}.detach();
    return code;
  };
  signal_waiter = std::make_unique<signal_thread>(n, log);
  // The connection of the command that exec'd this program waits for its
  // answer here.
  uint64_t resume_conn = 0;
  if (parsed.resume.fd >= 0)
    resume_conn = control.adopt(parsed.resume.fd);
  caf::error boot_error;
  if (auto err = control.start())
    boot_error = make_error(runtime_errc::boot_failed,
                            "kernel: control socket: " + describe_error(err));
  else if (listen_error)
    boot_error = listen_error;
  else if (auto err = dist.sync_blocking(sys, n))
    boot_error = err;
  else
    boot_error = n.boot(sys);
  if (!boot_error)
    dist.booted(n.controller());
  if (boot_error) {
    // A node that failed answers no more requests before anyone is told.
    control.stop();
    if (boot_error != runtime_errc::interrupted) {
      auto line = "boot failed: " + one_line(describe_error(boot_error));
      print_line(line);
      notifier.tell(line);
      status = exit_failed;
      if (resumed_install) {
        int fd = dup(parsed.resume.fd); // the server's copy closes with it
        auto ex = rollback_exec(root, {args.begin() + 1, args.end()},
                                parsed.resume, fd, line);
        auto code = finish(status);
        exec_after = std::move(ex);
        return code;
      }
    } else {
      notifier.tell("stopped during boot");
      heart_client_stop();
    }
    return finish(status);
  }
  // RELEASES follows what booted: a release installed but never made
  // permanent is unpacked again (the node came back on its permanent one).
  if (auto err = release_handler::booted(parsed.node.release_dir,
                                         n.release_version()))
    relc::log(log_level::warning, "release_handler", describe_error(err));
  auto note = n.status().note;
  notifier.tell(note.empty() ? "started" : "started (" + note + ")");
  if (resume_conn != 0) {
    release_command_context ctx{root, n.release_name(), n.controller(),
                                exec_runtime};
    if (ctx.exec_runtime)
      ctx.exec_runtime = [exec = ctx.exec_runtime, resume_conn](runtime_exec r) {
        r.connection = resume_conn;
        return exec(std::move(r));
      };
    resume_release_command(sys, ctx, parsed.resume,
                           [outbox, resume_conn](std::string text) {
                             outbox->post({resume_conn, std::move(text), false});
                           });
  }
  auto reason = n.wait();
  // A requested stop disarms heart; an app that ended the node, and a
  // reboot, do not: heart starts the node again. An exec into another
  // runtime is neither: the same process boots on.
  if (!exec_asked())
    systemd_notify("STOPPING=1");
  if (reboot)
    heart_client_reboot();
  else if (reason.empty() && !exec_asked())
    heart_client_stop();
  n.stop();
  if (!reason.empty()) {
    print_line("node stopped: " + one_line(reason));
    status = exit_failed;
  }
  return finish(status);
}

} // namespace relc
