// End to end: operating a release as a daemon with bin/<rel> (docs/operations.md).
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <thread>

#include "test_support.hpp"

using namespace relc::test;
using namespace std::chrono_literals;

namespace {

bool alive(int pid) {
  return kill(pid, 0) == 0;
}

bool gone_within(int pid, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (alive(pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  return !alive(pid);
}

std::string raw_request(const std::string& socket_path, const std::string& bytes) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  auto fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "no connection";
  }
  (void) !send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string reply;
  char buf[1024];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
    reply.append(buf, static_cast<size_t>(n));
  close(fd);
  return reply;
}

} // namespace

TEST_CASE("start a daemon, ping it, ask for its apps, stop it", "[e2e][ops]") {
  built_release rel{"bsc"};
  auto start = rel.run({"start"});
  INFO(start.err);
  REQUIRE(start.exit_code == 0);
  auto ping = rel.run({"ping"});
  CHECK(ping.exit_code == 0);
  CHECK(ping.out == "pong\n");
  auto pid_text = rel.run({"pid"}).out;
  auto pid = atoi(pid_text.c_str());
  REQUIRE(pid > 0);
  CHECK(alive(pid));
  CHECK(rel.run({"rpc", "apps"}).out == "kernel 0.1.0 permanent\nbsc 1.0.0 permanent\n");
  CHECK(rel.run({"status"}).out.rfind("started\n", 0) == 0);
  CHECK(rel.run({"rpc", "env_get", "bsc", "frequencies"}).out
        == "[10, 11, 12, 13, 14, 15, 16, 17]\n");
  // An app the release does not have is an error, not a null.
  auto nosuch = rel.run({"rpc", "env_get", "bcs", "frequencies"});
  CHECK(nosuch.exit_code == 1);
  CHECK(nosuch.out.empty());
  CHECK(nosuch.err == "relc: error: no application bcs (the release's: kernel, bsc)\n");
  struct stat st;
  REQUIRE(stat((rel.root + "/run/bsc.sock").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(S_ISSOCK(st.st_mode));
  auto again = rel.run({"start"});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("already running") != std::string::npos);
  auto stop = rel.run({"stop"});
  CHECK(stop.exit_code == 0);
  CHECK(gone_within(pid, 5s));
  CHECK(rel.run({"ping"}).exit_code == 1);
  auto log = read_file(rel.root + "/log/bsc/node.log");
  CHECK(log.find("application bsc stopped") != std::string::npos);
}

TEST_CASE("start returns at once to a caller reading its output through a pipe",
          "[e2e][ops]") {
  built_release rel{"bsc"};
  // run_process reads output from files; a shell pipe waits for EOF instead.
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_process({"/bin/sh", "-c", "/bin/sh '" + rel.script + "' start | cat"});
  CHECK(r.exit_code == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < 3s);
  CHECK(rel.run({"stop"}).exit_code == 0);
}

TEST_CASE("two nodes of one release run side by side, selected by name",
          "[e2e][ops]") {
  built_release rel{"bsc"};
  REQUIRE(rel.run({"start"}, {"RELC_NODE_NAME=one"}).exit_code == 0);
  REQUIRE(rel.run({"start"}, {"RELC_NODE_NAME=two"}).exit_code == 0);
  auto one = atoi(rel.run({"pid"}, {"RELC_NODE_NAME=one"}).out.c_str());
  auto two = atoi(rel.run({"pid"}, {"RELC_NODE_NAME=two"}).out.c_str());
  CHECK(one > 0);
  CHECK(two > 0);
  CHECK(one != two);
  CHECK(fs::exists(rel.root + "/log/one/node.log"));
  CHECK(fs::exists(rel.root + "/log/two/node.log"));
  CHECK(rel.run({"stop"}, {"RELC_NODE_NAME=one"}).exit_code == 0);
  CHECK(gone_within(one, 5s));
  CHECK(rel.run({"ping"}, {"RELC_NODE_NAME=two"}).out == "pong\n");
  CHECK(rel.run({"stop"}, {"RELC_NODE_NAME=two"}).exit_code == 0);
  CHECK(gone_within(two, 5s));
}

TEST_CASE("start returns the boot-failure line when the boot fails",
          "[e2e][ops]") {
  built_release rel{"rvi"};
  auto start = rel.run({"start", "--env", "dlink_bt.announce=false", "--env",
                        "core.await_timeout_ms=200"});
  CHECK(start.exit_code == 1);
  CHECK(start.err.find("boot failed: core: start_phase await:") != std::string::npos);
  CHECK(rel.run({"ping"}).exit_code == 1);
}

TEST_CASE("the admin socket answers garbage with an error and keeps serving",
          "[e2e][ops]") {
  built_release rel{"bsc"};
  REQUIRE(rel.run({"start"}).exit_code == 0);
  auto socket_path = rel.root + "/run/bsc.sock";
  CHECK(raw_request(socket_path, std::string(10000, 'x') + "\n").rfind("error:", 0) == 0);
  CHECK(raw_request(socket_path, std::string("pi\x01ng\n")).rfind("error:", 0) == 0);
  CHECK(raw_request(socket_path, "env_get\n").rfind("error:", 0) == 0);
  CHECK(raw_request(socket_path, "\n").rfind("error:", 0) == 0);
  CHECK(raw_request(socket_path, "ping\n") == "ok\npong\n");
  CHECK(rel.run({"stop"}).exit_code == 0);
}

TEST_CASE("a test socket standing in for systemd receives READY=1 and STOPPING=1",
          "[e2e][ops]") {
  built_release rel{"bsc"};
  temp_dir dir;
  auto path = (dir / "notify.sock").string();
  auto fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  background_process node{{"/bin/sh", rel.script, "foreground"},
                          {"NOTIFY_SOCKET=" + path}};
  auto receive = [&] {
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[256];
    auto n = recv(fd, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string{};
  };
  CHECK(receive().find("READY=1") != std::string::npos);
  node.signal(SIGTERM);
  CHECK(receive() == "STOPPING=1");
  CHECK(node.wait_exit() == 0);
  close(fd);
}

TEST_CASE("apps are stopped and started, env is set, the node restarts, over the "
          "admin channel", "[e2e][ops]") {
  built_release rel{"bsc"};
  REQUIRE(rel.run({"start"}).exit_code == 0);
  CHECK(rel.run({"rpc", "env_set", "bsc", "max_phones", "7"}).exit_code == 0);
  CHECK(rel.run({"rpc", "env_get", "bsc", "max_phones"}).out == "7\n");
  CHECK(rel.run({"rpc", "stop_app", "bsc"}).exit_code == 0);
  CHECK(rel.run({"rpc", "apps"}).out == "kernel 0.1.0 permanent\n");
  CHECK(rel.run({"ping"}).out == "pong\n"); // stopping on purpose ends nothing
  CHECK(rel.run({"rpc", "start_app", "bsc"}).exit_code == 0);
  CHECK(rel.run({"rpc", "apps"}).out == "kernel 0.1.0 permanent\nbsc 1.0.0 permanent\n");
  auto again = rel.run({"rpc", "start_app", "bsc"});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("already running") != std::string::npos);
  // restart re-runs the boot script in the same process: env from the
  // release again, apps started anew, same pid.
  auto before = atoi(rel.run({"pid"}).out.c_str());
  CHECK(rel.run({"restart"}).exit_code == 0);
  CHECK(atoi(rel.run({"pid"}).out.c_str()) == before);
  CHECK(rel.run({"rpc", "env_get", "bsc", "max_phones"}).out == "100\n");
  CHECK(rel.run({"rpc", "apps"}).out == "kernel 0.1.0 permanent\nbsc 1.0.0 permanent\n");
  // reboot: the process exits and, without heart, the script starts it.
  CHECK(rel.run({"reboot"}).exit_code == 0);
  auto after = atoi(rel.run({"pid"}).out.c_str());
  CHECK(after > 0);
  CHECK(after != before);
  CHECK(rel.run({"stop"}).exit_code == 0);
  auto log = read_file(rel.root + "/log/bsc/node.log");
  CHECK(lines_with(log, "application bsc started") == 4);
  auto unit = read_file(rel.root + "/etc/bsc.service");
  CHECK(unit.find("Type=notify") != std::string::npos);
  CHECK(unit.find("bin/bsc foreground") != std::string::npos);
}

TEST_CASE("the admin channel shows the supervision tree and the boot timeline, "
          "and bin/<rel> remote is a prompt on the node", "[e2e][ops]") {
  built_release rel{"bsc"};
  REQUIRE(rel.run({"start"}).exit_code == 0);
  auto tree = rel.run({"tree", "bsc"});
  CHECK(tree.exit_code == 0);
  CHECK(tree.out.rfind("bsc  supervisor  <", 0) == 0);
  CHECK(tree.out.find("\n  frequency  worker  <") != std::string::npos);
  CHECK(tree.out.find("\n  phone_sup  supervisor  <") != std::string::npos);
  auto nope = rel.run({"tree", "nope"});
  CHECK(nope.exit_code == 1);
  CHECK(nope.err.find("no running application nope") != std::string::npos);
  auto timeline = rel.run({"timeline"}).out;
  CHECK(timeline.find(" ms start bsc\n") != std::string::npos);
  CHECK(timeline.find(" ms start_phase bsc oper\n") != std::string::npos);
  CHECK(timeline.find(" ms started bsc ") != std::string::npos);
  auto remote = run_process({"/bin/sh", "-c", "printf 'ping\\napps\\nbogus\\nquit\\n' | /bin/sh '"
                                               + rel.script + "' remote"});
  CHECK(remote.exit_code == 0);
  CHECK(remote.out.rfind("pong\nkernel 0.1.0 permanent\nbsc 1.0.0 permanent\n"
                         "error: unknown command", 0) == 0);
  // `help` at the prompt lists the commands (it was an error).
  auto help = run_process({"/bin/sh", "-c", "printf 'help\nquit\n' | /bin/sh '"
                                             + rel.script + "' remote"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("env_get APP KEY") != std::string::npos);
  CHECK(help.out.find("error") == std::string::npos);
  CHECK(rel.run({"stop"}).exit_code == 0);
}

TEST_CASE("the bsc_safe example boots under shoehorn control as a daemon",
          "[e2e][ops]") {
  built_release rel{"bsc_safe"};
  auto start = rel.run({"start"});
  INFO(start.err);
  REQUIRE(start.exit_code == 0);
  CHECK(start.err.empty()); // no note: main started
  CHECK(rel.run({"rpc", "apps"}).out
        == "kernel 0.1.0 permanent\nfw_guard 0.1.0 temporary\nbsc 1.0.0 temporary\n");
  CHECK(rel.run({"status"}).out.rfind("started\n", 0) == 0);
  CHECK(rel.run({"stop"}).exit_code == 0);
  auto log = read_file(rel.root + "/log/bsc_safe/node.log");
  CHECK(log.find("fw_guard: boot marked by fw_guard [bsc_safe]") != std::string::npos);
  CHECK(read_file(rel.root + "/var/bsc_safe/failed_boots") == "0\n");
}

namespace {

int node_pid(built_release& rel) {
  auto r = rel.run({"pid"});
  return r.exit_code == 0 ? atoi(r.out.c_str()) : 0;
}

// Waits until a node other than `old_pid` answers; its pid, or 0.
int new_node_within(built_release& rel, int old_pid, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto pid = node_pid(rel);
    if (pid > 0 && pid != old_pid)
      return pid;
    std::this_thread::sleep_for(50ms);
  }
  return 0;
}

const std::vector<std::string> heart_env = {
  "HEART=1", "HEART_BEAT_TIMEOUT=1", "HEART_MAX_RESTARTS=2",
  "HEART_RESTART_PERIOD=60"};

} // namespace

TEST_CASE("heart restarts a node that was killed", "[e2e][ops][heart]") {
  built_release rel{"bsc"};
  REQUIRE(rel.run({"start"}, heart_env).exit_code == 0);
  auto first = node_pid(rel);
  REQUIRE(first > 0);
  kill(first, SIGKILL);
  auto second = new_node_within(rel, first, 10s);
  CHECK(second > 0);
  CHECK(rel.run({"stop"}).exit_code == 0);
  auto log = read_file(rel.root + "/log/bsc/node.log");
  CHECK(log.find("heart: node exited without a clean stop; restarting the node")
        != std::string::npos);
}

TEST_CASE("heart restarts a node that stopped answering (SIGSTOP)",
          "[e2e][ops][heart]") {
  built_release rel{"bsc"};
  REQUIRE(rel.run({"start"}, heart_env).exit_code == 0);
  auto first = node_pid(rel);
  REQUIRE(first > 0);
  kill(first, SIGSTOP);
  auto second = new_node_within(rel, first, 15s);
  CHECK(second > 0);
  CHECK(rel.run({"stop"}).exit_code == 0);
  auto log = read_file(rel.root + "/log/bsc/node.log");
  CHECK(log.find("heart: no heartbeat for 1 s; restarting the node")
        != std::string::npos);
}

TEST_CASE("heart gives up after N restarts in T seconds, and says why",
          "[e2e][ops][heart]") {
  built_release rel{"bsc"};
  REQUIRE(rel.run({"start"}, heart_env).exit_code == 0);
  int pid = node_pid(rel);
  for (int i = 0; i < 3 && pid > 0; ++i) {
    kill(pid, SIGKILL);
    pid = i < 2 ? new_node_within(rel, pid, 10s) : 0;
  }
  auto deadline = std::chrono::steady_clock::now() + 10s;
  std::string log;
  while (std::chrono::steady_clock::now() < deadline) {
    log = read_file(rel.root + "/log/bsc/node.log");
    if (log.find("giving up") != std::string::npos)
      break;
    std::this_thread::sleep_for(50ms);
  }
  CHECK(log.find("heart: node exited without a clean stop; giving up after 2 "
                 "restarts within 60 s") != std::string::npos);
  CHECK(rel.run({"ping"}).exit_code == 1);
}

TEST_CASE("reboot under heart: the node exits and heart starts it again",
          "[e2e][ops][heart]") {
  built_release rel{"bsc"};
  REQUIRE(rel.run({"start"}, heart_env).exit_code == 0);
  auto first = node_pid(rel);
  REQUIRE(first > 0);
  auto reboot = rel.run({"reboot"});
  CHECK(reboot.exit_code == 0);
  CHECK(reboot.out.find("heart restarts the node") != std::string::npos);
  auto second = new_node_within(rel, first, 10s);
  CHECK(second > 0);
  CHECK(!alive(first));
  CHECK(rel.run({"stop"}).exit_code == 0);
  auto log = read_file(rel.root + "/log/bsc/node.log");
  CHECK(log.find("heart: node rebooted; starting it again") != std::string::npos);
}

TEST_CASE("heart fires when the boot does not reach started in time "
          "(HEART_BOOT_TIMEOUT)", "[e2e][ops][heart]") {
  probe_release slow;
  slow.probe("slow", "env: {start_delay_ms: 30000}\n");
  auto root = slow.build("[kernel, slow]");
  auto t0 = std::chrono::steady_clock::now();
  auto heart = run_process({RELC_TEST_NODE_EXE, "heart", "--", RELC_TEST_NODE_EXE,
                            "boot", root},
                           {"HEART_BOOT_TIMEOUT=1", "HEART_MAX_RESTARTS=1",
                            "HEART_BEAT_TIMEOUT=5"});
  CHECK(heart.exit_code == 1);
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  CHECK(heart.err.find("heart: boot did not reach started within 1 s; restarting "
                       "the node") != std::string::npos);
  CHECK(heart.err.find("heart: boot did not reach started within 1 s; giving up "
                       "after 1 restarts") != std::string::npos);
}

TEST_CASE("a clean stop disarms heart", "[e2e][ops][heart]") {
  built_release rel{"bsc"};
  REQUIRE(rel.run({"start"}, heart_env).exit_code == 0);
  auto pid = node_pid(rel);
  REQUIRE(pid > 0);
  CHECK(rel.run({"stop"}).exit_code == 0);
  std::this_thread::sleep_for(1500ms); // longer than the beat timeout
  CHECK(rel.run({"ping"}).exit_code == 1);
  auto log = read_file(rel.root + "/log/bsc/node.log");
  CHECK(log.find("heart: node stopped cleanly; heart exits") != std::string::npos);
  CHECK(log.find("restarting the node") == std::string::npos);
}
