// End to end: release upgrades of a running node (docs/upgrades.md): bsc
// 1.0.0 -> 1.1.0 and back while its traffic generator keeps calling, the
// release handler's states on disk, and bad input that must change nothing.
#include <catch2/catch.hpp>

#include <signal.h>

#include <thread>

#include "test_support.hpp"

using namespace relc::test;
using namespace std::chrono_literals;

namespace {

// A bsc node unpacked from the 1.0.0 tarball, and the 1.1.0 tarball built
// with a relup from it.
struct upgrade_fixture {
  temp_dir dir;
  fs::path node = dir / "node";
  std::string script = (node / "bin/bsc").string();
  fs::path v2_tarball = dir / "out/bsc-1.1.0.tar.gz";

  // `v2_args`: more relc build arguments for 1.1.0.
  explicit upgrade_fixture(std::vector<std::string> v2_args = {}) {
    auto build = [&](const std::string& rel, std::vector<std::string> extra) {
      std::vector<std::string> args{"build", RELC_TEST_SOURCE_DIR "/rel/" + rel + ".rel",
                                    "--lib-dir", RELC_TEST_EXAMPLE_LIB_DIR,
                                    "--out", (dir / "out").string()};
      args.insert(args.end(), extra.begin(), extra.end());
      auto r = run_relc_in_process(args);
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
    };
    build("bsc", {});
    fs::create_directories(node);
    auto untar = run_process({"/bin/tar", "xzf", (dir / "out/bsc-1.0.0.tar.gz").string(),
                              "-C", node.string()});
    REQUIRE(untar.exit_code == 0);
    v2_args.insert(v2_args.begin(), {"--upfrom", "1.0.0"});
    build("bsc-1.1.0", v2_args);
    REQUIRE(fs::exists(v2_tarball));
  }

  ~upgrade_fixture() { run({"stop"}); }

  run_result run(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(), {"/bin/sh", script});
    return run_process(args, env);
  }

  std::string env(const std::string& key) {
    auto out = run({"rpc", "env_get", "bsc", key}).out;
    if (!out.empty() && out.back() == '\n')
      out.pop_back();
    return out;
  }

  long calls() { return atol(env("traffic_ok").c_str()); }

  // Waits until the traffic made `n` more calls (it runs all along).
  void more_calls(long n) {
    auto target = calls() + n;
    for (int i = 0; i < 1000 && calls() < target; ++i)
      std::this_thread::sleep_for(10ms);
    REQUIRE(calls() >= target);
  }

  // Waits until env `key` reads `value`.
  bool env_becomes(const std::string& key, const std::string& value) {
    for (int i = 0; i < 500; ++i) {
      if (env(key) == value)
        return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
};

} // namespace

TEST_CASE("a bsc node upgrades to 1.1.0 and downgrades back while calls go "
          "on, and keeps its allocated frequencies", "[e2e][upgrade]") {
  upgrade_fixture f;
  auto start = f.run({"start", "--env", "bsc.traffic=true"});
  INFO(start.err);
  REQUIRE(start.exit_code == 0);
  f.more_calls(200);
  CHECK(f.env("traffic_held") == "[10, 11]");
  CHECK(f.env("traffic_server_blocks") == "false");
  auto before = f.run({"tree", "bsc"}).out;
  // `upgrade` finds the tarball under releases/.
  fs::copy_file(f.v2_tarball, f.node / "releases/bsc-1.1.0.tar.gz");
  auto up = f.run({"upgrade", "1.1.0"});
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(up.out.find("unpacked 1.1.0") != std::string::npos);
  CHECK(up.out.find("updated 1 actor(s) of bsc frequency") != std::string::npos);
  CHECK(up.out.find("release 1.1.0 is permanent") != std::string::npos);
  CHECK(f.run({"rpc", "apps"}).out == "kernel 0.1.0 permanent\nbsc 1.1.0 permanent\n");
  CHECK(f.run({"versions"}).out == "bsc 1.0.0 old\nbsc 1.1.0 permanent *\n");
  CHECK(f.run({"rpc", "versions"}).out == "bsc 1.1.0\n"); // the running release
  CHECK(read_file(f.node / "releases/start.data").find(" 1.1.0") != std::string::npos);
  // The new code serves (it knows blocked frequencies), with the old state.
  CHECK(f.env_becomes("traffic_server_blocks", "true"));
  f.more_calls(200);
  CHECK(f.env("traffic_failed") == "0");
  CHECK(f.env("traffic_allocated") == "[10, 11]");
  auto after = f.run({"tree", "bsc"}).out;
  CHECK(after != before); // a new frequency actor under the same child id
  CHECK(after.find("frequency  worker") != std::string::npos);
  // And back.
  auto down = f.run({"downgrade", "1.0.0"});
  INFO(down.out << down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(f.run({"rpc", "apps"}).out == "kernel 0.1.0 permanent\nbsc 1.0.0 permanent\n");
  CHECK(f.run({"versions"}).out == "bsc 1.0.0 permanent *\nbsc 1.1.0 old\n");
  CHECK(f.env_becomes("traffic_server_blocks", "false"));
  f.more_calls(200);
  CHECK(f.env("traffic_failed") == "0");
  CHECK(f.env("traffic_allocated") == "[10, 11]");
  // A release that is neither running nor permanent can go.
  auto removed = f.run({"remove", "1.1.0"});
  CHECK(removed.exit_code == 0);
  CHECK(!fs::exists(f.node / "releases/1.1.0"));
  CHECK(!fs::exists(f.node / "lib/bsc-1.1.0"));
  CHECK(fs::exists(f.node / "lib/bsc-1.0.0"));
  CHECK(f.run({"versions"}).out == "bsc 1.0.0 permanent *\n");
}

TEST_CASE("a node that restarts before make_permanent boots its permanent "
          "release", "[e2e][upgrade]") {
  upgrade_fixture f;
  REQUIRE(f.run({"start"}).exit_code == 0);
  REQUIRE(f.run({"unpack", f.v2_tarball.string()}).exit_code == 0);
  CHECK(f.run({"versions"}).out == "bsc 1.0.0 permanent *\nbsc 1.1.0 unpacked\n");
  auto install = f.run({"install", "1.1.0"});
  INFO(install.err);
  REQUIRE(install.exit_code == 0);
  CHECK(f.run({"versions"}).out == "bsc 1.0.0 permanent\nbsc 1.1.0 current *\n");
  CHECK(f.run({"rpc", "apps"}).out.find("bsc 1.1.0") != std::string::npos);
  // A restart in the process (init:restart) boots the permanent one too.
  REQUIRE(f.run({"restart"}).exit_code == 0);
  CHECK(f.run({"rpc", "apps"}).out.find("bsc 1.0.0") != std::string::npos);
  CHECK(f.run({"versions"}).out == "bsc 1.0.0 permanent *\nbsc 1.1.0 unpacked\n");
  REQUIRE(f.run({"install", "1.1.0"}).exit_code == 0);
  CHECK(f.run({"versions"}).out == "bsc 1.0.0 permanent\nbsc 1.1.0 current *\n");
  // The process ends (a crash, a reboot, heart) and starts again.
  REQUIRE(f.run({"stop"}).exit_code == 0);
  REQUIRE(f.run({"start"}).exit_code == 0);
  CHECK(f.run({"rpc", "apps"}).out.find("bsc 1.0.0") != std::string::npos);
  CHECK(f.run({"versions"}).out == "bsc 1.0.0 permanent *\nbsc 1.1.0 unpacked\n");
}

TEST_CASE("bad release handling input is one line, and the node runs on "
          "untouched", "[e2e][upgrade]") {
  upgrade_fixture f;
  REQUIRE(f.run({"start"}).exit_code == 0);
  auto releases_before = read_file(f.node / "releases/RELEASES");
  auto check_untouched = [&] {
    CHECK(f.run({"ping"}).exit_code == 0);
    CHECK(f.run({"rpc", "apps"}).out.find("bsc 1.0.0") != std::string::npos);
    CHECK(read_file(f.node / "releases/RELEASES") == releases_before);
    CHECK(!fs::exists(f.node / "releases/1.1.0"));
    CHECK(!fs::exists(f.node / "lib/bsc-1.1.0"));
    for (auto& e : fs::directory_iterator{f.node / "releases"})
      CHECK(e.path().filename().string().rfind(".unpack-", 0) != 0);
  };
  auto one_line = [](const run_result& r) {
    CHECK(r.exit_code == 1);
    CHECK(lines_with(r.err, "\n") <= 1);
    return r.err;
  };
  SECTION("a file that is not a release tarball") {
    write_file(f.dir / "junk.tar.gz", "this is not a tarball\n");
    auto r = f.run({"unpack", (f.dir / "junk.tar.gz").string()});
    CHECK(one_line(r).find("not a release tarball") != std::string::npos);
    check_untouched();
  }
  SECTION("a tarball of another release") {
    auto other = run_relc_in_process({"build", RELC_TEST_SOURCE_DIR "/rel/top.rel",
                                      "--lib-dir", RELC_TEST_EXAMPLE_LIB_DIR,
                                      "--out", (f.dir / "other").string()});
    REQUIRE(other.exit_code == 0);
    auto r = f.run({"unpack", (f.dir / "other/top-1.0.0.tar.gz").string()});
    CHECK(one_line(r).find("a release of top, this node runs bsc") != std::string::npos);
    check_untouched();
  }
  SECTION("a tarball that ends early") {
    auto bytes = read_file(f.v2_tarball);
    write_file(f.dir / "cut.tar.gz", bytes.substr(0, bytes.size() / 2));
    auto r = f.run({"unpack", (f.dir / "cut.tar.gz").string()});
    CHECK(one_line(r).find("cut.tar.gz") != std::string::npos);
    check_untouched();
  }
  SECTION("a release that is not unpacked, or runs already") {
    CHECK(one_line(f.run({"install", "9.9.9"})).find("no release 9.9.9") != std::string::npos);
    CHECK(one_line(f.run({"install", "1.0.0"})).find("already running") != std::string::npos);
    CHECK(one_line(f.run({"remove", "1.0.0"})).find("is running") != std::string::npos);
    CHECK(one_line(f.run({"make_permanent", "9.9.9"})).find("9.9.9") != std::string::npos);
    check_untouched();
  }
  SECTION("a library changed after unpack fails the install before anything "
          "changed") {
    REQUIRE(f.run({"unpack", f.v2_tarball.string()}).exit_code == 0);
    auto lib = f.node / "lib/bsc-1.1.0/lib/libbsc.so";
    auto bytes = read_file(lib);
    bytes[bytes.size() / 2] ^= 0x5a;
    write_file(lib, bytes);
    auto r = f.run({"install", "1.1.0"});
    auto err = one_line(r);
    CHECK(err.find("libbsc.so") != std::string::npos);
    CHECK(err.find("the node still runs 1.0.0") != std::string::npos);
    CHECK(f.run({"rpc", "apps"}).out.find("bsc 1.0.0") != std::string::npos);
    CHECK(f.run({"versions"}).out == "bsc 1.0.0 permanent *\nbsc 1.1.0 unpacked\n");
  }
}

namespace {

// Release t 1 of probe app `pa` 1.0 and t 2 of pa 2.0 (probe_app.cpp's
// env keys set what each does); the node boots t 1 and unpacks t 2.
struct probe_upgrade_spec {
  std::string v1_env;      ///< pa 1.0's env ("": none)
  std::string v2_env = "{}";
  std::string v2_spec;     ///< extra lines of t 2's spec
  std::string v2_appup;    ///< lib/pa-2.0/pa.appup ("": none, the relup restarts pa)
  std::vector<std::string> boot_args;
  /// Set: t 1 bundles this relc's runtime and t 2 that of the node
  /// executable named here (relc build --runtime).
  std::string v2_runtime;
};

struct probe_upgrade {
  probe_release p;
  fs::path v2_tarball = p.dir / "out2/t-2.tar.gz";
  std::unique_ptr<background_process> node;

  explicit probe_upgrade(const probe_upgrade_spec& s) {
    p.probe("pa", s.v1_env.empty() ? "" : "env: " + s.v1_env + "\n");
    p.include_runtime = !s.v2_runtime.empty();
    p.build("[kernel, pa]");
    auto v2 = p.libs.add_app(
      "pa", "2.0", manifest("pa", "2.0", "mod: {module: probe_app}\nenv: " + s.v2_env + "\n"),
      RELC_TEST_PROBE_APP);
    if (!s.v2_appup.empty())
      write_file(v2 / "pa.appup", s.v2_appup);
    write_file(p.dir / "t2.rel", std::string{"release: t\nvsn: \"2\"\ninclude_runtime: "}
                                   + (p.include_runtime ? "true" : "false")
                                   + "\napplications: [kernel, pa]\n" + s.v2_spec);
    std::vector<std::string> args{"build", (p.dir / "t2.rel").string(), "--lib-dir",
                                  p.libs.str(), "--out", (p.dir / "out2").string(),
                                  "--upfrom", p.root};
    if (!s.v2_runtime.empty())
      args.insert(args.end(), {"--runtime", s.v2_runtime});
    auto r = run_relc_in_process(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    node = p.boot(s.boot_args);
    auto up = node->wait_for("application pa started");
    INFO(node->err());
    REQUIRE(up);
    REQUIRE(p.ctl({"unpack", v2_tarball.string()}).exit_code == 0);
  }

  // pa 2.0 with env `v2_env` and t 2's spec lines `v2_spec`.
  explicit probe_upgrade(const std::string& v2_env, const std::string& v2_spec = "")
    : probe_upgrade(probe_upgrade_spec{"", v2_env, v2_spec, "", {}}) {
  }
};

} // namespace

TEST_CASE("install --health rolls a release whose new version crashes back to "
          "the permanent one, and says why in one line", "[e2e][upgrade]") {
  probe_upgrade u{"{exit_after_ms: 200, exit_reason: crash}"};
  auto r = u.p.ctl({"install", "2", "--health", "2000"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("rolled back to 1: application pa crashed") != std::string::npos);
  CHECK(lines_with(r.out + r.err, "rolled back") == 1);
  CHECK(u.p.ctl({"apps"}).out == "kernel 0.1.0 permanent\npa 1.0 permanent\n");
  CHECK(u.p.ctl({"releases"}).out == "t 1 permanent *\nt 2 unpacked\n");
  CHECK(u.node->running());
  CHECK(u.node->wait_for("release 2: rolled back to 1: application pa crashed"));
  // The node runs on: a stop is a clean stop.
  u.node->signal(SIGTERM);
  CHECK(u.node->wait_exit() == 0);
}

TEST_CASE("install --health makes a healthy release permanent, and a health name "
          "that never appears rolls it back", "[e2e][upgrade]") {
  SECTION("healthy") {
    probe_upgrade u{"{register_as: billing}", "health: {await: [billing]}\n"};
    auto r = u.p.ctl({"install", "2", "--health", "300"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("restart_application pa 1.0 -> 2.0") != std::string::npos);
    CHECK(r.out.find("release 2 is healthy after 300 ms: permanent") != std::string::npos);
    CHECK(u.p.ctl({"apps"}).out == "kernel 0.1.0 permanent\npa 2.0 permanent\n");
    CHECK(u.p.ctl({"releases"}).out == "t 1 old\nt 2 permanent *\n");
  }
  SECTION("a name missing") {
    probe_upgrade u{"{}", "health: {await: [billing]}\n"};
    auto r = u.p.ctl({"install", "2", "--health", "300"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("release 2: rolled back to 1: name billing is not registered")
          != std::string::npos);
    CHECK(u.p.ctl({"apps"}).out == "kernel 0.1.0 permanent\npa 1.0 permanent\n");
  }
}

TEST_CASE("relc test-upgrade boots OLD, upgrades, probes, downgrades, probes "
          "again, and fails when a probe fails", "[e2e][upgrade]") {
  upgrade_fixture f;
  auto old_tarball = (f.dir / "out/bsc-1.0.0.tar.gz").string();
  auto probe = [&](const std::string& cmd) {
    return run_process({RELC_TEST_RELC_EXE, "test-upgrade", old_tarball,
                        f.v2_tarball.string(), "--probe", cmd});
  };
  auto ok = probe("$RELC_RELEASE_ROOT/bin/bsc rpc apps | grep -q 'bsc 1\\.'");
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(in_order(ok.out, {"ok   start bsc 1.0.0", "ok   unpack 1.1.0",
                          "ok   install 1.1.0 (up from 1.0.0)",
                          "ok   probe after the upgrade to 1.1.0",
                          "ok   install 1.0.0 (down from 1.1.0)",
                          "ok   probe after the downgrade to 1.0.0", "ok   stop"}));
  // A probe that only the new version passes fails after the downgrade.
  auto bad = probe("$RELC_RELEASE_ROOT/bin/bsc rpc apps | grep -q 'bsc 1.1.0'");
  INFO(bad.out << bad.err);
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find("ok   probe after the upgrade to 1.1.0") != std::string::npos);
  CHECK(bad.out.find("FAIL probe after the downgrade to 1.0.0") != std::string::npos);
  CHECK(bad.out.find("ok   stop") != std::string::npos);
}

namespace {

// What a kill may leave: RELEASES readable, 1.0.0 still permanent, and
// 1.1.0 either absent or whole (its release directory and library there).
// Waits until process `pid` is gone or a zombie (a daemonized node's
// parent is init, which in a container may never reap it).
void wait_dead(int pid) {
  for (int i = 0; i < 500; ++i) {
    auto stat = fs::path{"/proc"} / std::to_string(pid) / "stat";
    std::error_code ec;
    if (!fs::exists(stat, ec))
      return;
    auto text = read_file(stat);
    auto close = text.rfind(')');
    if (close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z')
      return;
    std::this_thread::sleep_for(5ms);
  }
  FAIL("process " << pid << " did not die");
}

void check_consistent(upgrade_fixture& f) {
  auto versions = f.run({"versions"});
  INFO(versions.out << versions.err);
  REQUIRE(versions.exit_code == 0);
  CHECK(versions.out.rfind("bsc 1.0.0 permanent", 0) == 0);
  if (versions.out.find("bsc 1.1.0") != std::string::npos) {
    CHECK(fs::exists(f.node / "releases/1.1.0/bsc.boot"));
    CHECK(fs::exists(f.node / "lib/bsc-1.1.0/lib/libbsc.so"));
  }
  CHECK(read_file(f.node / "releases/start.data").find(" 1.0.0") != std::string::npos);
}

} // namespace

TEST_CASE("an unpack that runs out of disk space is one line and leaves the "
          "release root as it was", "[e2e][upgrade]") {
  upgrade_fixture f;
  auto releases_before = read_file(f.node / "releases/RELEASES");
  // A file size limit fails writes as a full disk does (EFBIG where a disk
  // says ENOSPC: the same failed write()); SIGXFSZ is ignored so that the
  // write returns the error. 256 blocks: the 1.1.0 tarball's larger files
  // do not fit.
  auto r = run_process({"/bin/sh", "-c",
                        "trap '' XFSZ; ulimit -f 256; exec /bin/sh \"$0\" unpack \"$1\"",
                        f.script, f.v2_tarball.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(lines_with(r.err, "\n") == 1);
  CHECK(r.err.find("File too large") != std::string::npos);
  CHECK(read_file(f.node / "releases/RELEASES") == releases_before);
  CHECK(!fs::exists(f.node / "releases/1.1.0"));
  CHECK(!fs::exists(f.node / "lib/bsc-1.1.0"));
  for (auto& e : fs::directory_iterator{f.node / "releases"})
    CHECK(e.path().filename().string().rfind(".unpack-", 0) != 0);
  // With room again, the same tarball unpacks, and the node boots.
  auto again = f.run({"unpack", f.v2_tarball.string()});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(f.run({"versions"}).out == "bsc 1.0.0 permanent\nbsc 1.1.0 unpacked\n");
  REQUIRE(f.run({"start"}).exit_code == 0);
  CHECK(f.run({"rpc", "apps"}).out.find("bsc 1.0.0") != std::string::npos);
}

namespace {

// How long `args` through bin/bsc takes when nothing interrupts it.
std::chrono::milliseconds time_of(upgrade_fixture& f, std::vector<std::string> args) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = f.run(std::move(args));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - t0);
}

} // namespace

TEST_CASE("an unpack killed at any moment leaves a bootable node, and the "
          "next unpack succeeds", "[e2e][upgrade]") {
  upgrade_fixture f;
  // One whole unpack sets the time scale (a slow machine, a sanitizer).
  auto whole = time_of(f, {"unpack", f.v2_tarball.string()});
  REQUIRE(f.run({"remove", "1.1.0"}).exit_code == 0);
  int got_there = 0;
  int cut_short = 0;
  // Kills from 0 to 1.2 times that, in 30 steps; then, while no unpack has
  // got through (a loaded machine), later and later ones (1.5 to 48 times).
  for (int step = 0; step <= 30 || (got_there == 0 && step <= 36); ++step) {
    auto delay = step <= 30 ? whole * step * 12 / 300
                            : whole * (1 << (step - 31)) * 3 / 2;
    background_process unpack{{"/bin/sh", f.script, "unpack", f.v2_tarball.string()}};
    std::this_thread::sleep_for(delay);
    unpack.signal(SIGKILL); // the shell execs relc: this is the unpack
    unpack.wait_exit();
    check_consistent(f);
    if (f.run({"versions"}).out.find("bsc 1.1.0") != std::string::npos) {
      ++got_there;
      REQUIRE(f.run({"remove", "1.1.0"}).exit_code == 0);
    } else {
      ++cut_short;
    }
  }
  INFO("a whole unpack: " << whole.count() << " ms; kills before RELEASES: "
       << cut_short << ", after: " << got_there);
  // The kills came both before the commit point and after it.
  CHECK(cut_short > 0);
  CHECK(got_there > 0);
  // Whatever the kills left, the next unpack and an install work.
  auto again = f.run({"unpack", f.v2_tarball.string()});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  REQUIRE(f.run({"start"}).exit_code == 0);
  auto install = f.run({"install", "1.1.0"});
  INFO(install.err);
  CHECK(install.exit_code == 0);
  CHECK(f.run({"rpc", "apps"}).out.find("bsc 1.1.0") != std::string::npos);
}

TEST_CASE("a node killed at any moment of an install boots its permanent "
          "release", "[e2e][upgrade]") {
  upgrade_fixture f;
  REQUIRE(f.run({"unpack", f.v2_tarball.string()}).exit_code == 0);
  REQUIRE(f.run({"start"}).exit_code == 0);
  // One whole install (and a restart back to 1.0.0) sets the time scale.
  auto whole = time_of(f, {"install", "1.1.0"});
  REQUIRE(f.run({"restart"}).exit_code == 0);
  int installed = 0;
  int cut_short = 0;
  // Kills from 0 to 1.2 times a whole install in 7 steps; then, while no
  // kill has come after an install finished (on a loaded machine an install
  // can take longer than the one timed), later and later ones (1.5 to 48
  // times).
  for (int step = 0; step <= 6 || (installed == 0 && step <= 12); ++step) {
    auto delay = step <= 6 ? whole * step * 2 / 10
                           : whole * (1 << (step - 7)) * 3 / 2;
    INFO("kill " << delay.count() << " ms into the install");
    auto pid = atoi(f.run({"pid"}).out.c_str());
    REQUIRE(pid > 0);
    background_process install{{"/bin/sh", f.script, "install", "1.1.0"}};
    std::this_thread::sleep_for(delay);
    ::kill(pid, SIGKILL);
    install.wait_exit();
    wait_dead(pid);
    if (install.out().find("installed") != std::string::npos)
      ++installed;
    else
      ++cut_short;
    // A crash before make_permanent: the permanent release boots.
    auto again = f.run({"start"});
    INFO(again.err);
    REQUIRE(again.exit_code == 0);
    CHECK(f.run({"rpc", "apps"}).out.find("bsc 1.0.0") != std::string::npos);
    CHECK(f.run({"versions"}).out == "bsc 1.0.0 permanent *\nbsc 1.1.0 unpacked\n");
  }
  INFO("a whole install: " << whole.count() << " ms; killed before it "
       "finished: " << cut_short << ", after: " << installed);
  CHECK(cut_short > 0);
  CHECK(installed > 0);
}

namespace {

// Starts the node, installs 1.1.0 and kills the node (SIGKILL) before
// anything made 1.1.0 permanent.
void install_v2_and_kill(upgrade_fixture& f) {
  REQUIRE(f.run({"start"}).exit_code == 0);
  REQUIRE(f.run({"unpack", f.v2_tarball.string()}).exit_code == 0);
  REQUIRE(f.run({"install", "1.1.0"}).exit_code == 0);
  auto pid = atoi(f.run({"pid"}).out.c_str());
  REQUIRE(pid > 0);
  ::kill(pid, SIGKILL);
  wait_dead(pid);
}

// `versions` is `expected` once the booted node has brought RELEASES up
// to date (just after the boot; at most 2 s).
void check_versions_after_boot(upgrade_fixture& f, const std::string& expected) {
  std::string out;
  for (int i = 0; i < 200 && out != expected; ++i) {
    if (i > 0)
      std::this_thread::sleep_for(10ms);
    out = f.run({"versions"}).out;
  }
  CHECK(out == expected);
}

} // namespace

TEST_CASE("a make_permanent killed between start.data and RELEASES is "
          "completed by the next boot", "[e2e][upgrade]") {
  upgrade_fixture f;
  install_v2_and_kill(f);
  // make_permanent writes start.data first: the kill came right after it.
  auto start_data = read_file(f.node / "releases/start.data");
  auto at = start_data.find(" 1.0.0");
  REQUIRE(at != std::string::npos);
  start_data.replace(at, 6, " 1.1.0");
  write_file(f.node / "releases/start.data", start_data);
  CHECK(f.run({"versions"}).out == "bsc 1.0.0 permanent\nbsc 1.1.0 current\n");
  REQUIRE(f.run({"start"}).exit_code == 0);
  CHECK(f.run({"rpc", "apps"}).out.find("bsc 1.1.0") != std::string::npos);
  check_versions_after_boot(f, "bsc 1.0.0 old\nbsc 1.1.0 permanent *\n");
}

TEST_CASE("a boot reads RELEASES in any YAML shape, not only the one relc "
          "writes", "[e2e][upgrade]") {
  // The boot reads only the states in the shape relc writes; any other
  // shape (an operator's edit) is read as YAML and still corrected.
  upgrade_fixture f;
  install_v2_and_kill(f); // 1.1.0 stays current: installed, never permanent
  auto releases = read_file(f.node / "releases/RELEASES");
  // The rest of the line of `key` in release `vsn`'s entry.
  auto field = [&](const std::string& vsn, const std::string& key) {
    auto at = releases.find("vsn: \"" + vsn + "\"");
    REQUIRE(at != std::string::npos);
    auto from = releases.find(key, at) + key.size();
    return releases.substr(from, releases.find('\n', from) - from);
  };
  std::string edited;
  for (auto [vsn, state] : {std::pair{"1.0.0", "permanent"}, {"1.1.0", "current"}})
    edited += std::string{"- {state: "} + state + ", vsn: " + vsn
              + ", name: bsc, runtime: " + field(vsn, "runtime: ")
              + ", apps: " + field(vsn, "apps: ") + "}\n";
  write_file(f.node / "releases/RELEASES", edited);
  CHECK(f.run({"versions"}).out == "bsc 1.0.0 permanent\nbsc 1.1.0 current\n");
  REQUIRE(f.run({"start"}).exit_code == 0);
  check_versions_after_boot(f, "bsc 1.0.0 permanent *\nbsc 1.1.0 unpacked\n");
}

TEST_CASE("an update of an actor that does not use relc::updatable is refused "
          "before anything changed", "[e2e][upgrade]") {
  // pa 2.0 updates module `plain` in place; its library exports a
  // code_change for it, so relc build accepts the relup, but the running
  // actor of `plain` does not speak the handoff protocol.
  probe_upgrade u{probe_upgrade_spec{
    "{plain_module: true}", "{plain_module: true}", "",
    "up:\n  - from: \"1.0\"\n    do:\n      - update: {module: plain}\n"
    "down:\n  - to: \"1.0\"\n    do:\n      - update: {module: plain}\n",
    {}}};
  auto& p = u.p;
  auto tree_before = p.ctl({"tree", "pa"}).out;
  auto r = p.ctl({"install", "2"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(lines_with(r.err, "\n") == 1);
  CHECK(r.err.find("update plain: actor") != std::string::npos);
  CHECK(r.err.find("does it use relc::updatable?") != std::string::npos);
  CHECK(r.err.find("the node still runs 1") != std::string::npos);
  // Nothing changed: the same actor, the old version, the release states.
  CHECK(p.ctl({"tree", "pa"}).out == tree_before);
  CHECK(p.ctl({"apps"}).out.find("pa 1.0") != std::string::npos);
  CHECK(p.ctl({"releases"}).out == "t 1 permanent *\nt 2 unpacked\n");
}

namespace {

// pa 1.0 -> 2.0 with the same code from its own lib/pa-2.0 (the relup
// restarts pa), the node booted with `args`.
struct two_versions : probe_upgrade {
  explicit two_versions(std::vector<std::string> args)
    : probe_upgrade(probe_upgrade_spec{"{supervised: true}", "{supervised: true}",
                                       "", "", std::move(args)}) {
  }

  // Whether the node process has `dir` (a lib/<app>-<vsn>/ path) mapped.
  bool mapped(const std::string& dir) {
    auto maps = read_file("/proc/" + std::to_string(node->pid()) + "/maps");
    return maps.find(dir) != std::string::npos;
  }

  // Whether the library under `dir` of `app vsn` goes: the node says so,
  // and the process no longer maps it (ThreadSanitizer's runtime keeps a
  // closed library mapped: there the log line has to do).
  bool unloads(const std::string& dir, const std::string& app_vsn) {
    if (!node->wait_for("library of " + app_vsn + " (" + dir.substr(1)
                        + "lib/libpa.so) unloaded"))
      return false;
#if defined(__SANITIZE_THREAD__)
    return true;
#else
    for (int i = 0; i < 500; ++i) {
      if (!mapped(dir))
        return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
#endif
  }
};

} // namespace

TEST_CASE("with unload_old_libraries the library a restart_application "
          "replaced is unloaded once its actors are gone", "[e2e][upgrade]") {
  two_versions t{{"--env", "kernel.unload_old_libraries=[pa]"}};
  CHECK(t.mapped("/lib/pa-1.0/"));
  auto r = t.p.ctl({"install", "2"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(t.unloads("/lib/pa-1.0/", "pa 1.0"));
  CHECK(t.mapped("/lib/pa-2.0/"));
  CHECK(t.p.ctl({"apps"}).out.find("pa 2.0") != std::string::npos);
  // And back: 1.0 loads again from its own path, 2.0 goes.
  auto down = t.p.ctl({"install", "1"});
  INFO(down.out << down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(t.mapped("/lib/pa-1.0/"));
  CHECK(t.unloads("/lib/pa-2.0/", "pa 2.0"));
  CHECK(t.p.ctl({"apps"}).out.find("pa 1.0") != std::string::npos);
  CHECK(t.p.ctl({"tree", "pa"}).out.find("w4") != std::string::npos);
}

TEST_CASE("without unload_old_libraries a replaced library stays loaded",
          "[e2e][upgrade]") {
  two_versions t{{}};
  auto r = t.p.ctl({"install", "2"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  std::this_thread::sleep_for(300ms); // the reaper's first two looks
  CHECK(t.mapped("/lib/pa-1.0/"));
  CHECK(t.mapped("/lib/pa-2.0/"));
  CHECK(t.node->err().find("unloaded") == std::string::npos);
}

namespace {

// The program a process runs now (/proc/PID/exe).
std::string exe_of(int pid) {
  std::error_code ec;
  return fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec).string();
}

// t 2 on the next runtime (RELC_TEST_NEXT_NODE_EXE), pa 2.0 with `v2_env`.
probe_upgrade_spec next_runtime(const std::string& v2_env) {
  probe_upgrade_spec s;
  s.v2_env = v2_env;
  s.v2_runtime = RELC_TEST_NEXT_NODE_EXE;
  return s;
}

const std::string next_rt = RELC_TEST_NEXT_RUNTIME_VERSION;
const std::string this_rt = RELC_TEST_RUNTIME_VERSION;

} // namespace

TEST_CASE("an install onto another runtime execs that runtime in the same "
          "process, hands the admin connection over, and stops cleanly",
          "[e2e][upgrade]") {
  probe_upgrade u{next_runtime("{}")};
  auto pid = u.node->pid();
  auto root = fs::canonical(u.p.root);
  REQUIRE(fs::exists(root / ("runtime-" + next_rt) / "bin/relc")); // unpack moved it in
  auto r = u.p.ctl({"install", "2"});
  INFO(r.out << r.err << u.node->err());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("restart_node: the node restarts into 2 on runtime " + next_rt)
        != std::string::npos);
  CHECK(r.out.find("release 2 installed on runtime " + next_rt) != std::string::npos);
  CHECK(u.node->running());
  CHECK(exe_of(pid) == (root / ("runtime-" + next_rt) / "bin/relc").string());
  CHECK(u.p.ctl({"apps"}).out == "kernel 0.1.0 permanent\npa 2.0 permanent\n");
  CHECK(u.p.ctl({"releases"}).out == "t 1 permanent\nt 2 current *\n");
  // `restart` boots the permanent release, on its own runtime.
  auto restart = u.p.ctl({"restart"});
  INFO(restart.err);
  CHECK(restart.exit_code == 0);
  CHECK(exe_of(pid) == (root / ("runtime-" + this_rt) / "bin/relc").string());
  CHECK(u.p.ctl({"apps"}).out == "kernel 0.1.0 permanent\npa 1.0 permanent\n");
  CHECK(u.p.ctl({"releases"}).out == "t 1 permanent *\nt 2 unpacked\n");
  REQUIRE(u.p.ctl({"install", "2"}).exit_code == 0);
  CHECK(u.p.ctl({"make_permanent", "2"}).exit_code == 0);
  CHECK(read_file(root / "releases/start.data") == next_rt + " 2\n");
  u.node->signal(SIGTERM);
  CHECK(u.node->wait_exit() == 0);
  // Booted again by the old runtime's executable (a start script, heart),
  // the permanent release runs on its own runtime.
  auto again = u.p.boot();
  REQUIRE(again->wait_for("application pa started"));
  CHECK(exe_of(again->pid()) == (root / ("runtime-" + next_rt) / "bin/relc").string());
  again->signal(SIGTERM);
  CHECK(again->wait_exit() == 0);
}

TEST_CASE("a release on another runtime that fails its health gate, or its "
          "boot, rolls back onto the permanent release's runtime",
          "[e2e][upgrade]") {
  SECTION("health gate") {
    probe_upgrade u{next_runtime("{exit_after_ms: 300, exit_reason: crash}")};
    auto pid = u.node->pid();
    auto r = u.p.ctl({"install", "2", "--health", "2000"});
    INFO(r.out << r.err << u.node->err());
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("release 2: rolled back to 1: application pa crashed")
          != std::string::npos);
    CHECK(exe_of(pid)
          == (fs::canonical(u.p.root) / ("runtime-" + this_rt) / "bin/relc").string());
    CHECK(u.p.ctl({"apps"}).out == "kernel 0.1.0 permanent\npa 1.0 permanent\n");
    CHECK(u.p.ctl({"releases"}).out == "t 1 permanent *\nt 2 unpacked\n");
  }
  SECTION("boot") {
    probe_upgrade u{next_runtime("{start_error: no database}")};
    auto pid = u.node->pid();
    auto r = u.p.ctl({"install", "2"});
    INFO(r.out << r.err << u.node->err());
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("release 2: rolled back to 1: boot failed:") != std::string::npos);
    CHECK(r.err.find("no database") != std::string::npos);
    CHECK(u.node->running());
    CHECK(exe_of(pid)
          == (fs::canonical(u.p.root) / ("runtime-" + this_rt) / "bin/relc").string());
    CHECK(u.p.ctl({"apps"}).out == "kernel 0.1.0 permanent\npa 1.0 permanent\n");
    CHECK(u.p.ctl({"releases"}).out == "t 1 permanent *\nt 2 unpacked\n");
  }
  SECTION("the other runtime is missing") {
    probe_upgrade u{next_runtime("{}")};
    auto pid = u.node->pid();
    auto before = exe_of(pid);
    fs::remove_all(fs::path{u.p.root} / ("runtime-" + next_rt));
    auto r = u.p.ctl({"install", "2"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(lines_with(r.err, "\n") == 1);
    CHECK(r.err.find("runtime " + next_rt + ": no executable") != std::string::npos);
    CHECK(r.err.find("the node still runs 1") != std::string::npos);
    CHECK(exe_of(pid) == before);
    CHECK(u.p.ctl({"apps"}).out == "kernel 0.1.0 permanent\npa 1.0 permanent\n");
    CHECK(u.p.ctl({"releases"}).out == "t 1 permanent *\nt 2 unpacked\n");
  }
}

TEST_CASE("heart watches a node across a runtime change, and restarts it on "
          "the new runtime", "[e2e][upgrade]") {
  upgrade_fixture f{{"--runtime", RELC_TEST_NEXT_NODE_EXE}};
  auto start = f.run({"start"}, {"HEART=1", "HEART_BEAT_TIMEOUT=2"});
  INFO(start.err);
  REQUIRE(start.exit_code == 0);
  auto pid = atoi(f.run({"pid"}).out.c_str());
  REQUIRE(pid > 0);
  fs::copy_file(f.v2_tarball, f.node / "releases/bsc-1.1.0.tar.gz");
  auto up = f.run({"upgrade", "1.1.0"});
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(up.out.find("release 1.1.0 installed on runtime " + next_rt) != std::string::npos);
  auto new_exe = (fs::canonical(f.node) / ("runtime-" + next_rt) / "bin/relc").string();
  CHECK(exe_of(pid) == new_exe);
  // Beats go on from the new program: past heart's timeout it is the same
  // process.
  std::this_thread::sleep_for(3s);
  CHECK(atoi(f.run({"pid"}).out.c_str()) == pid);
  kill(pid, SIGKILL);
  int again = 0;
  for (int i = 0; i < 500; ++i) {
    again = atoi(f.run({"pid"}).out.c_str());
    if (again > 0 && again != pid)
      break;
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(again > 0);
  CHECK(again != pid);
  CHECK(exe_of(again) == new_exe);
  CHECK(f.run({"rpc", "versions"}).out == "bsc 1.1.0\n");
}

TEST_CASE("an upgrade keeps what the new version's start sets in its env, "
          "and a downgrade gives the old env back with what the old start "
          "sets", "[e2e][upgrade]") {
  // pa is restarted by the relup (no appup); each version's start sets
  // lib_vsn; 2.0 also changes `greeting` and drops `old_only`.
  probe_upgrade u{probe_upgrade_spec{
    "{set_in_start: {lib_vsn: \"1.0\"}, greeting: hello, old_only: 1}",
    "{set_in_start: {lib_vsn: \"2.0\"}, greeting: hi}", "", "", {}}};
  auto env = [&](const std::string& key) {
    auto out = u.p.ctl({"env_get", "pa", key}).out;
    return out.empty() ? out : out.substr(0, out.size() - 1);
  };
  REQUIRE(env("lib_vsn") == "\"1.0\"");
  auto up = u.p.ctl({"install", "2"});
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(env("lib_vsn") == "\"2.0\"");  // set by 2.0's start: survives
  CHECK(env("greeting") == "hi");  // the target's env
  CHECK(env("old_only") == "null");
  auto down = u.p.ctl({"install", "1"});
  INFO(down.out << down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(env("lib_vsn") == "\"1.0\"");
  CHECK(env("greeting") == "hello");
  CHECK(env("old_only") == "1");
}

TEST_CASE("install prints each step as it happens, says which step is slow, "
          "and counts its health window down past the client's 5 s limit",
          "[e2e][upgrade]") {
  // pa 2.0's start takes 3 s: the relup's restart_application is slow.
  probe_upgrade u{"{sleep_in_start_ms: 3000}"};
  background_process install{{RELC_TEST_NODE_EXE, "ctl", u.p.socket(), "install",
                              "2", "--health", "6000"}};
  auto t0 = std::chrono::steady_clock::now();
  // Each line is there while the command still runs, not all at the end.
  REQUIRE(install.wait_for("restart_application pa 1.0 -> 2.0", 5s));
  CHECK(install.running());
  REQUIRE(install.wait_for("still at: ", 5s));
  CHECK(install.running());
  REQUIRE(install.wait_for("health check of 2: ", 10s));
  CHECK(install.running());
  CHECK(install.wait_exit(30s) == 0);
  auto took = std::chrono::steady_clock::now() - t0;
  auto out = install.out();
  INFO(out << install.err());
  CHECK(took > 8s); // 3 s of start, 6 s of health window
  CHECK(out.find("still at: ") != std::string::npos);
  CHECK(out.find("restart_application pa 1.0 -> 2.0 (2 s)") != std::string::npos);
  CHECK(out.find("left of 6.0 s, every app running") != std::string::npos);
  CHECK(out.find("release 2 is healthy after 6000 ms: permanent") != std::string::npos);
  // A step line is printed once: the reply does not repeat what progress showed.
  auto first = out.find("ms restart_application pa 1.0 -> 2.0\n");
  REQUIRE(first != std::string::npos);
  CHECK(out.find("ms restart_application pa 1.0 -> 2.0\n", first + 1) == std::string::npos);
  CHECK(u.p.ctl({"releases"}).out == "t 1 old\nt 2 permanent *\n");
}
