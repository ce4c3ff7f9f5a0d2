// App code written the OTP way blocks: a child's start function registers
// its worker by name with the blocking helper (gen_server:start_link({local,
// Name}, ...)), a start phase calls a worker and waits. None of it may
// deadlock or starve a node, whatever the start order, the number of CAF
// scheduler threads or the CPUs the node may use.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

using namespace relc::test;
using namespace std::chrono_literals;

namespace {

// A release of `apps` OTP-shaped apps a1..aN (each a supervisor of two
// workers named in their start functions, three start phases that each
// call a worker), every app depending on the one before, so a parallel
// boot has several apps starting at once wherever the graph allows.
struct otp_release : probe_release {
  otp_release(int apps, const std::string& env, bool parallel) {
    std::string list = "[kernel";
    for (int i = 1; i <= apps; ++i) {
      auto name = "a" + std::to_string(i);
      // Two chains: a1 <- a3 <- a5 ..., a2 <- a4 <- ...
      std::string deps = i > 2 ? "applications: [kernel, a" + std::to_string(i - 2) + "]\n"
                               : "";
      probe(name, deps + "start_phases: [one, two, three]\nenv: {" + env + "}\n");
      list += ", " + name;
    }
    build(list + "]", parallel ? "start: parallel\n" : "");
  }

  // Boots up to `times` times with `prefix` before the node (taskset) and
  // `args` after it, each boot stopped again; stops at the first boot that
  // does not reach started within 20 s and returns its output.
  std::string boot_times(int times, std::vector<std::string> prefix,
                         std::vector<std::string> args, int& booted) {
    booted = 0;
    for (int i = 0; i < times; ++i) {
      auto argv = prefix;
      argv.insert(argv.end(), {RELC_TEST_NODE_EXE, "boot", root, "--name", "t"});
      argv.insert(argv.end(), args.begin(), args.end());
      background_process node{argv};
      if (!node.wait_for("init: started ", 20s)) {
        node.signal(SIGKILL);
        node.wait_exit();
        return node.err();
      }
      node.signal(SIGTERM);
      if (node.wait_exit() != 0)
        return "exit status of boot " + std::to_string(i) + ": " + node.err();
      ++booted;
    }
    return {};
  }
};

} // namespace

// Under ThreadSanitizer (scripts/tsan.sh) a boot takes ~20 times as long:
// a tenth of the boots there, the whole count in the main suite.
#ifdef __SANITIZE_THREAD__
constexpr int boot_divisor = 10;
#else
constexpr int boot_divisor = 1;
#endif

TEST_CASE("OTP-shaped apps boot every time: parallel, one scheduler "
          "thread, one CPU", "[e2e][blocking]") {
  const std::string env = "otp_tree: 2";
  struct run {
    const char* what;
    bool parallel;
    std::vector<std::string> prefix;
    std::vector<std::string> args;
    int times;
  };
  const std::vector<std::string> one_cpu{"/usr/bin/taskset", "-c", "0"};
  const std::vector<run> runs{
    {"parallel", true, {}, {}, 100},
    {"sequential, one scheduler thread", false, {}, {"--scheduler.max-threads=1"}, 20},
    {"parallel, one scheduler thread", true, {}, {"--scheduler.max-threads=1"}, 20},
    {"sequential, one CPU", false, one_cpu, {}, 10},
    {"parallel, one CPU", true, one_cpu, {}, 10},
  };
  otp_release sequential{40, env, false};
  otp_release parallel{40, env, true};
  for (auto& r : runs) {
    INFO(r.what);
    int booted = 0;
    auto times = std::max(1, r.times / boot_divisor);
    auto failure = (r.parallel ? parallel : sequential)
                     .boot_times(times, r.prefix, r.args, booted);
    INFO(failure);
    CHECK(booted == times);
  }
}

TEST_CASE("names in child specs are registered on every start and restart",
          "[e2e][blocking]") {
  otp_release rel{4, "otp_tree: 2, otp_names_in_specs: true", true};
  auto node = rel.boot({"--name", "t", "--scheduler.max-threads=1"});
  INFO(node->err());
  // The start phases find a1_w1 by name: registered before start returned.
  REQUIRE(node->wait_for("init: started ", 20s));
  auto names = rel.ctl({"registered"});
  for (auto name : {"a1_w1", "a1_w2", "a4_w1", "a4_w2"})
    CHECK(names.out.find(name) != std::string::npos);
}

TEST_CASE("a child whose start function blocks is restarted while app code "
          "holds a scheduler thread", "[e2e][blocking]") {
  // Two scheduler threads: app b's actor takes one for good (300 ms after
  // the boot); a1's worker w1 crashes every 200 ms, and its start function
  // registers it again with the blocking helper, which needs the registry,
  // which needs the one thread left.
  probe_release rel;
  rel.probe("a1", "env: {otp_tree: 1, otp_crash_every_ms: 200}\n");
  rel.probe("b", "env: {block_schedulers: 1}\n");
  rel.build("[kernel, a1, b]");
  auto node = rel.boot({"--name", "t", "--scheduler.max-threads=2"});
  INFO(node->err());
  REQUIRE(node->wait_for("init: started ", 20s));
  // Initial start plus at least five restarts within 3 s: none waits out
  // a deadline.
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (lines_with(node->err(), "registered a1_w1") < 6
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  CHECK(lines_with(node->err(), "registered a1_w1") >= 6);
  CHECK(node->err().find("request_timeout") == std::string::npos);
  CHECK(node->err().find("call_timeout") == std::string::npos);
  CHECK(rel.ctl({"ping"}).out == "pong\n");
}

TEST_CASE("a blocking helper called inside an actor refuses at once and "
          "says what to use", "[e2e][blocking]") {
  probe_release rel;
  rel.probe("a", "env: {blocking_in_handler: true}\n");
  rel.build("[kernel, a]");
  auto node = rel.boot({"--name", "t"});
  INFO(node->err());
  REQUIRE(node->wait_for("blocking helper in a handler: ", 5s));
  REQUIRE(node->wait_for(" ms\n", 5s));
  auto err = node->err();
  auto at = err.find("blocking helper in a handler: ");
  auto line = err.substr(at, err.find('\n', at) - at);
  INFO(line);
  CHECK(line.find("relc::await_names called inside an actor (a CAF "
                  "scheduler thread), where it would wait for ever: send "
                  "(reg_nbwait, name) to the registry")
        != std::string::npos);
  auto after = line.rfind(" after ");
  REQUIRE(after != std::string::npos);
  CHECK(std::stol(line.substr(after + 7)) < 1000);
}

TEST_CASE("the OTP-way example app boots in parallel with one scheduler "
          "thread, and its store is restarted under its name",
          "[e2e][blocking]") {
  built_release rel{"kv"};
  for (auto threads : {"--scheduler.max-threads=1", "--scheduler.max-threads=2"}) {
    INFO(threads);
    background_process node{{rel.root + "/bin/relc", "boot", rel.root, "--name",
                             "kv", threads, "--env", "kv.crash_every_ms=100"}};
    INFO(node.err());
    REQUIRE(node.wait_for("init: started ", 20s));
    CHECK(node.err().find("warm: greeting is hello") != std::string::npos);
    // Crashes every 100 ms, restarted each time under the same name.
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (lines_with(node.err(), "started child store") < 4
           && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(20ms);
    CHECK(lines_with(node.err(), "started child store") >= 4);
    auto names = rel.run({"rpc", "registered"});
    CHECK(names.out.find("kv_store") != std::string::npos);
    node.signal(SIGTERM);
    CHECK(node.wait_exit() == 0);
  }
}

TEST_CASE("docs/cpp-api.md shows the OTP-way example app as it is built",
          "[e2e][blocking][docs]") {
  auto doc = read_file(RELC_TEST_SOURCE_DIR "/docs/cpp-api.md");
  auto code = read_file(RELC_TEST_SOURCE_DIR "/apps/kv/src/kv.cpp");
  auto manifest = read_file(RELC_TEST_SOURCE_DIR "/apps/kv/kv.app");
  CHECK(doc.find("```cpp\n" + code + "```") != std::string::npos);
  CHECK(doc.find("```yaml\n" + manifest + "```") != std::string::npos);
}

TEST_CASE("a node runs one scheduler thread per CPU it may use",
          "[e2e][blocking]") {
  probe_release rel;
  rel.probe("a");
  rel.build("[kernel, a]");
  // CAF names its scheduler threads caf.multiplexer.
  auto schedulers = [](int pid) {
    int n = 0;
    std::error_code ec;
    for (auto& task : fs::directory_iterator{"/proc/" + std::to_string(pid) + "/task", ec})
      if (read_file(task.path() / "comm") == "caf.multiplexer\n")
        ++n;
    return n;
  };
  background_process pinned{{"/usr/bin/taskset", "-c", "0", RELC_TEST_NODE_EXE,
                             "boot", rel.root, "--name", "t"}};
  INFO(pinned.err());
  REQUIRE(pinned.wait_for("init: started ", 20s));
  CHECK(schedulers(pinned.pid()) == 1);
  pinned.signal(SIGTERM);
  CHECK(pinned.wait_exit() == 0);
}

TEST_CASE("a node whose child start function hangs in a restart still stops "
          "when told, and says what happened", "[e2e][blocking]") {
  // A start function that waits (a blocking helper: restarts run on the
  // blocking pool), or one that names its child by the spec (quick, and
  // began no blocking wait: trusted to run inline on restarts, where it
  // then holds a scheduler thread).
  // Which of the two a quick start function takes depends on how long its
  // first run took (100 us; longer on a loaded machine or under TSan):
  // either way the node stops and says why.
  const std::string on_pool = "node stopped: 1 child start function(s) still "
                              "running (stuck in app code)";
  const std::string inline_ = "node stopped: the actor system did not end "
                              "within 5000 ms (app code blocks a scheduler "
                              "thread)";
  struct variant {
    const char* env;
    bool may_be_inline;
  };
  for (auto v : {variant{", otp_start_waits: true", false},
                 variant{", otp_names_in_specs: true", true}}) {
    INFO(v.env);
    probe_release rel;
    rel.probe("a", std::string{"env: {otp_tree: 1, otp_crash_every_ms: 200, "
                               "otp_hang_in_restart: true"}
                     + v.env + "}\n");
    rel.build("[kernel, a]");
    auto node = rel.boot({"--name", "t", "--shutdown-time", "1000",
                          "--scheduler.max-threads=2"});
    INFO(node->err());
    REQUIRE(node->wait_for("init: started ", 20s));
    REQUIRE(node->wait_for("hanging in a restart", 5s));
    CHECK(rel.ctl({"ping"}).out == "pong\n"); // the node's own actors run on
    auto t0 = std::chrono::steady_clock::now();
    node->signal(SIGTERM);
    CHECK(node->wait_exit(15s) == 0);
    CHECK(std::chrono::steady_clock::now() - t0 < 10s);
    auto err = node->err();
    INFO(err);
    CHECK((err.find(on_pool) != std::string::npos
           || (v.may_be_inline && err.find(inline_) != std::string::npos)));
  }
}
