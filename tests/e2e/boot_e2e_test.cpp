// End to end: releases built by relc boot as real processes; each test
// asserts one rule of docs/runtime.md on what a user sees (exit status, the log).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "test_support.hpp"

using namespace relc::test;
using namespace std::chrono_literals;

namespace {

const std::string node_exe = RELC_TEST_NODE_EXE;

std::unique_ptr<background_process>
boot(const std::string& release, std::vector<std::string> args = {},
     std::vector<std::string> env = {}) {
  std::vector<std::string> argv{node_exe, "boot", release};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<background_process>(argv, env);
}

} // namespace

TEST_CASE("a permanent app exiting normally still ends the node, non-zero",
          "[e2e][boot]") {
  probe_release f;
  f.probe("a", "env: {exit_after_ms: 300, exit_reason: normal}\n");
  f.probe("b");
  auto node = boot(f.build("[kernel, b, a]"));
  CHECK(node->wait_exit() == 1);
  auto err = node->err();
  CHECK(err.find("node stopped: a: exited: normal (type permanent)") != std::string::npos);
  CHECK(err.find("probe b: stop") != std::string::npos);
}

TEST_CASE("a temporary app's exit is reported and the rest keeps running",
          "[e2e][boot]") {
  probe_release f;
  f.probe("a", "env: {exit_after_ms: 100, exit_reason: crash}\n");
  f.probe("b");
  auto node = boot(f.build("[kernel, {name: a, type: temporary}, b]"));
  REQUIRE(node->wait_for("application a exited: probe crash (type temporary)"));
  std::this_thread::sleep_for(300ms);
  CHECK(node->running());
  node->signal(SIGTERM);
  CHECK(node->wait_exit() == 0);
  CHECK(node->err().find("probe b: stop") != std::string::npos);
}

TEST_CASE("a transient app ends the node only when it exits abnormally",
          "[e2e][boot]") {
  SECTION("normal exit: reported, the node stays up") {
    probe_release f;
    f.probe("a", "env: {exit_after_ms: 100, exit_reason: normal}\n");
    auto node = boot(f.build("[kernel, {name: a, type: transient}]"));
    REQUIRE(node->wait_for("application a exited normally (type transient)"));
    std::this_thread::sleep_for(200ms);
    CHECK(node->running());
    node->signal(SIGTERM);
    CHECK(node->wait_exit() == 0);
  }
  SECTION("exit with reason shutdown: the node stops, non-zero") {
    probe_release f;
    f.probe("a", "env: {exit_after_ms: 100, exit_reason: shutdown}\n");
    auto node = boot(f.build("[kernel, {name: a, type: transient}]"));
    CHECK(node->wait_exit() == 1);
    CHECK(node->err().find("node stopped: a: exited: user_shutdown (type transient)")
          != std::string::npos);
  }
  SECTION("crash: the node stops, non-zero") {
    probe_release f;
    f.probe("a", "env: {exit_after_ms: 100, exit_reason: crash}\n");
    auto node = boot(f.build("[kernel, {name: a, type: transient}]"));
    CHECK(node->wait_exit() == 1);
    CHECK(node->err().find("node stopped: a: exited: probe crash") != std::string::npos);
  }
}

TEST_CASE("a top supervisor past its intensity ends its app (and a permanent "
          "app ends the node)", "[e2e][boot]") {
  probe_release f;
  f.probe("a", "env: {crash_worker_every_ms: 50}\n");
  auto node = boot(f.build("[kernel, a]"));
  CHECK(node->wait_exit() == 1);
  auto err = node->err();
  CHECK(lines_with(err, "restarting child worker") == 2);
  CHECK(err.find("reached max restart intensity") != std::string::npos);
  CHECK(err.find("node stopped: a: exited: supervisor a_sup reached max restart "
                 "intensity") != std::string::npos);
}

TEST_CASE("actors an app adopted die with the app, on a stop and on a crash",
          "[e2e][boot]") {
  SECTION("a stop on purpose: after the tree, before stop/1; unadopted ones live") {
    probe_release f;
    f.probe("a", "env: {free_actor: adopted}\n");
    f.probe("b", "env: {free_actor: unadopted}\n");
    auto node = boot(f.build("[kernel, a, b]"), {"--name", "n"});
    REQUIRE(node->wait_for("application b started"));
    auto sock = f.dir.str() + "/out/t/run/n.sock";
    CHECK(run_process({node_exe, "ctl", sock, "stop_app", "a"}).exit_code == 0);
    CHECK(run_process({node_exe, "ctl", sock, "stop_app", "b"}).exit_code == 0);
    auto err = node->err();
    CHECK(in_order(err, {"probe a: prep_stop", "probe a: free actor down: kill",
                         "probe a: stop", "application a stopped"}));
    CHECK(err.find("probe b: free actor down") == std::string::npos);
    node->signal(SIGTERM);
    CHECK(node->wait_exit() == 0);
  }
  SECTION("a temporary app that crashes takes its adopted actors along") {
    probe_release f;
    f.probe("a", "env: {free_actor: adopted, exit_after_ms: 100, exit_reason: crash}\n");
    f.probe("b");
    auto node = boot(f.build("[kernel, {name: a, type: temporary}, b]"));
    REQUIRE(node->wait_for("probe a: free actor down: kill"));
    CHECK(node->running());
    node->signal(SIGTERM);
    CHECK(node->wait_exit() == 0);
  }
}

TEST_CASE("start phases run in application_starter order with an included app",
          "[e2e][boot]") {
  probe_release f;
  f.probe("top", "included_applications: [inc]\n"
                 "start_phases: [init, go]\n");
  f.probe("inc", "start_phases: [init, extra, go]\n");
  auto node = boot(f.build("[kernel, top]"));
  REQUIRE(node->wait_for("application top started"));
  node->signal(SIGTERM);
  CHECK(node->wait_exit() == 0);
  auto err = node->err();
  CHECK(in_order(err, {"probe top: start", "probe top: phase init",
                       "probe inc: phase init", "probe top: phase go",
                       "probe inc: phase go"}));
  CHECK(err.find("phase extra") == std::string::npos);
}

TEST_CASE("the top_app example runs bsc's tree and phases in order",
          "[e2e][boot]") {
  temp_dir dir;
  auto r = run_relc_in_process({"build", RELC_TEST_SOURCE_DIR "/rel/top.rel", "--lib-dir",
                                RELC_TEST_EXAMPLE_LIB_DIR, "--out",
                                (dir / "out").string(), "--no-tar"});
  REQUIRE(r.exit_code == 0);
  auto node = boot((dir / "out/top").string());
  REQUIRE(node->wait_for("application top_app started"));
  node->signal(SIGTERM);
  CHECK(node->wait_exit() == 0);
  auto err = node->err();
  CHECK(in_order(err, {"application top_app: start",
                       "supervisor bsc_sup: started child frequency",
                       "supervisor top_sup: started child bsc_sup",
                       "application top_app: start phase init",
                       "application bsc: start phase init",
                       "application top_app: start phase oper",
                       "application bsc: start phase oper"}));
  CHECK(err.find("application bsc: start phase admin") == std::string::npos);
}

TEST_CASE("env precedence: manifest < sys.config < --env, with ${VAR} typed",
          "[e2e][boot]") {
  probe_release f;
  f.probe("a", "env:\n  port: 1\n  name: manifest\n  level: 1\n  keep: kept\n"
               "  show: [port, name, level, ratio, flag, keep, host]\n");
  write_file(f.dir / "sys.config",
             "a:\n  port: ${RELC_TEST_PORT}\n  name: from_sys\n"
             "  ratio: ${RELC_TEST_UNSET_X:-0.5}\n  flag: ${RELC_TEST_FLAG}\n"
             "  host: \"db-${RELC_TEST_PORT}\"\n  level: 2\n");
  auto rel = f.build("[kernel, a]", "sys_config: sys.config\n");
  auto node = boot(rel, {"--env", "a.level=3"},
                   {"RELC_TEST_PORT=8080", "RELC_TEST_FLAG=true"});
  REQUIRE(node->wait_for("application a started"));
  node->signal(SIGTERM);
  CHECK(node->wait_exit() == 0);
  auto err = node->err();
  CHECK(err.find("env port=8080 (integer)") != std::string::npos);
  CHECK(err.find("env name=from_sys (string)") != std::string::npos);
  CHECK(err.find("env level=3 (integer)") != std::string::npos);
  CHECK(err.find("env ratio=0.5 (real)") != std::string::npos);
  CHECK(err.find("env flag=true (boolean)") != std::string::npos);
  CHECK(err.find("env keep=kept (string)") != std::string::npos);
  CHECK(err.find("env host=db-8080 (string)") != std::string::npos);
}

TEST_CASE("an unset variable without a default stops the boot, naming it",
          "[e2e][boot]") {
  probe_release f;
  f.probe("a");
  write_file(f.dir / "sys.config", "a:\n  port: ${RELC_TEST_SURELY_UNSET}\n");
  auto node = boot(f.build("[kernel, a]", "sys_config: sys.config\n"));
  CHECK(node->wait_exit() == 1);
  auto err = node->err();
  CHECK(err.find("boot failed: a: config: a.port:") != std::string::npos);
  CHECK(err.find("environment variable RELC_TEST_SURELY_UNSET is not set")
        != std::string::npos);
  CHECK(err.find("probe a: start") == std::string::npos);
}

TEST_CASE("a permanent app whose start fails: one boot-failure line, exit 1, "
          "started apps stopped in reverse", "[e2e][boot]") {
  probe_release f;
  f.probe("a");
  f.probe("b");
  f.probe("c", "env: {start_error: \"no database\"}\n");
  auto node = boot(f.build("[kernel, a, b, c]"));
  CHECK(node->wait_exit() == 1);
  auto err = node->err();
  CHECK(lines_with(err, "boot failed:") == 1);
  CHECK(err.find("boot failed: c: start: no database\n") != std::string::npos);
  CHECK(in_order(err, {"probe b: stop", "probe a: stop", "boot failed:"}));
}

TEST_CASE("a failing start phase is a boot failure naming the phase",
          "[e2e][boot]") {
  probe_release f;
  f.probe("a", "start_phases: [init, go]\nenv: {phase_error: go}\n");
  auto node = boot(f.build("[kernel, a]"));
  CHECK(node->wait_exit() == 1);
  CHECK(node->err().find("boot failed: a: start_phase go: phase go refused")
        != std::string::npos);
}

TEST_CASE("a corrupt or missing library stops the boot naming app and file",
          "[e2e][boot]") {
  probe_release f;
  f.probe("a");
  auto rel = f.build("[kernel, a]");
  auto lib = fs::path{rel} / "lib/a-1.0/lib/liba.so";
  SECTION("changed after the build") {
    write_file(lib, read_file(lib) + "tampered");
    auto node = boot(rel);
    CHECK(node->wait_exit() == 1);
    auto err = node->err();
    CHECK(err.find("boot failed: a: load: ") != std::string::npos);
    CHECK(err.find("liba.so: checksum mismatch") != std::string::npos);
  }
  SECTION("changed after an earlier boot recorded it verified") {
    // Settled (a second old), so the first boot records it unchanged.
    std::this_thread::sleep_for(1100ms);
    auto first = boot(rel);
    REQUIRE(first->wait_for("application a started"));
    first->signal(SIGTERM);
    REQUIRE(first->wait_exit() == 0);
    auto record = read_file(fs::path{rel} / "var/library-record");
    CHECK(record.find(" lib/a-1.0/lib/liba.so\n") != std::string::npos);
    // Same size, same mtime: only the ctime tells, and it is enough.
    struct stat before;
    REQUIRE(stat(lib.c_str(), &before) == 0);
    auto text = read_file(lib);
    text[text.size() / 2] ^= 0x20;
    write_file(lib, text);
    timespec times[2] = {before.st_atim, before.st_mtim};
    REQUIRE(utimensat(AT_FDCWD, lib.c_str(), times, 0) == 0);
    auto node = boot(rel);
    CHECK(node->wait_exit() == 1);
    CHECK(node->err().find("liba.so: checksum mismatch") != std::string::npos);
  }
  SECTION("missing") {
    fs::remove(lib);
    auto node = boot(rel);
    CHECK(node->wait_exit() == 1);
    CHECK(node->err().find("boot failed: a: load: ") != std::string::npos);
    CHECK(node->err().find("liba.so: cannot read") != std::string::npos);
  }
}

TEST_CASE("SIGTERM stops the apps in reverse start order, exit 0",
          "[e2e][boot]") {
  probe_release f;
  f.probe("a");
  f.probe("b", "applications: [a]\n");
  f.probe("c");
  auto node = boot(f.build("[kernel, b, c]"));
  REQUIRE(node->wait_for("application c started"));
  node->signal(SIGTERM);
  CHECK(node->wait_exit() == 0);
  auto err = node->err();
  CHECK(in_order(err, {"probe a: start", "probe b: start", "probe c: start"}));
  CHECK(in_order(err, {"probe c: prep_stop", "probe c: stop", "probe b: prep_stop",
                       "probe b: stop", "probe a: prep_stop", "probe a: stop"}));
}

TEST_CASE("a stop during boot also stops the app still starting", "[e2e][boot]") {
  probe_release f;
  f.probe("a");
  f.probe("b", "env: {start_delay_ms: 1000}\n");
  f.probe("c");
  auto node = boot(f.build("[kernel, a, b, c]"));
  REQUIRE(node->wait_for("probe b: start"));
  node->signal(SIGTERM);
  CHECK(node->wait_exit() == 0);
  auto err = node->err();
  CHECK(in_order(err, {"probe b: stop", "probe a: stop"}));
  CHECK(err.find("probe c: start") == std::string::npos);
}

TEST_CASE("rvi: core awaits every component, then announces itself",
          "[e2e][boot]") {
  temp_dir dir;
  auto r = run_relc_in_process({"build", RELC_TEST_SOURCE_DIR "/rel/rvi.rel", "--lib-dir",
                                RELC_TEST_EXAMPLE_LIB_DIR, "--out",
                                (dir / "out").string(), "--no-tar"});
  REQUIRE(r.exit_code == 0);
  auto rel = (dir / "out/rvi").string();
  SECTION("every component announces: ready") {
    auto node = boot(rel);
    REQUIRE(node->wait_for("rvi_core ready with 3 component(s)"));
    node->signal(SIGTERM);
    CHECK(node->wait_exit() == 0);
    CHECK(in_order(node->err(), {"announced dlink_tls_rpc", "announced dlink_bt_rpc",
                                 "announced proto_json_rpc", "awaiting 3 component(s)",
                                 "rvi_core ready"}));
  }
  SECTION("a component that never announces: the await times out") {
    auto node = boot(rel, {"--env", "dlink_bt.announce=false", "--env",
                           "core.await_timeout_ms=300"});
    CHECK(node->wait_exit() == 1);
    CHECK(node->err().find("boot failed: core: start_phase await: name "
                           "'dlink_bt_rpc' not registered within")
          != std::string::npos);
  }
}

TEST_CASE("a waiter that dies is dropped: the name registers later and a "
          "living waiter gets it", "[e2e][boot]") {
  probe_release f;
  f.probe("a", "env: {await_and_die: shared}\n");
  f.probe("c", "env: {await: shared}\n");
  f.probe("b", "env: {register_as: shared, register_after_ms: 300}\n");
  auto node = boot(f.build("[kernel, a, c, b]"), {"--name", "n"});
  REQUIRE(node->wait_for("probe a: waiter for shared died"));
  REQUIRE(node->wait_for("probe b: registered shared"));
  REQUIRE(node->wait_for("probe c: await shared ok"));
  auto names = run_process({node_exe, "ctl", f.dir.str() + "/out/t/run/n.sock",
                            "registered"});
  CHECK(names.out == "shared\n");
  CHECK(node->running());
  node->signal(SIGTERM);
  CHECK(node->wait_exit() == 0);
  CHECK(node->err().find("await shared failed") == std::string::npos);
}

TEST_CASE("bsc boots from its release's start script and stops on SIGTERM",
          "[e2e][boot]") {
  temp_dir dir;
  auto r = run_relc_in_process({"build", RELC_TEST_SOURCE_DIR "/rel/bsc.rel", "--lib-dir",
                                RELC_TEST_EXAMPLE_LIB_DIR, "--out",
                                (dir / "out").string(), "--no-tar"});
  REQUIRE(r.exit_code == 0);
  // bin/bsc runs the bundled runtime (bin/relc) with its own libraries.
  background_process node{{"/bin/sh", (dir / "out/bsc/bin/bsc").string(), "foreground"}};
  REQUIRE(node.wait_for("application bsc started"));
  node.signal(SIGTERM);
  CHECK(node.wait_exit() == 0);
  CHECK(in_order(node.err(), {"start phase init", "start phase admin",
                              "start phase oper", "application bsc: prep_stop",
                              "child phone_sup stopped", "child frequency stopped",
                              "child overload stopped", "application bsc stopped"}));
}

TEST_CASE("bsc allocates and frees frequencies through its tree and survives "
          "a killed frequency server", "[e2e][boot]") {
  temp_dir dir;
  auto r = run_relc_in_process({"build", RELC_TEST_SOURCE_DIR "/rel/bsc.rel", "--lib-dir",
                                RELC_TEST_EXAMPLE_LIB_DIR, "--out",
                                (dir / "out").string(), "--no-tar"});
  REQUIRE(r.exit_code == 0);
  auto node = boot((dir / "out/bsc").string(), {"--env", "bsc.demo=true"});
  REQUIRE(node->wait_for("bsc demo: done"));
  node->signal(SIGTERM);
  CHECK(node->wait_exit() == 0);
  auto err = node->err();
  INFO(err);
  // sys.config gives bsc frequencies 10..17; phones take them in order.
  CHECK(in_order(err, {"phone 1 connected on frequency 10",
                       "phone 2 connected on frequency 11",
                       "allocated [10, 11]", "phone 1 hung up", "allocated [11]",
                       "killing the frequency server",
                       "supervisor bsc_sup: child frequency exited: kill",
                       "restarting child frequency (rest_for_one)",
                       "supervisor bsc_sup: started child frequency",
                       "supervisor bsc_sup: started child phone_sup",
                       "frequency server restarted by bsc_sup", "allocated []"}));
}

namespace {

// The time of day (ms) of the first log line holding `needle`: report
// lines start with `2026-12-02T10:15:30.123Z`. -1 when there is none.
long logged_at_ms(const std::string& log, const std::string& needle) {
  auto at = log.find(needle);
  if (at == std::string::npos)
    return -1;
  auto line = log.rfind('\n', at);
  line = line == std::string::npos ? 0 : line + 1;
  if (log.size() < line + 23 || log[line + 10] != 'T')
    return -1;
  auto num = [&](size_t pos, size_t len) { return std::stol(log.substr(line + pos, len)); };
  return num(11, 2) * 3600000 + num(14, 2) * 60000 + num(17, 2) * 1000 + num(20, 3);
}

} // namespace

TEST_CASE("start: parallel starts apps whose dependencies have started "
          "together, and stops them in reverse of the order they completed",
          "[e2e][boot]") {
  for (bool parallel : {false, true}) {
    INFO((parallel ? "parallel" : "sequential"));
    probe_release r;
    r.probe("a", "env: {sleep_in_start_ms: 400}\n");
    r.probe("b", "env: {sleep_in_start_ms: 400}\n");
    r.probe("c", "applications: [a]\n");
    r.probe("d", "env: {sleep_in_start_ms: 100}\n");
    r.build("[kernel, a, b, c, d]", parallel ? "start: parallel\n" : "");
    auto node = r.boot();
    REQUIRE(node->wait_for("init: started"));
    auto err = node->err();
    INFO(err);
    // c always after its dependency a.
    CHECK(in_order(err, {"application a started", "application c started"}));
    // Overlap, by the node's own log times rather than by the time the
    // whole boot took (a sanitizer's slowness must not decide): a sleeps
    // 400 ms in its start; b begins within that time only in parallel.
    auto a_begins = logged_at_ms(err, "probe a: start");
    auto b_begins = logged_at_ms(err, "probe b: start");
    REQUIRE(a_begins >= 0);
    REQUIRE(b_begins >= 0);
    if (parallel) {
      CHECK(b_begins - a_begins < 400);
      CHECK(in_order(err, {"application d started", "application a started"}));
    } else {
      CHECK(b_begins - a_begins >= 400);
      CHECK(in_order(err, {"application a started", "application b started",
                           "application c started", "application d started"}));
    }
    node->signal(SIGTERM);
    CHECK(node->wait_exit() == 0);
    err = node->err();
    CHECK(in_order(err, {"application c stopped", "application a stopped"}));
    if (parallel)
      CHECK(in_order(err, {"application a stopped", "application d stopped"}));
    else
      CHECK(in_order(err, {"application d stopped", "application c stopped",
                           "application b stopped", "application a stopped"}));
  }
}

TEST_CASE("start: parallel fails the boot on a permanent app's failure and "
          "stops what started", "[e2e][boot]") {
  probe_release r;
  r.probe("a");
  r.probe("b", "env: {throw_in: start, sleep_in_start_ms: 200}\n");
  r.probe("c", "applications: [b]\n");
  r.probe("t", "env: {throw_in: start}\n");
  r.build("[kernel, a, {name: t, type: temporary}, b, c]", "start: parallel\n");
  auto node = r.boot();
  CHECK(node->wait_exit() == 1);
  auto err = node->err();
  INFO(err);
  CHECK(err.find("boot failed: b: start: exception: probe threw in start")
        != std::string::npos);
  CHECK(err.find("(type temporary: the boot goes on)") != std::string::npos);
  CHECK(err.find("probe c: start") == std::string::npos); // never tried
  CHECK(in_order(err, {"application a started", "application a stopped"}));
}

TEST_CASE("the boot outcome reaches a start script that opens its FIFO late",
          "[e2e][boot]") {
  // bin/<rel> start makes the FIFO, starts the node and then opens it to
  // read; a busy machine can let the node get there first.
  probe_release p;
  p.probe("a");
  p.build("[kernel, a]");
  auto fifo = (p.dir / "ready").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  auto node = p.boot({"--notify-fifo", fifo});
  REQUIRE(node->wait_for("init: started"));
  int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(fd >= 0);
  pollfd pfd{fd, POLLIN, 0};
  CHECK(poll(&pfd, 1, 5000) == 1);
  char buf[64] = {};
  auto n = read(fd, buf, sizeof buf - 1);
  close(fd);
  CHECK(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0) == "started\n");
}
