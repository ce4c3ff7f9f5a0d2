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

  upgrade_fixture() {
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
    build("bsc-1.1.0", {"--upfrom", "1.0.0"});
    REQUIRE(fs::exists(v2_tarball));
  }

  ~upgrade_fixture() { run({"stop"}); }

  run_result run(std::vector<std::string> args) {
    args.insert(args.begin(), {"/bin/sh", script});
    return run_process(args);
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

// Release t 1 of probe app `pa` 1.0, and t 2 whose pa 2.0 behaves as
// `v2_env` says (the relup restarts pa: it has no appup); the node boots 1.
struct probe_upgrade {
  probe_release p;
  fs::path v2_tarball = p.dir / "out2/t-2.tar.gz";
  std::unique_ptr<background_process> node;

  probe_upgrade(const std::string& v2_env, const std::string& v2_spec = "") {
    p.probe("pa");
    p.build("[kernel, pa]");
    p.libs.add_app("pa", "2.0",
                   manifest("pa", "2.0", "mod: {module: probe_app}\nenv: " + v2_env + "\n"),
                   RELC_TEST_PROBE_APP);
    write_file(p.dir / "t2.rel", "release: t\nvsn: \"2\"\ninclude_runtime: false\n"
                                 "applications: [kernel, pa]\n" + v2_spec);
    auto r = run_relc_in_process({"build", (p.dir / "t2.rel").string(), "--lib-dir",
                                  p.libs.str(), "--out", (p.dir / "out2").string(),
                                  "--upfrom", p.root});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    node = p.boot();
    auto up = node->wait_for("application pa started");
    INFO(node->err());
    REQUIRE(up);
    REQUIRE(p.ctl({"unpack", v2_tarball.string()}).exit_code == 0);
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
