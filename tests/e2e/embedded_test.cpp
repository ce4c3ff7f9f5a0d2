// docs/cpp-api.md (a release inside your own CAF program): the runtime runs inside an actor system it does not
// own. This test is such a host: it boots a release in its own system,
// inspects it, stops it, and keeps using the system afterwards.
#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include <mutex>
#include <thread>

#include "relc/runtime/lifecycle_event.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/node.hpp"
#include "relc/runtime/registry.hpp"
#include "test_support.hpp"

using namespace relc::test;
using namespace std::chrono_literals;

TEST_CASE("a CAF program boots a release inside its own actor system",
          "[e2e][embedded]") {
  temp_dir dir;
  auto r = run_relc_in_process({"build", RELC_TEST_SOURCE_DIR "/rel/rvi.rel",
                                "--lib-dir", RELC_TEST_EXAMPLE_LIB_DIR, "--out",
                                (dir / "out").string(), "--no-tar"});
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> lines;
  relc::set_log_sink([&](relc::log_level, const std::string& line) {
    lines.push_back(line);
  });
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  {
    relc::node_options options;
    options.release_dir = (dir / "out/rvi").string();
    options.env_overrides = {"core.await_timeout_ms=2000"};
    relc::node node{options};
    REQUIRE_FALSE(node.boot(sys));
    CHECK(node.status().state == relc::node_state::started);
    auto apps = node.which_applications();
    std::vector<std::string> names;
    for (auto& a : apps)
      names.push_back(a.name);
    CHECK(names == std::vector<std::string>{"kernel", "dlink_tls", "dlink_bt",
                                            "proto_json", "core"});
    CHECK(node.get_env("core", "await_timeout_ms").as_integer() == 2000);
    auto core = relc::whereis(sys, node.registry(), "rvi_core");
    REQUIRE(core);
    CHECK(*core);
    // Stopping one app on purpose affects no other.
    REQUIRE_FALSE(node.stop_application("dlink_bt"));
    CHECK(node.which_applications().size() == 4);
    CHECK(node.status().state == relc::node_state::started);
    node.stop();
    CHECK(node.status().state == relc::node_state::stopped);
    CHECK(node.which_applications().empty());
  }
  relc::set_log_sink({});
  // The host's system still works after the release is gone.
  auto echo = sys.spawn([]() -> caf::behavior { return {[](int x) { return x + 1; }}; });
  caf::scoped_actor self{sys};
  int answer = 0;
  self->request(echo, 5s, 41).receive([&](int x) { answer = x; },
                                      [](caf::error&) {});
  CHECK(answer == 42);
  caf::anon_send_exit(echo, caf::exit_reason::user_shutdown);
}

namespace {

// Collects lifecycle events as lines, in the order they arrive.
struct event_log {
  std::mutex mtx;
  std::vector<std::string> lines;
  void add(const relc::lifecycle_event& ev) {
    std::lock_guard<std::mutex> guard{mtx};
    lines.push_back(relc::to_string(ev));
  }
  std::vector<std::string> take() {
    std::lock_guard<std::mutex> guard{mtx};
    return lines;
  }
};

} // namespace

TEST_CASE("a program subscribes to a node's lifecycle events (not only in "
          "shoehorn mode)", "[e2e][embedded][events]") {
  probe_release f;
  f.probe("a", "start_phases: [{go: []}]\n");
  f.probe("b", "env: {exit_after_ms: 200, exit_reason: crash}\n");
  auto root = f.build("[kernel, a, {name: b, type: temporary}]");
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto events = std::make_shared<event_log>();
  auto collector = sys.spawn([events]() -> caf::behavior {
    return {[events](const relc::lifecycle_event& ev) { events->add(ev); }};
  });
  {
    relc::node_options options;
    options.release_dir = root;
    relc::node node{options};
    node.subscribe(collector);
    REQUIRE_FALSE(node.boot(sys));
    auto crashed = [&] {
      for (auto& l : events->take())
        if (l == "crashed b: probe crash")
          return true;
      return false;
    };
    for (int i = 0; i < 300 && !crashed(); ++i)
      std::this_thread::sleep_for(10ms);
    REQUIRE_FALSE(node.stop_application("a"));
    node.stop();
  }
  // Events are messages: the last may still be on its way when stop()
  // returns.
  for (int i = 0; i < 300 && events->take().back() != "node_stopped"; ++i)
    std::this_thread::sleep_for(10ms);
  std::vector<std::string> expected{
    "loaded kernel", "loaded a", "loaded b", "phase a go", "started a",
    "started b", "node_started", "crashed b: probe crash",
    "stopped a: shutdown", "node_stopped"};
  CHECK(events->take() == expected);
  caf::anon_send_exit(collector, caf::exit_reason::user_shutdown);
}

TEST_CASE("1000 stop/start pairs of a supervised app never end the node",
          "[e2e][embedded]") {
  probe_release f;
  f.probe("a");
  f.probe("b", "env: {supervised: true}\n");
  auto root = f.build("[kernel, a, b]");
  relc::set_log_level(relc::log_level::error);
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  {
    relc::node_options options;
    options.release_dir = root;
    relc::node node{options};
    REQUIRE_FALSE(node.boot(sys));
    int failures = 0;
    for (int i = 0; i < 1000; ++i)
      if (node.stop_application("b") || node.start_application("b"))
        ++failures;
    CHECK(failures == 0);
    CHECK(node.status().state == relc::node_state::started);
    CHECK(node.which_applications().size() == 3);
    node.stop();
  }
  relc::set_log_level(relc::log_level::info);
}

// docs/cpp-api.md, the module: examples/caf_host is a CAF program that gained a
// release by two lines (an include and cfg.load<relc::module>()).
TEST_CASE("an existing CAF program boots a release as a CAF module, from "
          "the command line or caf-application.ini", "[e2e][embedded][module]") {
  temp_dir dir;
  auto r = run_relc_in_process({"build", RELC_TEST_SOURCE_DIR "/rel/rvi.rel",
                                "--lib-dir", RELC_TEST_EXAMPLE_LIB_DIR, "--out",
                                (dir / "out").string(), "--no-tar"});
  REQUIRE(r.exit_code == 0);
  auto root = (dir / "out/rvi").string();
  const std::string host = RELC_TEST_CAF_HOST;
  auto check_booted_and_stopped = [](const run_result& out) {
    CHECK(out.exit_code == 0);
    CHECK(out.out.find("host: counter at 6\n") != std::string::npos);
    CHECK(out.out.find("host: app core 0.3.0 running\n") != std::string::npos);
    // Stopped when the program ended, in reverse start order.
    CHECK(in_order(out.err, {"application dlink_tls started",
                             "application core started",
                             "application core stopped",
                             "application dlink_tls stopped",
                             "init: stopped"}));
  };
  SECTION("--relc.release-dir and --relc.env on the command line") {
    auto out = run_process({host, "--relc.release-dir=" + root,
                            "--relc.env=[\"core.await_timeout_ms=2000\"]"});
    check_booted_and_stopped(out);
  }
  SECTION("[relc] in caf-application.ini") {
    write_file(dir / "caf-application.ini",
               "[relc]\nrelease-dir=\"" + root + "\"\n");
    auto out = run_process(
      {"/bin/sh", "-c", "cd '" + dir.str() + "' && exec '" + host + "'"});
    check_booted_and_stopped(out);
  }
  SECTION("without a release the program runs as before") {
    auto out = run_process({host});
    CHECK(out.exit_code == 0);
    CHECK(out.out == "host: counter at 6\n");
  }
  SECTION("a release that fails to boot is reported; the program runs on") {
    fs::remove(dir / "out/rvi/releases/start.data");
    auto out = run_process({host, "--relc.release-dir=" + root});
    CHECK(out.exit_code == 0);
    CHECK(out.err.find("relc: boot failed: kernel: boot file: cannot read")
          != std::string::npos);
    CHECK(out.out.find("host: the release did not boot") != std::string::npos);
  }
}
