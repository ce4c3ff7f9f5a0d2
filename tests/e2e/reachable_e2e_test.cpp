// A running node stays reachable: a second boot of it refuses and leaves
// it alone, and `start` never hangs, whatever the node died of.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

using namespace relc::test;
using namespace std::chrono_literals;

TEST_CASE("a second foreground or boot of a running node refuses in one line "
          "and leaves it reachable", "[e2e][service]") {
  built_release rel{"bsc"};
  REQUIRE(rel.run({"start"}).exit_code == 0);
  auto pid = rel.run({"pid"}).out;
  for (auto second : {std::vector<std::string>{"foreground"},
                      std::vector<std::string>{"console"}}) {
    auto r = rel.run(second);
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("boot failed: this node already runs (pid "
                     + pid.substr(0, pid.find('\n')) + ")")
          != std::string::npos);
    CHECK(lines_with(r.err, "\n") == 1); // one line
    // The running node is untouched: its socket, its answers.
    CHECK(fs::exists(fs::path{rel.root} / "run" / "bsc.sock"));
    CHECK(rel.run({"ping"}).out == "pong\n");
  }
  auto direct = run_process({rel.root + "/bin/relc", "boot", rel.root});
  CHECK(direct.exit_code != 0);
  CHECK(direct.err.find("this node already runs") != std::string::npos);
  CHECK(rel.run({"ping"}).out == "pong\n");
  // Another name is another node.
  auto other = rel.run({"start"}, {"RELC_NODE_NAME=bsc2"});
  INFO(other.err);
  CHECK(other.exit_code == 0);
  CHECK(rel.run({"ping"}, {"RELC_NODE_NAME=bsc2"}).out == "pong\n");
  CHECK(rel.run({"stop"}, {"RELC_NODE_NAME=bsc2"}).exit_code == 0);
  CHECK(rel.run({"stop"}).exit_code == 0);
}

TEST_CASE("the socket of a killed node is taken over by the next start",
          "[e2e][service]") {
  built_release rel{"bsc"};
  REQUIRE(rel.run({"start"}).exit_code == 0);
  auto pid = atoi(rel.run({"pid"}).out.c_str());
  REQUIRE(pid > 0);
  REQUIRE(kill(pid, SIGKILL) == 0);
  for (int i = 0; i < 200 && rel.run({"ping"}).exit_code == 0; ++i)
    std::this_thread::sleep_for(10ms);
  CHECK(fs::exists(fs::path{rel.root} / "run" / "bsc.sock")); // left behind
  auto again = rel.run({"start"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(rel.run({"ping"}).out == "pong\n");
  CHECK(rel.run({"stop"}).exit_code == 0);
}

namespace {

// The shells a start script must work under: Debian's /bin/sh (dash),
// bash, and busybox sh where it is installed.
std::vector<std::vector<std::string>> shells() {
  std::vector<std::vector<std::string>> result{{"/bin/sh"}, {"/bin/bash"}};
  if (fs::exists("/bin/busybox"))
    result.push_back({"/bin/busybox", "sh"});
  return result;
}

run_result run_under(const std::vector<std::string>& shell,
                     const std::string& script, std::vector<std::string> args,
                     std::vector<std::string> env = {}) {
  // Bounded: a script that hangs (as start did under dash when the node
  // died first) fails the test instead of holding the suite.
  std::vector<std::string> argv{"/usr/bin/timeout", "20"};
  argv.insert(argv.end(), shell.begin(), shell.end());
  argv.push_back(script);
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, env);
}

} // namespace

TEST_CASE("start returns at once, with the node's own last line, when the "
          "node ends before it is ready, under dash, bash and busybox",
          "[e2e][service]") {
  built_release rel{"bsc"};
  auto out = fs::path{rel.root}.parent_path();
  for (auto& shell : shells()) {
    INFO(shell.front());
    // A name that would make paths outside the release root.
    auto t0 = std::chrono::steady_clock::now();
    auto bad = run_under(shell, rel.script, {"start"}, {"RELC_NODE_NAME=../../x"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err == "bsc: node name '../../x': expected 1-64 characters of "
                     "[A-Za-z0-9_.-], not starting with '.' or '-'\n");
    CHECK_FALSE(fs::exists(out / "x"));
    CHECK_FALSE(fs::exists(out.parent_path() / "x"));
    // A node that exits at once (a wrong flag): its line, within a second.
    auto flag = run_under(shell, rel.script, {"start", "--no-such-option"});
    CHECK(flag.exit_code == 1);
    CHECK(flag.err.find("bsc: node bsc exited during boot (status 2): relc: "
                        "error: unknown option '--no-such-option'")
          != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - t0 < 3s);
  }
  for (auto& entry : fs::directory_iterator{fs::path{rel.root} / "run"})
    CHECK(entry.path().filename().string().find(".ready.") == std::string::npos);
}

TEST_CASE("start returns within a second when the node crashes during its "
          "boot", "[e2e][service]") {
  probe_release rel;
  rel.include_runtime = true;
  rel.probe("a", "env: {crash_in: start}\n");
  rel.build("[kernel, a]");
  for (auto& shell : shells()) {
    INFO(shell.front());
    auto t0 = std::chrono::steady_clock::now();
    auto r = run_under(shell, rel.root + "/bin/t", {"start"});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("t: node t exited during boot (status 139)")
          != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  }
}

TEST_CASE("a rebuild of a running release keeps its node reachable and says "
          "so", "[e2e][service]") {
  built_release rel{"bsc"};
  REQUIRE(rel.run({"start"}).exit_code == 0);
  auto pid = rel.run({"pid"}).out;
  auto out = fs::path{rel.root}.parent_path();
  auto node = "node bsc (pid " + pid.substr(0, pid.find('\n')) + ")";
  // The same build again writes nothing; one that would write (here the
  // tarball is new) is refused in one line, and writes nothing; told to go
  // on, it replaces the files under the node and says so.
  for (auto how : {"same", "refused", "replace"}) {
    INFO(how);
    std::vector<std::string> args{"build", RELC_TEST_SOURCE_DIR "/rel/bsc.rel",
                                  "--lib-dir", RELC_TEST_EXAMPLE_LIB_DIR, "--out",
                                  out.string()};
    if (how == std::string{"same"})
      args.push_back("--no-tar");
    if (how == std::string{"replace"})
      args.push_back("--replace-running");
    auto r = run_relc_in_process(args);
    INFO(r.err);
    if (how == std::string{"same"}) {
      CHECK(r.exit_code == 0);
      CHECK(r.out.find("is up to date (nothing written)") != std::string::npos);
      CHECK(r.err.empty());
    } else if (how == std::string{"refused"}) {
      CHECK(r.exit_code != 0);
      CHECK(r.err.find(node + " runs from " + rel.root + ": stop it first, or "
                       "build with --replace-running")
            != std::string::npos);
      CHECK_FALSE(fs::exists(out / "bsc-1.0.0.tar.gz"));
    } else {
      CHECK(r.exit_code == 0);
      CHECK(r.out.find("release written to") != std::string::npos);
      CHECK(r.err.find(node + " runs from this release") != std::string::npos);
    }
    // The same node answers, from the same socket path; its log goes on.
    CHECK(rel.run({"pid"}).out == pid);
    CHECK(rel.run({"rpc", "apps"}).out.find("bsc 1.0.0") != std::string::npos);
    CHECK(fs::exists(fs::path{rel.root} / "log" / "bsc" / "node.log"));
  }
  // A second start still refuses: the node is found where it runs.
  CHECK(rel.run({"start"}).exit_code != 0);
  CHECK(rel.run({"stop"}).exit_code == 0);
  // Nothing runs: a rebuild says nothing about nodes.
  auto quiet = run_relc_in_process({"build", RELC_TEST_SOURCE_DIR "/rel/bsc.rel",
                                    "--lib-dir", RELC_TEST_EXAMPLE_LIB_DIR, "--out",
                                    out.string(), "--no-tar"});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.find("runs from this release") == std::string::npos);
}

TEST_CASE("an operator's bin/<rel> finds the node of the systemd unit "
          "without its variables, and says where it looked",
          "[e2e][service]") {
  built_release rel{"kv"};
  // What the shipped unit gives the node: /run/kv, /var/log/kv, /var/lib/kv.
  const fs::path run{"/run/kv"}, log{"/var/log/kv"}, var{"/var/lib/kv"};
  for (auto& d : {run, log, var}) {
    INFO("a kv node of this machine's own uses " << d);
    REQUIRE_FALSE(fs::exists(d));
  }
  struct cleanup {
    std::vector<fs::path> dirs;
    ~cleanup() {
      std::error_code ec;
      for (auto& d : dirs)
        fs::remove_all(d, ec);
    }
  } gone{{run, log, var}};
  for (auto& d : {run, log, var})
    fs::create_directories(d);
  auto missing = rel.run({"pid"});
  CHECK(missing.exit_code != 0);
  CHECK(missing.err == "kv: node kv not running: no socket at " + rel.root
                         + "/run/kv.sock (nor /run/kv/kv.sock, the systemd "
                           "unit's)\n");
  std::vector<std::string> unit{"RUNTIME_DIRECTORY=/run/kv",
                                "LOGS_DIRECTORY=/var/log/kv",
                                "STATE_DIRECTORY=/var/lib/kv"};
  auto start = rel.run({"start"}, unit);
  INFO(start.err);
  REQUIRE(start.exit_code == 0);
  // The operator's shell: no variables.
  CHECK(atoi(rel.run({"pid"}).out.c_str()) > 0);
  CHECK(rel.run({"ping"}).out == "pong\n");
  CHECK(fs::exists(log / "kv" / "node.log"));
  CHECK(rel.run({"stop"}).exit_code == 0);
  CHECK(rel.run({"ping"}).exit_code != 0);
}

TEST_CASE("relc build writes nothing when the release is up to date, and "
          "everything when an input changed", "[e2e][service]") {
  probe_release rel;
  rel.probe("a", "env: {x: 1}\n");
  rel.build("[kernel, a]");
  auto boot_file = fs::path{rel.root} / "releases/1/t.boot";
  auto written = fs::last_write_time(boot_file);
  auto again = run_relc_in_process({"build", (rel.dir / "t.rel").string(),
                                    "--lib-dir", rel.libs.str(), "--out",
                                    (rel.dir / "out").string(), "--no-tar"});
  CHECK(again.exit_code == 0);
  CHECK(again.out == "release " + (rel.dir / "out" / "t").string()
                       + " is up to date (nothing written)\n");
  CHECK(fs::last_write_time(boot_file) == written);
  // A changed manifest is a changed release.
  rel.probe("a", "env: {x: 2}\n");
  auto changed = run_relc_in_process({"build", (rel.dir / "t.rel").string(),
                                      "--lib-dir", rel.libs.str(), "--out",
                                      (rel.dir / "out").string(), "--no-tar"});
  CHECK(changed.exit_code == 0);
  CHECK(changed.out.find("release written to") != std::string::npos);
  CHECK(fs::last_write_time(boot_file) != written);
}
