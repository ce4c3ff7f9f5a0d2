// End to end: a release run as a service (docs/operations.md, docs/formats.md): read-only and
// root-owned, as an unprivileged user, with its directories elsewhere; its
// log bounded and reopened; help that never acts.
#include <catch2/catch.hpp>

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "test_support.hpp"

using namespace relc::test;
using namespace std::chrono_literals;

namespace {

int node_pid(built_release& rel, const std::vector<std::string>& env = {}) {
  auto r = rel.run({"pid"}, env);
  return r.exit_code == 0 ? std::stoi(r.out) : -1;
}

bool gone_within(int pid, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (kill(pid, 0) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  return kill(pid, 0) != 0;
}

void make_read_only(const fs::path& root) {
  for (auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_symlink())
      continue;
    fs::permissions(e.path(), fs::perms::owner_write | fs::perms::group_write
                                | fs::perms::others_write,
                    fs::perm_options::remove);
  }
  fs::permissions(root, fs::perms::owner_write | fs::perms::group_write
                          | fs::perms::others_write,
                  fs::perm_options::remove);
}

} // namespace

TEST_CASE("a root-owned read-only release runs as an unprivileged user with "
          "its run, log and var directories set",
          "[e2e][service]") {
  if (geteuid() != 0) {
    WARN("needs root to create a root-owned release and switch to nobody; "
         "CI runs as root");
    return;
  }
  auto* nobody = getpwnam("nobody");
  REQUIRE(nobody != nullptr);
  built_release rel{"bsc"};
  // The way to the release is readable by everyone, the release by no one
  // writable.
  fs::permissions(rel.dir.path(), fs::perms::owner_all | fs::perms::group_read
                                    | fs::perms::group_exec | fs::perms::others_read
                                    | fs::perms::others_exec);
  fs::permissions(rel.dir / "out", fs::perms::owner_all | fs::perms::group_read
                                     | fs::perms::group_exec | fs::perms::others_read
                                     | fs::perms::others_exec);
  make_read_only(rel.root);
  temp_dir state;
  fs::permissions(state.path(), fs::perms::owner_all | fs::perms::others_exec);
  for (auto sub : {"run", "log", "var"}) {
    fs::create_directory(state / sub);
    REQUIRE(chown((state / sub).c_str(), nobody->pw_uid, nobody->pw_gid) == 0);
  }
  std::vector<std::string> env{"RELC_RUN_DIR=" + (state / "run").string(),
                               "RELC_LOG_DIR=" + (state / "log").string(),
                               "RELC_VAR_DIR=" + (state / "var").string()};
  auto as_nobody = [&](std::vector<std::string> args,
                       std::vector<std::string> extra_env) {
    std::vector<std::string> argv{"/usr/bin/setpriv", "--reuid=nobody",
                                  "--regid=nogroup", "--clear-groups", "/bin/sh",
                                  rel.script};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, extra_env);
  };
  // Without the directories, the failure is one clear line.
  auto refused = as_nobody({"start"}, {});
  CHECK(refused.exit_code != 0);
  CHECK(refused.err.find("Permission denied") != std::string::npos);
  auto start = as_nobody({"start"}, env);
  INFO(start.err);
  REQUIRE(start.exit_code == 0);
  CHECK(as_nobody({"ping"}, env).out == "pong\n");
  auto apps = as_nobody({"rpc", "apps"}, env);
  CHECK(apps.out.find("bsc 1.0.0") != std::string::npos);
  // Everything the node writes is in the three directories, owned by the
  // service user; nothing under the release root.
  struct stat st{};
  REQUIRE(stat((state / "run" / "bsc.sock").c_str(), &st) == 0);
  CHECK(st.st_uid == nobody->pw_uid);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(fs::exists(state / "log" / "bsc" / "node.log"));
  CHECK_FALSE(fs::exists(fs::path{rel.root} / "run"));
  CHECK_FALSE(fs::exists(fs::path{rel.root} / "log"));
  CHECK(as_nobody({"stop"}, env).exit_code == 0);
  CHECK(as_nobody({"ping"}, env).exit_code != 0);
  CHECK(read_file(state / "log" / "bsc" / "node.log").find("init: stopped")
        != std::string::npos);
}

TEST_CASE("a release whose root is too deep for a socket path still boots "
          "and answers", "[e2e][service]") {
  temp_dir deep;
  auto parent = deep / std::string(120, 'd');
  fs::create_directories(parent);
  built_release rel{"bsc", parent.string()};
  REQUIRE((fs::path{rel.root} / "run" / "bsc.sock").string().size() > 108);
  auto start = rel.run({"start"});
  INFO(start.err);
  REQUIRE(start.exit_code == 0);
  CHECK(rel.run({"ping"}).out == "pong\n");
  CHECK(fs::exists(fs::path{rel.root} / "run" / "bsc.sock"));
  CHECK(rel.run({"stop"}).exit_code == 0);
  CHECK(rel.run({"ping"}).exit_code != 0);
}

TEST_CASE("the node's log has timestamped lines, stays bounded while it runs, "
          "and reopens on SIGHUP", "[e2e][service]") {
  built_release rel{"bsc"};
  std::vector<std::string> env{"RELC_LOG_MAX_BYTES=3000", "RELC_LOG_KEEP=2"};
  auto start = rel.run({"start"}, env);
  INFO(start.err);
  REQUIRE(start.exit_code == 0);
  auto log = fs::path{rel.root} / "log" / "bsc" / "node.log";
  auto line = read_file(log).substr(0, read_file(log).find('\n'));
  INFO(line);
  // 2026-12-02T10:15:30.123Z =INFO REPORT= ...
  REQUIRE(line.size() > 25);
  CHECK(line[4] == '-');
  CHECK(line[10] == 'T');
  CHECK(line[23] == 'Z');
  CHECK(line.find(" =INFO REPORT= ") == 24);
  // Each stop/start of bsc writes several report lines; the node looks at
  // the size once a second.
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!fs::exists(log.string() + ".2")
         && std::chrono::steady_clock::now() < deadline) {
    REQUIRE(rel.run({"rpc", "stop_app", "bsc"}).exit_code == 0);
    REQUIRE(rel.run({"rpc", "start_app", "bsc"}).exit_code == 0);
  }
  for (int i = 0; i < 20; ++i) {
    REQUIRE(rel.run({"rpc", "stop_app", "bsc"}).exit_code == 0);
    REQUIRE(rel.run({"rpc", "start_app", "bsc"}).exit_code == 0);
  }
  std::this_thread::sleep_for(1500ms);
  CHECK(fs::exists(log.string() + ".1"));
  CHECK(fs::exists(log.string() + ".2"));
  CHECK_FALSE(fs::exists(log.string() + ".3")); // RELC_LOG_KEEP=2
  CHECK(fs::file_size(log) <= 3000);
  CHECK(fs::file_size(log.string() + ".1") < 3000 + 50000);
  // logrotate's way: move the file away, SIGHUP, and a new one appears.
  auto pid = node_pid(rel);
  REQUIRE(pid > 0);
  fs::rename(log, rel.dir / "moved.log");
  REQUIRE(kill(pid, SIGHUP) == 0);
  std::this_thread::sleep_for(200ms);
  REQUIRE(rel.run({"rpc", "stop_app", "bsc"}).exit_code == 0);
  CHECK(read_file(log).find("application bsc stopped") != std::string::npos);
  CHECK(rel.run({"ping"}).out == "pong\n"); // SIGHUP did not stop it
  CHECK(rel.run({"stop"}).exit_code == 0);
  CHECK(gone_within(pid, 5s));
}

TEST_CASE("the log level is set by --log-level and by kernel.logger_level in "
          "sys.config", "[e2e][service]") {
  built_release rel{"bsc"};
  auto quiet = rel.run({"start", "--log-level", "warning"});
  INFO(quiet.err);
  REQUIRE(quiet.exit_code == 0);
  REQUIRE(rel.run({"rpc", "stop_app", "bsc"}).exit_code == 0);
  CHECK(rel.run({"stop"}).exit_code == 0);
  auto log = read_file(fs::path{rel.root} / "log" / "bsc" / "node.log");
  CHECK(log.find("=INFO REPORT=") == std::string::npos);
  temp_dir cfg;
  write_file(cfg / "sys.config", "kernel:\n  logger_level: error\n");
  background_process node{{RELC_TEST_NODE_EXE, "boot", rel.root, "--config",
                           (cfg / "sys.config").string(), "--name", "lv"}};
  auto socket = rel.root + "/run/lv.sock";
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (run_process({RELC_TEST_RELC_EXE, "ctl", socket, "ping"}).exit_code != 0
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  REQUIRE(run_process({RELC_TEST_RELC_EXE, "ctl", socket, "ping"}).out == "pong\n");
  node.signal(SIGTERM);
  CHECK(node.wait_exit() == 0);
  CHECK(node.err().find("=INFO REPORT=") == std::string::npos);
  write_file(cfg / "bad.config", "kernel:\n  logger_level: chatty\n");
  auto bad = run_process({RELC_TEST_NODE_EXE, "boot", rel.root, "--config",
                          (cfg / "bad.config").string(), "--name", "lv"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("logger_level: expected debug, info, warning or error, "
                     "found 'chatty'") != std::string::npos);
}

TEST_CASE("every --help prints help and exits 0 without acting",
          "[e2e][service]") {
  built_release rel{"bsc"};
  for (auto cmd : {"foreground", "start", "stop", "console", "rpc", "remote"}) {
    INFO(cmd);
    auto r = rel.run({cmd, "--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage: bsc COMMAND") != std::string::npos);
  }
  // Nothing booted: no socket, no log, no node.
  CHECK_FALSE(fs::exists(fs::path{rel.root} / "run"));
  CHECK_FALSE(fs::exists(fs::path{rel.root} / "log"));
  CHECK(rel.run({"ping"}).exit_code != 0);
  auto boot = run_process({RELC_TEST_RELC_EXE, "boot", "--help"});
  CHECK(boot.exit_code == 0);
  CHECK(boot.out.find("--log-level") != std::string::npos);
  CHECK(boot.out.find("scheduler.max-threads") != std::string::npos); // CAF's
  auto boot_dir = run_process({RELC_TEST_RELC_EXE, "boot", rel.root, "--help"});
  CHECK(boot_dir.exit_code == 0);
  CHECK_FALSE(fs::exists(fs::path{rel.root} / "run"));
  // heart must not run --help as a command (and restart it five times).
  auto t0 = std::chrono::steady_clock::now();
  auto heart = run_process({RELC_TEST_RELC_EXE, "heart", "--help"});
  CHECK(heart.exit_code == 0);
  CHECK(heart.out.find("HEART_BEAT_TIMEOUT") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  auto ctl = run_process({RELC_TEST_RELC_EXE, "ctl", "--help"});
  CHECK(ctl.exit_code == 0);
  CHECK(ctl.out.find("Usage: relc ctl") != std::string::npos);
  auto top = run_process({RELC_TEST_RELC_EXE, "--help"});
  for (auto sub : {"build", "check", "deps", "new", "boot", "ctl", "heart"}) {
    INFO(sub);
    CHECK(top.out.find("  " + std::string{sub} + " ") != std::string::npos);
  }
}

TEST_CASE("command-line mistakes get one readable line", "[e2e][service]") {
  built_release rel{"bsc"};
  auto typo = run_process({RELC_TEST_RELC_EXE, "biuld", "x.rel"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err == "relc: error: unknown command 'biuld'; did you mean "
                    "'build'? (see relc --help)\n");
  auto caf = run_process({RELC_TEST_NODE_EXE, "boot", rel.root, "--bogus-flag"});
  CHECK(caf.exit_code == 2);
  CHECK(caf.err == "relc: error: unknown option '--bogus-flag' (relc boot "
                   "--help lists relc's and CAF's options)\n");
  auto value = run_process({RELC_TEST_NODE_EXE, "boot", rel.root,
                            "--scheduler.max-threads", "many"});
  CHECK(value.exit_code == 2);
  CHECK(value.err.find("CAF option --scheduler.max-threads: invalid value "
                       "'many'") != std::string::npos);
  CHECK(lines_with(value.err, "\n") == 1);
  auto script = rel.run({"bogus"});
  CHECK(script.exit_code == 2);
  CHECK(script.err == "bsc: unknown command 'bogus' (see bsc help)\n");
}

TEST_CASE("node.args takes '--flag value' lines as vm.args users write them",
          "[e2e][service]") {
  probe_release rel;
  rel.probe("a");
  write_file(rel.dir / "t.node.args",
             "# flags, one per line\n"
             "--shutdown-time 4000\n"
             "--scheduler.max-threads 2   # CAF's own, as flag and value\n"
             "--env a.greeting=hello there\n"
             "--work-stealing.aggressive-poll-attempts=100\n");
  rel.build("[kernel, a]", "node_args: t.node.args\n");
  auto node = rel.boot();
  REQUIRE(node->wait_for("init: started"));
  auto env = rel.ctl({"env_get", "a", "greeting"});
  CHECK(env.out == "\"hello there\"\n");
  node->signal(SIGTERM);
  CHECK(node->wait_exit() == 0);
}

TEST_CASE("the bundled runtime never loads libraries from the working "
          "directory", "[e2e][service]") {
  built_release rel{"bsc"};
  temp_dir cwd;
  // An empty library planted where an empty RUNPATH entry would look.
  for (auto lib : {"libgcc_s.so.1", "libcaf_core.so.0.17.6", "librelc_runtime.so.0.1"})
    write_file(cwd / lib, "");
  auto r = run_process({"/bin/sh", "-c", "cd '" + cwd.str() + "' && '" + rel.script
                                           + "' ping"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("not running") != std::string::npos);
  CHECK(r.err.find("file too short") == std::string::npos);
}

TEST_CASE("the release's systemd unit passes systemd-analyze verify",
          "[e2e][service]") {
  if (!fs::exists("/usr/bin/systemd-analyze")) {
    WARN("systemd-analyze is not installed; the unit's content is checked by "
         "the release tool's unit test only");
    return;
  }
  built_release rel{"bsc"};
  // The unit names /opt/bsc; point it at this release so ExecStart exists.
  auto unit = read_file(fs::path{rel.root} / "etc" / "bsc.service");
  auto at = unit.find("RELEASE_ROOT=/opt/bsc");
  REQUIRE(at != std::string::npos);
  unit.replace(at, std::string{"RELEASE_ROOT=/opt/bsc"}.size(),
               "RELEASE_ROOT=" + rel.root);
  write_file(rel.dir / "bsc.service", unit);
  auto r = run_process({"/usr/bin/systemd-analyze", "verify",
                        (rel.dir / "bsc.service").string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty()); // unknown or misspelled directives only warn
}
