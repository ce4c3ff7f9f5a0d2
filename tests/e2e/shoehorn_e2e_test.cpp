// End to end: shoehorn mode (docs/runtime.md) and the reboot-loop guard, on real
// relc boot processes; apps and the boot handler come from the probe library.
#include <catch2/catch.hpp>

#include <signal.h>

#include <thread>

#include "test_support.hpp"

using namespace relc::test;
using namespace std::chrono_literals;

namespace {

// A probe release with a `boot:` section, booted and asked as relc boot's
// node `t` would be.
struct shoehorn_release : probe_release {
  void build(const std::string& apps, const std::string& boot,
             const std::string& extra = "") {
    probe_release::build(apps, "boot:\n" + boot + "\n" + extra);
  }
};

} // namespace

TEST_CASE("shoehorn: main fails at start, the init apps keep running and "
          "serve the admin socket", "[e2e][shoehorn]") {
  shoehorn_release r;
  r.probe("net");
  r.probe("fw");
  r.probe("app", "env: {start_error: boom}\n");
  r.build("[kernel, net, fw, app]",
          "  init: [net, {call: fw.probe_mark, args: [1]}]\n  main: app\n");
  auto node = r.boot();
  REQUIRE(node->wait_for("main application app is not running"));
  auto status = r.ctl({"status"});
  CHECK(status.exit_code == 0);
  CHECK(status.out.rfind("started\n", 0) == 0);
  CHECK(status.out.find("main application app is not running: app: start: boom")
        != std::string::npos);
  // Only init apps run, as temporary; fw was called, not started.
  CHECK(r.ctl({"apps"}).out == "kernel 0.1.0 permanent\nnet 1.0 temporary\n");
  CHECK(r.ctl({"ping"}).out == "pong\n");
  node->signal(SIGTERM);
  CHECK(node->wait_exit() == 0);
  auto err = node->err();
  CHECK(in_order(err, {"probe net: start", "probe fw: call [1]", "probe app: start",
                       "probe net: stop"}));
  CHECK(err.find("probe fw: start") == std::string::npos);
}

TEST_CASE("shoehorn: the handler gets structured events and its restart "
          "verdict is rate limited", "[e2e][shoehorn]") {
  shoehorn_release r;
  r.probe("net");
  r.probe("app", "env: {exit_after_ms: 150, exit_reason: crash}\n");
  SECTION("past the limit the node halts, exit 1") {
    r.build("[kernel, net, app]",
            "  init: [net]\n  main: app\n"
            "  handler: {module: probe_handler, args: {crashed: restart}}\n"
            "  restart_limit: {max: 2, period: 10000}\n");
    auto node = r.boot();
    CHECK(node->wait_exit() == 1);
    auto err = node->err();
    CHECK(in_order(err, {"handler started net recent=0",
                         "handler started app recent=0",
                         "handler crashed app recent=0 reason=probe crash",
                         "handler started app recent=1",
                         "handler crashed app recent=1",
                         "handler started app recent=2",
                         "handler crashed app recent=2",
                         "node stopped: app: 2 restarts within 10000 ms (boot "
                         "restart_limit)"}));
    CHECK(err.find("probe net: stop") != std::string::npos);
  }
  SECTION("with give_up the app stays down, the node and the other apps run; "
          "a stop on purpose is told apart") {
    r.build("[kernel, net, app]",
            "  init: [net]\n  main: app\n"
            "  handler: {module: probe_handler, args: {crashed: restart, "
            "stopped: restart}}\n"
            "  restart_limit: {max: 1, period: 10000, exceeded: give_up}\n");
    auto node = r.boot();
    REQUIRE(node->wait_for("giving up on app: 1 restarts within 10000 ms"));
    std::this_thread::sleep_for(200ms);
    CHECK(node->running());
    CHECK(r.ctl({"apps"}).out == "kernel 0.1.0 permanent\nnet 1.0 temporary\n");
    // A stop on purpose is its own event; this handler restarts it.
    CHECK(r.ctl({"stop_app", "net"}).exit_code == 0);
    REQUIRE(node->wait_for("handler stopped net recent=0"));
    REQUIRE(node->wait_for("handler started net recent=1"));
    CHECK(r.ctl({"apps"}).out == "kernel 0.1.0 permanent\nnet 1.0 temporary\n");
    node->signal(SIGTERM);
    CHECK(node->wait_exit() == 0);
    CHECK(node->err().find("handler crashed net") == std::string::npos);
  }
}

TEST_CASE("shoehorn: a handler that overruns shutdown_timer halts the node",
          "[e2e][shoehorn]") {
  shoehorn_release r;
  r.probe("app", "env: {exit_after_ms: 100, exit_reason: crash}\n");
  r.build("[kernel, app]",
          "  main: app\n"
          "  handler: {module: probe_handler, args: {crashed: restart, "
          "sleep_ms: 5000, sleep_on: crashed}}\n"
          "  shutdown_timer: 300\n");
  auto t0 = std::chrono::steady_clock::now();
  auto node = r.boot();
  CHECK(node->wait_exit() == 1);
  CHECK(std::chrono::steady_clock::now() - t0 < 3s);
  CHECK(node->err().find("node stopped: boot handler gave no verdict on 'app "
                         "crashed: probe crash' within 300 ms (shutdown_timer)")
        != std::string::npos);
}

TEST_CASE("shoehorn: a failing init call goes to the handler, which may halt "
          "the boot", "[e2e][shoehorn]") {
  shoehorn_release r;
  r.probe("fw");
  r.probe("app");
  r.build("[kernel, fw, app]",
          "  init: [{call: fw.probe_mark, args: fail}]\n  main: app\n"
          "  handler: {module: probe_handler, args: {call_failed: halt}}\n");
  auto node = r.boot();
  CHECK(node->wait_exit() == 1);
  auto err = node->err();
  CHECK(err.find("handler call_failed fw.probe_mark recent=0 reason=fw: call "
                 "probe_mark: mark refused") != std::string::npos);
  CHECK(err.find("boot failed: boot handler: halt on 'fw.probe_mark call_failed")
        != std::string::npos);
  CHECK(err.find("probe app: start") == std::string::npos);
}

TEST_CASE("the reboot-loop guard switches to the recovery plan and back",
          "[e2e][shoehorn]") {
  shoehorn_release r;
  r.probe("net");
  r.probe("app");
  write_file(r.dir / "sys.config", "app:\n  start_error: ${PROBE_FAIL:-}\n");
  r.build("[kernel, net, app]",
          "  init: [net]\n  main: app\n"
          "  handler: {module: probe_handler, args: {start_failed: halt}}\n"
          "  recovery_after: 2\n",
          "sys_config: sys.config\n");
  auto counter = r.root + "/var/t/failed_boots";
  for (int i = 1; i <= 2; ++i) {
    auto node = r.boot({}, {"PROBE_FAIL=broken"});
    CHECK(node->wait_exit() == 1);
    CHECK(node->err().find("boot failed: boot handler: halt on 'app start_failed")
          != std::string::npos);
    CHECK(read_file(counter) == std::to_string(i) + "\n");
  }
  {
    auto node = r.boot({}, {"PROBE_FAIL=broken"});
    REQUIRE(node->wait_for("recovery plan: 2 boots in a row did not reach started"));
    REQUIRE(node->wait_for("handler started net"));
    std::this_thread::sleep_for(100ms);
    auto status = r.ctl({"status"});
    CHECK(status.out.rfind("started\n", 0) == 0);
    CHECK(status.out.find("recovery plan") != std::string::npos);
    CHECK(r.ctl({"apps"}).out == "kernel 0.1.0 permanent\nnet 1.0 temporary\n");
    node->signal(SIGTERM);
    CHECK(node->wait_exit() == 0);
    CHECK(node->err().find("probe app: start") == std::string::npos);
    CHECK(read_file(counter) == "0\n"); // the recovery plan reached started
  }
  {
    auto node = r.boot(); // fixed: the full plan again
    REQUIRE(node->wait_for("handler started app"));
    std::this_thread::sleep_for(100ms);
    auto status = r.ctl({"status"});
    CHECK(status.out.find("recovery") == std::string::npos);
    CHECK(r.ctl({"apps"}).out
          == "kernel 0.1.0 permanent\nnet 1.0 temporary\napp 1.0 temporary\n");
    node->signal(SIGTERM);
    CHECK(node->wait_exit() == 0);
    CHECK(read_file(counter) == "0\n");
  }
}
