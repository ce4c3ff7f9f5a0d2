// Bad input to the release tool ends in one clear line and writes nothing
// (issue: "Ship it", finding 6), and the user-facing pieces of docs/operations.md and docs/cmake.md:
// did-you-mean, the systemd unit, relc new.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <future>

#include "relc/release/diagnostics.hpp"
#include "relc/release/elf_file.hpp"
#include "relc/release/pipeline.hpp"
#include "relc/release/project_template.hpp"
#include "relc/release/release_error.hpp"
#include "relc/release/release_tree.hpp"
#include "relc/release/suggest.hpp"
#include "start_script.hpp"
#include "test_support.hpp"

using namespace relc::release;
using namespace relc::test;
using namespace std::chrono_literals;

namespace {

struct fixture {
  temp_dir dir;
  lib_dir libs{dir / "lib"};

  fixture() {
    libs.add_app("a", "1", manifest("a", "1"), std::string{RELC_TEST_FIXTURE_APP});
  }

  run_result relc(std::vector<std::string> args) {
    args.insert(args.end(), {"--lib-dir", libs.str()});
    return run_relc_in_process(args);
  }

  run_result build(const std::string& spec_text) {
    write_file(dir / "x.rel", spec_text);
    return relc({"build", (dir / "x.rel").string(), "--out", (dir / "out").string()});
  }

  bool wrote_nothing() const {
    std::error_code ec;
    return !fs::exists(dir / "out" / "x", ec) && !fs::exists(dir / "out" / "x-1.tar.gz", ec);
  }
};

const std::string base_spec = "release: x\nvsn: \"1\"\ninclude_runtime: false\n"
                              "applications: [kernel, a]\n";

size_t line_count(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

} // namespace

TEST_CASE("an overlay symlink chain that leaves the release through another "
          "link is refused", "[release][bad_input]") {
  fixture f;
  fs::create_directories(f.dir / "overlay");
  fs::create_symlink("..", f.dir / "overlay" / "a");    // etc/a -> the root
  fs::create_symlink("a/..", f.dir / "overlay" / "b");  // etc/b -> above it
  auto r = f.build(base_spec + "overlays:\n  - {copy: overlay, to: etc}\n");
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("etc/b' is a symlink to 'a/..', which resolves outside "
                   "the release") != std::string::npos);
  CHECK(f.wrote_nothing());
  // The same links one level deeper stay inside and are kept.
  fixture ok;
  fs::create_directories(ok.dir / "overlay");
  fs::create_symlink("..", ok.dir / "overlay" / "a");
  fs::create_symlink("a/..", ok.dir / "overlay" / "b");
  auto fine = ok.build(base_spec + "overlays:\n  - {copy: overlay, to: etc/x}\n");
  INFO(fine.err);
  CHECK(fine.exit_code == 0);
}

TEST_CASE("a symlink loop in an overlay is refused", "[release][bad_input]") {
  release_tree tree;
  REQUIRE_FALSE(tree.add_symlink("etc/a", "b"));
  REQUIRE_FALSE(tree.add_symlink("etc/b", "a/x"));
  auto err = tree.check_links();
  REQUIRE(err);
  CHECK(message_of(err).find("a loop of symlinks") != std::string::npos);
}

TEST_CASE("an overlay source that is a FIFO fails at once instead of hanging",
          "[release][bad_input]") {
  fixture f;
  REQUIRE(mkfifo((f.dir / "pipe").c_str(), 0600) == 0);
  for (auto action : {"copy", "template"}) {
    INFO(action);
    auto result = std::async(std::launch::async, [&] {
      return f.build(base_spec + "overlays:\n  - {" + action + ": pipe, to: etc/p}\n");
    });
    REQUIRE(result.wait_for(10s) == std::future_status::ready);
    auto r = result.get();
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("expected a regular file") != std::string::npos);
    CHECK(f.wrote_nothing());
  }
  // A FIFO as sys_config as well.
  auto cfg = std::async(std::launch::async, [&] {
    return f.build(base_spec + "sys_config: pipe\n");
  });
  REQUIRE(cfg.wait_for(10s) == std::future_status::ready);
  CHECK(cfg.get().exit_code == 1);
}

TEST_CASE("a YAML alias bomb in a manifest's env or in sys.config is refused "
          "quickly", "[release][bad_input]") {
  std::string bomb = "  a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string name(1, c);
    bomb += "  " + name + ": &" + name + " [";
    for (int i = 0; i < 10; ++i)
      bomb += (i ? ", *" : "*") + prev;
    bomb += "]\n";
    prev = name;
  }
  // 10^10 values once expanded.
  fixture f;
  f.libs.add_app("boom", "1", manifest("boom", "1", "env:\n" + bomb),
                 std::string{RELC_TEST_FIXTURE_APP});
  auto t0 = std::chrono::steady_clock::now();
  auto r = f.build("release: x\nvsn: \"1\"\ninclude_runtime: false\n"
                   "applications: [kernel, boom]\n");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("expands to more than 1000000 values") != std::string::npos);
  write_file(f.dir / "bomb.config", "a:\n" + bomb);
  auto c = f.build(base_spec + "sys_config: bomb.config\n");
  CHECK(c.exit_code == 1);
  CHECK(c.err.find("bomb.config: invalid YAML: expands to more than") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  CHECK(f.wrote_nothing());
  // The node refuses it too when it reads sys.config or --env at boot.
  auto parsed = relc::parse_yaml_term("a:\n" + bomb, "sys.config");
  CHECK_FALSE(parsed.ok);
  CHECK(parsed.error.find("expands to more than") != std::string::npos);
}

TEST_CASE("relc check fails a sys.config whose ${...} the node could not "
          "expand", "[release][bad_input]") {
  fixture f;
  for (auto [value, expected] :
       std::vector<std::pair<std::string, std::string>>{
         {"\"${PORT\"", "unterminated ${"},
         {"\"${:-8080}\"", "expected an environment variable name"},
         {"\"${1X}\"", "found '1X'"}}) {
    INFO(value);
    write_file(f.dir / "sys.config", "a:\n  port: " + value + "\n");
    write_file(f.dir / "x.rel", base_spec + "sys_config: sys.config\n");
    auto r = f.relc({"check", (f.dir / "x.rel").string()});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("sys.config:2:9: sys_config: a.port: ") != std::string::npos);
    CHECK(r.err.find(expected) != std::string::npos);
  }
  write_file(f.dir / "sys.config",
             "a:\n  port: \"${PORT:-8080}\"\n  url: \"http://${HOST}:${PORT:-1}/\"\n");
  auto ok = f.relc({"check", (f.dir / "x.rel").string()});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
}

TEST_CASE("every diagnostic is one line whatever the input holds",
          "[release][bad_input]") {
  fixture f;
  // A value with a newline and a forged error line in it.
  write_file(f.dir / "x.rel", "release: \"bad\\nrelc: error: forged\"\nvsn: \"1\"\n"
                              "applications: [kernel, a]\n");
  auto r = f.relc({"check", (f.dir / "x.rel").string()});
  CHECK(r.exit_code == 1);
  INFO(r.err);
  CHECK(r.err.find("\nrelc: error: forged") == std::string::npos);
  CHECK(r.err.find("bad\\nrelc: error: forged") != std::string::npos);
  // A file name with a newline.
  auto odd = f.dir / "odd\nname.rel";
  write_file(odd, "release: [\n");
  auto r2 = f.relc({"check", odd.string()});
  CHECK(r2.exit_code == 1);
  CHECK(line_count(r2.err) == 2); // the problem, then the summary
  diagnostics d;
  d.error({"f\x1b[31m.rel", 1, 2}, "a\rb\tc");
  CHECK(d.items().front().to_string() == "relc: error: f\\x1b[31m.rel:1:2: a\\rb\\tc");
}

TEST_CASE("a misspelled key is an error with a suggestion, an unknown one "
          "warns", "[release][bad_input]") {
  fixture f;
  write_file(f.dir / "sys.config", "a: {}\n");
  write_file(f.dir / "x.rel", base_spec + "sys_confg: sys.config\nfuture_key: 1\n");
  auto r = f.relc({"check", (f.dir / "x.rel").string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("x.rel:5:1: unknown key 'sys_confg'; did you mean "
                   "'sys_config'?") != std::string::npos);
  CHECK(r.err.find("warning: ") != std::string::npos);
  CHECK(r.err.find("unknown key 'future_key' (ignored)") != std::string::npos);
  CHECK(closest_match("biuld", {"build", "check", "deps"}) == "build");
  CHECK(closest_match("zzz", {"build", "check", "deps"}).empty());
  CHECK(closest_match("aplications", {"applications", "application"}) == "applications");
}

TEST_CASE("a problem in a staged manifest names the file the user edits",
          "[release][bad_input]") {
  fixture f;
  auto source = f.dir / "src" / "b.app";
  write_file(source, "application: b\nvsn: \"1\"\nregistered: nope\n");
  fs::create_directories(f.libs.path() / "b-1");
  fs::create_symlink(source, f.libs.path() / "b-1" / "b.app");
  write_file(f.dir / "x.rel", "release: x\nvsn: \"1\"\ninclude_runtime: false\n"
                              "applications: [kernel, b]\n");
  auto r = f.relc({"check", (f.dir / "x.rel").string()});
  CHECK(r.exit_code == 1);
  INFO(r.err);
  CHECK(r.err.find(fs::canonical(source).string() + ":3:") != std::string::npos);
  CHECK(r.err.find("lib/b-1/b.app") == std::string::npos);
}

TEST_CASE("relc check warns about an app library whose RUNPATH leaves the "
          "release", "[release][bad_input]") {
  fixture f;
  f.libs.add_app("n", "1", manifest("n", "1"), std::string{RELC_TEST_NEEDS_MISSING});
  f.libs.add_app("v", "1", manifest("v", "1"), std::string{RELC_TEST_USES_VENDORED});
  auto elf = parse_elf(read_file(RELC_TEST_NEEDS_MISSING));
  REQUIRE(elf);
  REQUIRE_FALSE(elf->runpath.empty()); // an absolute build-tree RUNPATH
  write_file(f.dir / "x.rel", "release: x\nvsn: \"1\"\ninclude_runtime: false\n"
                              "applications: [kernel, n, v]\n");
  auto r = f.relc({"check", (f.dir / "x.rel").string()});
  INFO(r.err);
  CHECK(r.err.find("warning: ") != std::string::npos);
  CHECK(r.err.find("application 'n': libn.so has RUNPATH '") != std::string::npos);
  CHECK(r.err.find("is outside the release") != std::string::npos);
  // $ORIGIN entries are fine; the build-tree entry CMake added is not.
  CHECK(r.err.find("application 'v': libv.so has RUNPATH '$ORIGIN:") != std::string::npos);
  CHECK(r.err.find("'$ORIGIN' is outside") == std::string::npos);
}

TEST_CASE("the generated systemd unit runs as a service user with systemd's "
          "directories and hardening", "[release]") {
  auto unit = make_systemd_unit("bsc");
  for (auto line : {"User=bsc\n", "Group=bsc\n", "RuntimeDirectory=bsc\n",
                    "LogsDirectory=bsc\n", "StateDirectory=bsc\n", "Type=notify\n",
                    "NoNewPrivileges=yes\n", "ProtectSystem=strict\n",
                    "ProtectHome=yes\n", "PrivateTmp=yes\n",
                    "CapabilityBoundingSet=\n", "RestrictSUIDSGID=yes\n",
                    "ExecStart=/bin/sh ${RELEASE_ROOT}/bin/bsc foreground\n"}) {
    INFO(line);
    CHECK(unit.find(line) != std::string::npos);
  }
  CHECK(unit.find("@REL@") == std::string::npos);
  // The start script maps systemd's directories onto the node's.
  auto script = make_start_script("bsc", "1", "0.1.0");
  CHECK(script.find("${RUNTIME_DIRECTORY:-") != std::string::npos);
  CHECK(script.find("${LOGS_DIRECTORY:-") != std::string::npos);
  CHECK(script.find("${STATE_DIRECTORY:-") != std::string::npos);
  CHECK(script.find("LD_LIBRARY_PATH") == std::string::npos);
}

TEST_CASE("relc new writes a project once and never overwrites",
          "[release][new]") {
  temp_dir dir;
  auto target = (dir / "hello").string();
  auto r = run_relc_in_process({"new", "release", "hello", "--app", "greeter",
                                "--dir", target});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (auto file : {"CMakeLists.txt", "README.md", "rel/hello.rel", "rel/sys.config",
                    "rel/node.args", "apps/greeter/CMakeLists.txt",
                    "apps/greeter/greeter.app", "apps/greeter/src/greeter_app.cpp"}) {
    INFO(file);
    CHECK(fs::is_regular_file(dir / "hello" / file));
  }
  CHECK(read_file(dir / "hello/CMakeLists.txt").find("find_package(relc REQUIRED)")
        != std::string::npos);
  CHECK(read_file(dir / "hello/apps/greeter/src/greeter_app.cpp")
          .find("RELC_APPLICATION(greeter_app, greeter::app)")
        != std::string::npos);
  // Again: refused, the first project untouched, no temporary left.
  write_file(dir / "hello/rel/hello.rel", "edited");
  auto again = run_relc_in_process({"new", "release", "hello", "--dir", target});
  CHECK(again.exit_code == 1);
  CHECK(again.err == "relc: error: " + target
                       + ": already exists (relc new writes a new directory and "
                         "never overwrites)\n");
  CHECK(read_file(dir / "hello/rel/hello.rel") == "edited");
  size_t entries = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir.path()))
    ++entries;
  CHECK(entries == 1);
  auto bad = run_relc_in_process({"new", "app", "Bad-Name", "--dir", (dir / "b").string()});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("app name 'Bad-Name': expected [a-z][a-z0-9_]*") != std::string::npos);
}
