// End to end: app code that throws, hangs or blocks, and admin clients
// that misbehave; each case must end in a clear outcome, on real relc boot
// processes (each finding of the "core as an actor" issue has its test).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "test_support.hpp"

using namespace relc::test;
using namespace std::chrono_literals;

namespace {

const std::string node_exe = RELC_TEST_NODE_EXE;

using clock_type = std::chrono::steady_clock;

using fault_release = probe_release;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

// A raw connection to the admin socket (a client that misbehaves).
int connect_raw(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string read_all(int fd) {
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
    out.append(buf, static_cast<size_t>(n));
  return out;
}

} // namespace

TEST_CASE("an exception from any app callback is that app's failure, with "
          "its text", "[e2e][faults]") {
  SECTION("start: one boot-failure line naming the exception, exit 1") {
    fault_release r;
    r.probe("a");
    r.probe("b", "env: {throw_in: start}\n");
    r.build("[kernel, a, b]");
    auto node = r.boot();
    CHECK(node->wait_exit() == 1);
    auto err = node->err();
    CHECK(err.find("boot failed: b: start: exception: probe threw in start")
          != std::string::npos);
    CHECK(err.find("terminate called") == std::string::npos);
    CHECK(in_order(err, {"probe b: start", "probe a: stop"}));
  }
  SECTION("an exception text with newlines stays one line") {
    fault_release r;
    r.probe("b", "env: {throw_in: start, throw_text: \"bad\\nboot failed: forged\"}\n");
    r.build("[kernel, b]");
    auto node = r.boot();
    CHECK(node->wait_exit() == 1);
    auto err = node->err();
    INFO(err);
    CHECK(err.find("boot failed: b: start: exception: bad\\nboot failed: forged\n")
          != std::string::npos);
    CHECK(err.find("\nboot failed: forged") == std::string::npos);
  }
  SECTION("a start phase") {
    fault_release r;
    r.probe("a", "env: {throw_in: phase}\nstart_phases: [{go: []}]\n");
    r.build("[kernel, a]");
    auto node = r.boot();
    CHECK(node->wait_exit() == 1);
    CHECK(node->err().find(
            "boot failed: a: start_phase go: exception: probe threw in phase")
          != std::string::npos);
  }
  SECTION("as_integer on an --env value that is no integer") {
    fault_release r;
    r.probe("a", "env: {as_integer_of: port}\n");
    r.build("[kernel, a]");
    auto node = r.boot({"--env", "a.port=eighty"});
    CHECK(node->wait_exit() == 1);
    auto err = node->err();
    CHECK(err.find("boot failed: a: start: exception:") != std::string::npos);
    CHECK(err.find("terminate called") == std::string::npos);
  }
  SECTION("prep_stop and stop: reported, the node still stops with 0") {
    fault_release r;
    r.probe("a", "env: {throw_in: stop}\n");
    r.probe("b", "env: {throw_in: prep_stop}\n");
    r.build("[kernel, a, b]");
    auto node = r.boot();
    REQUIRE(node->wait_for("application b started"));
    node->signal(SIGTERM);
    CHECK(node->wait_exit() == 0);
    auto err = node->err();
    CHECK(err.find("application b: prep_stop failed: exception: probe threw "
                   "in prep_stop") != std::string::npos);
    CHECK(err.find("application a: stop failed: exception: probe threw in stop")
          != std::string::npos);
    CHECK(in_order(err, {"application b stopped", "application a stopped"}));
  }
}

TEST_CASE("SIGTERM stops a node within --shutdown-time whatever an app is "
          "doing", "[e2e][faults]") {
  SECTION("a start that hangs: the apps that started stop, the start is "
          "abandoned and reported") {
    fault_release r;
    r.probe("a");
    r.probe("b", "env: {hang_in: start}\n");
    r.build("[kernel, a, b]");
    auto node = r.boot({"--shutdown-time", "1000"});
    REQUIRE(node->wait_for("probe b: start"));
    auto t0 = clock_type::now();
    node->signal(SIGTERM);
    CHECK(node->wait_exit(5s) == 0);
    CHECK(seconds_since(t0) < 2.5);
    auto err = node->err();
    CHECK(err.find("application b did not finish starting within half the "
                   "shutdown time (500 ms); its start is abandoned")
          != std::string::npos);
    CHECK(err.find("probe a: stop") != std::string::npos);
  }
  SECTION("a start phase that hangs") {
    fault_release r;
    r.probe("a", "env: {hang_in: phase}\nstart_phases: [{go: []}]\n");
    r.build("[kernel, a]");
    auto node = r.boot({"--shutdown-time", "800"});
    REQUIRE(node->wait_for("probe a: phase go"));
    auto t0 = clock_type::now();
    node->signal(SIGTERM);
    CHECK(node->wait_exit(5s) == 0);
    CHECK(seconds_since(t0) < 2.5);
  }
  SECTION("a stop callback that hangs: abandoned at the deadline, the other "
          "apps still stop") {
    fault_release r;
    r.probe("a");
    r.probe("b", "env: {hang_in: stop}\n");
    r.build("[kernel, a, b]");
    auto node = r.boot({"--shutdown-time", "1000"});
    REQUIRE(node->wait_for("application b started"));
    auto t0 = clock_type::now();
    node->signal(SIGTERM);
    CHECK(node->wait_exit(5s) == 0);
    CHECK(seconds_since(t0) < 2.5);
    auto err = node->err();
    CHECK(err.find("application b: stop did not return within the shutdown "
                   "time; abandoned") != std::string::npos);
    // b had its share (half): a still stopped in order, callbacks and all.
    CHECK(err.find("application a stopped") != std::string::npos);
    CHECK(in_order(err, {"probe b: stop", "probe a: stop",
                         "exiting without waiting for them"}));
  }
}

TEST_CASE("stop over the admin socket returns only once the process is gone",
          "[e2e][faults]") {
  fault_release r;
  r.probe("a", "env: {hang_in: stop}\n");
  r.build("[kernel, a]");
  auto node = r.boot({"--shutdown-time", "700"});
  REQUIRE(node->wait_for("application a started"));
  auto t0 = clock_type::now();
  auto stop = r.ctl({"stop"});
  CHECK(stop.exit_code == 0);
  CHECK(seconds_since(t0) >= 0.6); // it waited for the hung stop's deadline
  // Gone by the time stop returned: reaping it takes no time.
  CHECK(node->wait_exit(200ms) == 0);
}

TEST_CASE("restart with a start phase that hangs leaves the admin channel "
          "working, and SIGTERM still stops the node", "[e2e][faults]") {
  fault_release r;
  auto flag = r.dir / "hang";
  r.probe("a", "env: {hang_if_file: " + flag.string()
                 + "}\nstart_phases: [{go: []}]\n");
  r.build("[kernel, a]");
  auto node = r.boot({"--shutdown-time", "1000"});
  REQUIRE(node->wait_for("application a started"));
  write_file(flag, "");
  background_process restart{{node_exe, "ctl", r.socket(), "restart"}};
  REQUIRE(node->wait_for("probe a: phase go", 5s));
  std::this_thread::sleep_for(100ms); // the second phase call is hanging now
  CHECK(r.ctl({"ping"}).out == "pong\n");
  CHECK(r.ctl({"status"}).out.rfind("starting\nstart_phase a go", 0) == 0);
  auto t0 = clock_type::now();
  node->signal(SIGTERM);
  CHECK(node->wait_exit(5s) == 0);
  CHECK(seconds_since(t0) < 2.5);
}

TEST_CASE("quick stop_app / start_app pairs never end the node",
          "[e2e][faults]") {
  fault_release r;
  r.probe("a");
  r.probe("b", "env: {supervised: true}\n");
  r.build("[kernel, a, b]");
  auto node = r.boot();
  REQUIRE(node->wait_for("application b started"));
  for (int i = 0; i < 100; ++i) {
    REQUIRE(r.ctl({"stop_app", "b"}).exit_code == 0);
    REQUIRE(r.ctl({"start_app", "b"}).exit_code == 0);
  }
  CHECK(node->running());
  CHECK(r.ctl({"apps"}).out == "kernel 0.1.0 permanent\na 1.0 permanent\n"
                               "b 1.0 permanent\n");
  node->signal(SIGTERM);
  CHECK(node->wait_exit() == 0);
  CHECK(node->err().find("node stopped") == std::string::npos);
}

TEST_CASE("the admin channel cannot be starved and never loses a reply",
          "[e2e][faults]") {
  fault_release r;
  r.probe("a");
  r.build("[kernel, a]");
  auto node = r.boot();
  REQUIRE(node->wait_for("application a started"));
  SECTION("20 silent clients do not delay a ping") {
    std::vector<int> idle;
    for (int i = 0; i < 20; ++i)
      idle.push_back(connect_raw(r.socket()));
    auto t0 = clock_type::now();
    CHECK(r.ctl({"ping"}).out == "pong\n");
    CHECK(seconds_since(t0) < 1.0);
    for (int fd : idle)
      close(fd);
  }
  SECTION("a request followed by more input still gets its reply") {
    int fd = connect_raw(r.socket());
    REQUIRE(fd >= 0);
    std::string text = "ping\n" + std::string(2000, 'x');
    REQUIRE(send(fd, text.data(), text.size(), 0) > 0);
    std::this_thread::sleep_for(100ms);
    shutdown(fd, SHUT_WR);
    CHECK(read_all(fd) == "ok\npong\n");
    close(fd);
  }
  SECTION("many clients at once each get their own reply") {
    std::vector<std::thread> clients;
    std::atomic<int> good{0};
    for (int i = 0; i < 16; ++i)
      clients.emplace_back([&] {
        if (r.ctl({"versions"}).out == "t 1\n")
          ++good;
      });
    for (auto& t : clients)
      t.join();
    CHECK(good == 16);
  }
  node->signal(SIGTERM);
  CHECK(node->wait_exit() == 0);
}

TEST_CASE("a bad node name is refused in one line", "[e2e][faults]") {
  fault_release r;
  r.probe("a");
  r.build("[kernel, a]");
  auto out = run_process({node_exe, "boot", r.root, "--name", "../x"});
  CHECK(out.exit_code == 2);
  CHECK(out.err == "relc: error: node name '../x': expected 1-64 characters of "
                   "[A-Za-z0-9_.-], not starting with '.' or '-'\n");
  CHECK_FALSE(fs::exists(r.dir / "out/x.sock"));
}

TEST_CASE("the release's files are taken as named: a missing sys.config is "
          "a boot error, and other boot files are ignored", "[e2e][faults]") {
  fault_release r;
  r.probe("a");
  write_file(r.dir / "sys.config", "a: {x: 1}\n");
  r.build("[kernel, a]", "sys_config: " + (r.dir / "sys.config").string());
  SECTION("missing sys.config") {
    fs::remove(fs::path{r.root} / "releases/1/sys.config");
    auto out = run_process({node_exe, "boot", r.root});
    CHECK(out.exit_code == 1);
    CHECK(out.err.find("boot failed: kernel: config: ") != std::string::npos);
    CHECK(out.err.find("sys.config: no such file") != std::string::npos);
  }
  SECTION("a second .boot beside t.boot and t.rel: t.boot boots") {
    // OTP and relx releases carry start.boot, start_clean.boot, ...
    fs::copy_file(fs::path{r.root} / "releases/1/t.boot",
                  fs::path{r.root} / "releases/1/zzz.boot");
    background_process node{{node_exe, "boot", r.root}};
    INFO(node.err());
    REQUIRE(node.wait_for("init: started ", 10s));
    CHECK(node.err().find("releases/1/zzz.boot: ignored (the release boots "
                          "t.boot)")
          != std::string::npos);
  }
  SECTION("two boot files, each beside its .rel: which one is not guessed") {
    for (auto ext : {".boot", ".rel"})
      fs::copy_file(fs::path{r.root} / ("releases/1/t" + std::string{ext}),
                    fs::path{r.root} / ("releases/1/other" + std::string{ext}));
    auto out = run_process({node_exe, "boot", r.root});
    CHECK(out.exit_code == 1);
    CHECK(out.err.find("expected one <release>.boot beside its <release>.rel, "
                       "found other.boot, t.boot")
          != std::string::npos);
  }
}

TEST_CASE("a transient app whose start fails ends the boot (OTP)",
          "[e2e][faults]") {
  fault_release r;
  r.probe("a", "env: {start_error: nope}\n");
  r.probe("b");
  r.build("[kernel, {name: a, type: transient}, b]");
  auto out = run_process({node_exe, "boot", r.root});
  CHECK(out.exit_code == 1);
  CHECK(out.err.find("boot failed: a: start: nope") != std::string::npos);
  CHECK(out.err.find("probe b: start") == std::string::npos);
}

TEST_CASE("workers that die as soon as they run do not fail their app's "
          "start by chance", "[e2e][faults]") {
  // Their supervisor restarts them (intensity 1000/s); the boot succeeds
  // every time. Before, a death before the readiness probe was answered
  // counted as a start failure.
  for (int i = 0; i < 5; ++i) {
    fault_release r;
    r.probe("a", "env: {crash_worker_at_once: true}\n");
    r.build("[kernel, {name: a, type: temporary}]");
    auto node = r.boot();
    REQUIRE(node->wait_for("application a started"));
    node->signal(SIGTERM);
    node->wait_exit();
    CHECK(node->err().find("boot failed") == std::string::npos);
  }
}

TEST_CASE("heart restarts a node whose schedulers are all blocked",
          "[e2e][faults][heart]") {
  fault_release r;
  // Enough blockers for every scheduler thread CAF starts on this machine.
  r.probe("a", "env: {block_schedulers: 64}\n");
  r.build("[kernel, {name: a, type: temporary}]");
  background_process heart{
    {node_exe, "heart", "--", node_exe, "boot", r.root},
    {"HEART_BEAT_TIMEOUT=1", "HEART_MAX_RESTARTS=1", "HEART_RESTART_PERIOD=60"}};
  REQUIRE(heart.wait_for("application a started"));
  CHECK(heart.wait_for("no heartbeat for 1 s; restarting the node", 10s));
  // The restarted node blocks too: heart kills it and gives up.
  CHECK(heart.wait_exit(15s) == 1);
  CHECK(heart.err().find("no heartbeat for 1 s; giving up after 1 restarts")
        != std::string::npos);
}

namespace {

// A node whose stderr is a pipe this test reads only when it chooses to
// (stdout goes to /dev/null).
class piped_node {
public:
  explicit piped_node(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    pid_ = fork();
    if (pid_ == 0) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      dup2(fds[1], 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    err_ = fds[0];
  }
  ~piped_node() {
    if (pid_ > 0 && status_ < 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(err_);
  }
  piped_node(const piped_node&) = delete;
  piped_node& operator=(const piped_node&) = delete;

  /// Reads stderr until the node closes it or `timeout` passes.
  std::string read_err(std::chrono::milliseconds timeout) {
    std::string text;
    auto deadline = clock_type::now() + timeout;
    char buf[65536];
    while (clock_type::now() < deadline) {
      pollfd pfd{err_, POLLIN, 0};
      if (poll(&pfd, 1, 100) <= 0)
        continue;
      auto n = read(err_, buf, sizeof buf);
      if (n <= 0)
        break;
      text.append(buf, static_cast<size_t>(n));
    }
    return text;
  }

  /// Its exit status (128+signal when killed), -1 on timeout.
  int wait_exit(std::chrono::milliseconds timeout) {
    auto deadline = clock_type::now() + timeout;
    while (clock_type::now() < deadline) {
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return status_;
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }

  int pid() const { return pid_; }

private:
  int pid_ = -1;
  int err_ = -1;
  int status_ = -1;
};

// What the node writes to its --notify-fifo, read until `word` or timeout.
bool fifo_says(int fd, const std::string& word,
               std::chrono::milliseconds timeout) {
  std::string text;
  auto deadline = clock_type::now() + timeout;
  char buf[256];
  while (clock_type::now() < deadline) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) > 0) {
      auto n = read(fd, buf, sizeof buf);
      if (n > 0)
        text.append(buf, static_cast<size_t>(n));
      else
        std::this_thread::sleep_for(10ms); // no writer yet, or it closed
    }
    if (text.find(word) != std::string::npos)
      return true;
  }
  return false;
}

} // namespace

TEST_CASE("a node whose stderr nobody reads boots, stops when told and "
          "counts the report lines it dropped", "[e2e][faults][log]") {
  // 20,000 lines of ~100 bytes: far more than a pipe (64 KiB) and the
  // log's queue (1 MiB) hold. A node that wrote them from the logging
  // thread would hang in its first app's start.
  fault_release r;
  r.probe("a", "env: {log_lines: 20000}\n");
  r.build("[kernel, a]");
  auto fifo = (r.dir / "ready").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(fd >= 0);
  piped_node node{{node_exe, "boot", r.root, "--notify-fifo", fifo}};
  bool ready = fifo_says(fd, "started", 20s);
  close(fd);
  REQUIRE(ready);
  auto t0 = clock_type::now();
  kill(node.pid(), SIGTERM);
  auto err = node.read_err(15s); // only now is stderr read
  CHECK(node.wait_exit(5s) == 0);
  CHECK(seconds_since(t0) < 5);
  CHECK(err.find("probe a: line 1 of 20000 ") != std::string::npos);
  CHECK(err.find("report line(s) dropped: stderr was not read fast enough")
        != std::string::npos);
  CHECK(lines_with(err, "probe a: line ") < 20000);
}

TEST_CASE("every report reaches the log, complete and in order",
          "[e2e][faults][log]") {
  fault_release r;
  r.probe("a", "env: {log_lines: 3000}\n");
  r.probe("b");
  r.build("[kernel, a, b]");
  auto node = r.boot();
  REQUIRE(node->wait_for("application b started"));
  node->signal(SIGTERM);
  REQUIRE(node->wait_exit(10s) == 0);
  auto err = node->err();
  CHECK(lines_with(err, "probe a: line ") == 3000);
  CHECK(in_order(err, {"probe a: line 1 of 3000 ", "probe a: line 2 of 3000 ",
                       "probe a: line 3000 of 3000 ", "application a started",
                       "application b started", "probe b: stop",
                       "probe a: stop", "application a stopped"}));
}

// (not in the ThreadSanitizer job: TSan takes SIGSEGV itself)
TEST_CASE("what an app logged just before it crashed the node is in the log",
          "[e2e][faults][log]") {
  fault_release r;
  r.probe("a", "env: {log_lines: 200}\n");
  r.probe("b", "env: {crash_in: start}\n");
  r.build("[kernel, a, b]");
  auto node = r.boot();
  auto code = node->wait_exit(10s);
  auto err = node->err();
  INFO(err);
  CHECK(code == 128 + SIGSEGV);
  // "probe b: start" is logged by the crashing thread just before it
  // crashes (the controller's "application a started", from another
  // thread, may or may not have been logged by then).
  CHECK(in_order(err, {"probe a: line 200 of 200 ", "probe b: start"}));
}
