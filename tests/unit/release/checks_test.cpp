#include <catch2/catch.hpp>

#include "relc/release/pipeline.hpp"
#include "test_support.hpp"

using namespace relc::release;
using namespace relc::test;

namespace {

const std::string fixture_lib = RELC_TEST_FIXTURE_APP;

// An app whose library is the fixture (exports modules alpha and beta,
// callback fixture_app, call mark, boot handler `handler`).
std::string fixture_manifest(const std::string& name,
                             const std::string& extra = "") {
  return manifest(name, "1", "modules: [alpha, beta]\n" + extra);
}

struct fixture {
  temp_dir dir;
  lib_dir libs{dir / "lib"};

  struct result {
    bool ok = false;
    diagnostics diags;
  };

  result check(const std::string& spec_text,
               warning_policy policy = warning_policy::allow) {
    write_file(dir / "x.rel", spec_text);
    result r;
    auto checked = check_release_spec((dir / "x.rel").string(),
                                      test_toolchain({libs.str()}), policy,
                                      r.diags);
    r.ok = static_cast<bool>(checked);
    return r;
  }
};

std::string rel(const std::string& apps, const std::string& extra = "") {
  return "release: x\nvsn: \"1\"\napplications: " + apps + "\n" + extra;
}

} // namespace

TEST_CASE("a correct release passes every check", "[release][checks]") {
  fixture f;
  f.libs.add_app("a", "1",
                 fixture_manifest("a", "mod: {module: fixture_app}\n"),
                 fixture_lib);
  auto r = f.check(rel("[kernel, a]"));
  INFO(dump(r.diags));
  CHECK(r.ok);
  CHECK(r.diags.error_count() == 0);
}

TEST_CASE("check 4: a registered name in two apps names both",
          "[release][checks]") {
  fixture f;
  f.libs.add_app("a", "1", manifest("a", "1", "library: none\nregistered: [db]\n"));
  f.libs.add_app("b", "1", manifest("b", "1", "library: none\nregistered: [db]\n"));
  auto r = f.check(rel("[a, b]"));
  CHECK_FALSE(r.ok);
  CHECK(has_diagnostic(r.diags, {"b.app", "registered name 'db'",
                                 "both 'a' and 'b'"}));
}

TEST_CASE("check 5: listed modules must be exported by the library",
          "[release][checks]") {
  fixture f;
  f.libs.add_app("a", "1", manifest("a", "1", "modules: [alpha, gamma]\n"),
                 fixture_lib);
  auto r = f.check(rel("[a]"));
  CHECK_FALSE(r.ok);
  CHECK(has_diagnostic(r.diags, {"a.app:3:", "module 'gamma' is not exported",
                                 "liba.so", "relc_module__gamma"}));
  // beta is provided but not listed: a warning.
  CHECK(has_diagnostic(r.diags, {"warning", "provides module 'beta'"}));
}

TEST_CASE("check 5: a module in two apps names both", "[release][checks]") {
  fixture f;
  f.libs.add_app("a", "1", fixture_manifest("a"), fixture_lib);
  f.libs.add_app("b", "1", fixture_manifest("b"), fixture_lib);
  auto r = f.check(rel("[a, b]"));
  CHECK(has_diagnostic(r.diags, {"module 'alpha' is provided by both 'a' and 'b'"}));
}

TEST_CASE("check 5: the callback must be exported", "[release][checks]") {
  fixture f;
  f.libs.add_app("a", "1", fixture_manifest("a", "mod: {module: nope}\n"),
                 fixture_lib);
  auto r = f.check(rel("[a]"));
  CHECK(has_diagnostic(r.diags, {"callback 'nope' is not exported",
                                 "relc_application__nope"}));
}

TEST_CASE("strict mode (--strict) turns warnings into errors", "[release][checks]") {
  fixture f;
  f.libs.add_app("a", "1", manifest("a", "1", "modules: [alpha]\n"),
                 fixture_lib);
  CHECK(f.check(rel("[a]")).ok);
  auto strict = f.check(rel("[a]"), warning_policy::fail);
  CHECK_FALSE(strict.ok);
  CHECK(has_diagnostic(strict.diags, {"error", "provides module 'beta'",
                                      "(--strict)"}));
}

TEST_CASE("check 6: kernel must be permanent", "[release][checks]") {
  fixture f;
  auto r = f.check(rel("[{name: kernel, type: temporary}]"));
  CHECK(has_diagnostic(r.diags, {"x.rel:3:16", "'kernel' must be permanent",
                                 "not temporary"}));
}

TEST_CASE("check 7: an included app is not also started on its own",
          "[release][checks]") {
  fixture f;
  f.libs.add_app("top", "1", manifest("top", "1", "library: none\nincluded_applications: [inc]\n"));
  f.libs.add_app("inc", "1", manifest("inc", "1", "library: none\n"));
  f.libs.add_app("user", "1", manifest("user", "1", "library: none\napplications: [inc]\n"));
  auto listed = f.check(rel("[top, inc]"));
  CHECK(has_diagnostic(listed.diags, {"'inc' is included by 'top'",
                                      "listed as permanent"}));
  auto needed = f.check(rel("[top, user]"));
  CHECK(has_diagnostic(needed.diags, {"'user' needs 'inc' started",
                                      "included by 'top'"}));
  CHECK(f.check(rel("[top, {name: inc, type: load}]")).ok);
}

TEST_CASE("check 8: the runtime version must match", "[release][checks]") {
  fixture f;
  auto r = f.check(rel("[kernel]", "runtime: \"9.9\"\n"));
  CHECK(has_diagnostic(r.diags, {"x.rel:4:10", "needs runtime 9.9",
                                 std::string{"provides "} + RELC_TEST_RUNTIME_VERSION}));
}

TEST_CASE("check 9: a needed shared library must resolve on the target",
          "[release][checks]") {
  fixture f;
  f.libs.add_app("a", "1", manifest("a", "1", "modules: [user]\n"),
                 RELC_TEST_NEEDS_MISSING);
  auto r = f.check(rel("[a]"));
  CHECK_FALSE(r.ok);
  CHECK(has_diagnostic(r.diags, {"application 'a'", "liba.so needs libnot_on_target.so.1",
                                 "neither inside the release nor on the base system"}));
}

TEST_CASE("check 9: a library shipped in the app's lib/ resolves via $ORIGIN",
          "[release][checks]") {
  fixture f;
  auto dir = f.libs.add_app("a", "1", manifest("a", "1", "modules: [user]\n"),
                            RELC_TEST_USES_VENDORED);
  auto r_missing = f.check(rel("[a]"));
  CHECK(has_diagnostic(r_missing.diags, {"needs libvendored.so"}));
  fs::copy_file(RELC_TEST_VENDORED, dir / "lib" / "libvendored.so");
  auto r = f.check(rel("[a]"));
  INFO(dump(r.diags));
  CHECK(r.ok);
}

TEST_CASE("a missing, corrupt or foreign library fails its app, naming the file",
          "[release][checks]") {
  fixture f;
  SECTION("missing") {
    f.libs.add_app("a", "1", manifest("a", "1"));
    auto r = f.check(rel("[a]"));
    CHECK(has_diagnostic(r.diags, {"application 'a': cannot read", "liba.so"}));
  }
  SECTION("corrupt") {
    auto dir = f.libs.add_app("a", "1", manifest("a", "1"));
    write_file(dir / "lib" / "liba.so", "\x7f" "ELF garbage");
    auto r = f.check(rel("[a]"));
    CHECK(has_diagnostic(r.diags, {"application 'a'", "liba.so", "not a valid ELF file"}));
  }
  SECTION("another architecture") {
    auto dir = f.libs.add_app("a", "1", manifest("a", "1"), fixture_lib);
    auto bytes = read_file(dir / "lib" / "liba.so");
    bytes[18] = static_cast<char>(183); // e_machine = EM_AARCH64
    bytes[19] = 0;
    write_file(dir / "lib" / "liba.so", bytes);
    auto r = f.check(rel("[a]"));
    CHECK(has_diagnostic(r.diags, {"application 'a'", "built for AArch64",
                                   "expected x86-64"}));
  }
}

TEST_CASE("probing a library never runs its code", "[release][checks]") {
  fixture f;
  f.libs.add_app("a", "1", manifest("a", "1", "modules: [boom]\n"),
                 RELC_TEST_CRASH_ON_LOAD);
  // The library aborts whoever loads it; the check must simply pass.
  auto r = f.check(rel("[a]"));
  INFO(dump(r.diags));
  CHECK(r.ok);
}

TEST_CASE("check 10: boot init and main name apps of the release",
          "[release][checks]") {
  fixture f;
  f.libs.add_app("fw", "1", fixture_manifest("fw"), fixture_lib);
  auto ok = f.check(rel("[fw]", "boot:\n  init: [fw, {call: fw.mark}]\n  main: fw\n"
                                 "  handler: {module: handler}\n"));
  INFO(dump(ok.diags));
  CHECK(ok.ok);
  auto bad = f.check(rel("[fw]", "boot:\n  init: [net, {call: fw.nothing}]\n"
                                  "  main: ghost\n  handler: {module: nobody}\n"));
  CHECK_FALSE(bad.ok);
  CHECK(has_diagnostic(bad.diags, {"x.rel:5:10", "init names application 'net'"}));
  CHECK(has_diagnostic(bad.diags, {"calls fw.nothing", "relc_call__nothing"}));
  CHECK(has_diagnostic(bad.diags, {"main names application 'ghost'"}));
  CHECK(has_diagnostic(bad.diags, {"handler 'nobody'", "relc_boot_handler__nobody"}));
}

TEST_CASE("sys_config must map apps to env mappings", "[release][checks]") {
  fixture f;
  write_file(f.dir / "sys.config", "kernel: [1, 2]\nghost: {a: 1}\n");
  auto r = f.check(rel("[kernel]", "sys_config: sys.config\n"));
  CHECK(has_diagnostic(r.diags, {"sys.config:1:9", "app 'kernel'", "found a list"}));
  CHECK(has_diagnostic(r.diags, {"warning", "configures 'ghost'"}));
}

TEST_CASE("all problems of a release come out in one run", "[release][checks]") {
  fixture f;
  f.libs.add_app("a", "1", manifest("a", "1", "modules: [gamma]\nregistered: [n]\n"),
                 fixture_lib);
  f.libs.add_app("b", "1", manifest("b", "1", "library: none\nregistered: [n]\n"));
  auto r = f.check(rel("[a, b, ghost]", "runtime: \"0.0.1\"\n"));
  CHECK_FALSE(r.ok);
  CHECK(has_diagnostic(r.diags, {"'ghost' not found"}));
  CHECK(has_diagnostic(r.diags, {"module 'gamma' is not exported"}));
  CHECK(has_diagnostic(r.diags, {"registered name 'n'"}));
  CHECK(has_diagnostic(r.diags, {"needs runtime 0.0.1"}));
  CHECK(r.diags.error_count() == 4);
}
