// Appups and relups: the format, the scripts computed from two built
// releases, and the checks (docs/formats.md "Appup", "Relup";
// docs/commands.md `relc relup`).
#include <catch2/catch.hpp>

#include "relc/release/appup.hpp"
#include "relc/release/relup.hpp"
#include "test_support.hpp"

using namespace relc::release;
using namespace relc::test;

namespace {

// The fixture library exports modules alpha and beta; alpha has a state
// handoff (RELC_CODE_CHANGE), beta has none.
const std::string fixture_lib = RELC_TEST_FIXTURE_APP;

std::string app_manifest_text(const std::string& name, const std::string& vsn,
                              const std::string& extra = "") {
  return manifest(name, vsn, "modules: [alpha, beta]\n" + extra);
}

// Only a lists the fixture's modules (a module belongs to one app).
// Release x 1.0.0 = [a 1.0.0, b 1.0.0, gone 1.0.0], built into out/ (its
// tarball stays there when 1.1.0 is built); x 1.1.0 = [a 1.1.0, b 1.0.0,
// fresh 1.0.0] with a's appup as given.
struct fixture {
  temp_dir dir;
  lib_dir libs{dir / "lib"};
  std::string out = (dir / "out").string();

  fixture() {
    libs.add_app("a", "1.0.0", app_manifest_text("a", "1.0.0"), fixture_lib);
    libs.add_app("b", "1.0.0", manifest("b", "1.0.0"), fixture_lib);
    libs.add_app("gone", "1.0.0", manifest("gone", "1.0.0"), fixture_lib);
    libs.add_app("fresh", "1.0.0", manifest("fresh", "1.0.0"), fixture_lib);
    write_file(dir / "v1.rel", "release: x\nvsn: \"1.0.0\"\ninclude_runtime: false\n"
                               "applications: [kernel, a, b, gone]\n");
    write_file(dir / "v2.rel", "release: x\nvsn: \"1.1.0\"\ninclude_runtime: false\n"
                               "applications: [kernel, a, b, fresh]\n");
  }

  // a 1.1.0, its env changed (so config_change), with `appup` if any.
  void add_a2(const std::string& appup) {
    auto d = libs.add_app("a", "1.1.0",
                          app_manifest_text("a", "1.1.0", "env: {limit: 5}\n"),
                          fixture_lib);
    if (!appup.empty())
      write_file(d / "a.appup", appup);
  }

  run_result build(const std::string& spec, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"build", (dir / spec).string(), "--lib-dir",
                                  libs.str(), "--out", out};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_relc_in_process(args);
  }

  std::string relup_text() const {
    return read_file(dir / "out" / "x" / "releases" / "1.1.0" / "relup");
  }
};

const std::string update_alpha
  = "up:\n"
    "  - from: \"1.0.*\"\n"
    "    do:\n"
    "      - update: {module: alpha, change: {advanced: [blocked]}}\n"
    "down:\n"
    "  - to: \"1.0.*\"\n"
    "    do:\n"
    "      - update: {module: alpha, change: {advanced: [blocked]}}\n";

} // namespace

TEST_CASE("an appup reads every instruction, a typo is one line with a guess",
          "[release][relup]") {
  temp_dir dir;
  write_file(dir / "ok.appup",
             "up:\n"
             "  - from: \"1.0.*\"\n"
             "    do:\n"
             "      - restart_application\n"
             "      - load_module: alpha\n"
             "      - add_module: beta\n"
             "      - delete_module: gamma\n"
             "      - update: {module: alpha, change: soft, timeout: 2000}\n"
             "      - update: alpha\n"
             "      - apply: {call: a.migrate, args: [1, 2]}\n"
             "      - restart_node\n"
             "down: []\n");
  diagnostics diags;
  auto x = load_appup((dir / "ok.appup").string(), diags);
  INFO(dump(diags));
  REQUIRE(x);
  REQUIRE(x->up.size() == 1);
  auto& is = x->up[0].instructions;
  REQUIRE(is.size() == 8);
  CHECK(is[0].what == appup_instruction::kind::restart_application);
  CHECK(is[3].module == "gamma");
  CHECK(is[4].timeout_ms == 2000);
  CHECK_FALSE(is[4].advanced);
  CHECK(is[5].module == "alpha");
  CHECK(is[6].call_app == "a");
  CHECK(is[6].function == "migrate");
  CHECK(is[7].what == appup_instruction::kind::restart_node);
  CHECK(appup::match(x->up, "1.0.7") == &x->up[0]);
  CHECK(appup::match(x->up, "1.01") == nullptr);
  CHECK(appup::match(x->up, "2.0.0") == nullptr);

  write_file(dir / "bad.appup", "up:\n"
                                "  - from: \"1.*.0\"\n"
                                "    do:\n"
                                "      - updte: alpha\n"
                                "      - apply: {call: nodot}\n");
  diagnostics bad;
  CHECK_FALSE(load_appup((dir / "bad.appup").string(), bad));
  INFO(dump(bad));
  CHECK(has_diagnostic(bad, {"bad.appup:4", "unknown instruction 'updte'",
                             "did you mean 'update'?"}));
  CHECK(has_diagnostic(bad, {"bad.appup:2", "prefix pattern ending in '*'"}));
  CHECK(has_diagnostic(bad, {"apply: call: expected APP.FUNCTION, found 'nodot'"}));
}

TEST_CASE("relc build --upfrom a version under --out writes up and down "
          "scripts, and the tarball carries them", "[release][relup]") {
  fixture f;
  { auto v1 = f.build("v1.rel"); INFO(v1.err); REQUIRE(v1.exit_code == 0); }
  f.add_a2(update_alpha);
  auto r = f.build("v2.rel", {"--upfrom", "1.0.0"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto text = f.relup_text();
  INFO(text);
  // Up: load what is new before the point of no return; then stop what
  // goes, hand a's alpha actors over, start what comes, tell a its env
  // changed, unload the old code.
  auto at = [&](const std::string& needle) { return text.find(needle); };
  auto up = at("up:");
  auto down = at("down:");
  REQUIRE(up != std::string::npos);
  REQUIRE(down != std::string::npos);
  std::vector<std::string> up_steps{
    "from: \"1.0.0\"",
    "- load: {app: a, vsn: \"1.1.0\"}",
    "- load: {app: fresh, vsn: \"1.0.0\"}",
    "- point_of_no_return",
    "- stop: {app: gone}",
    "- update: {app: a, module: alpha, change: {advanced: [blocked]}",
    "- start: {app: fresh}",
    "- config_change: {app: a, changed: [], new: [limit], removed: []}",
    "- unload: {app: gone, vsn: \"1.0.0\"}",
    "- unload: {app: a, vsn: \"1.0.0\"}",
  };
  size_t pos = up;
  for (auto& s : up_steps) {
    auto next = text.find(s, pos);
    INFO(s);
    REQUIRE(next != std::string::npos);
    CHECK(next < down);
    pos = next;
  }
  // Down: the mirror image, with a's appup's down entry.
  std::vector<std::string> down_steps{
    "to: \"1.0.0\"",
    "- load: {app: a, vsn: \"1.0.0\"}",
    "- load: {app: gone, vsn: \"1.0.0\"}",
    "- point_of_no_return",
    "- stop: {app: fresh}",
    "- update: {app: a, module: alpha",
    "- start: {app: gone}",
    "- config_change: {app: a, changed: [], new: [], removed: [limit]}",
    "- unload: {app: fresh, vsn: \"1.0.0\"}",
    "- unload: {app: a, vsn: \"1.1.0\"}",
  };
  for (auto& s : down_steps) {
    auto next = text.find(s, pos);
    INFO(s);
    REQUIRE(next != std::string::npos);
    pos = next;
  }
  CHECK(text.find("{app: b") == std::string::npos); // unchanged: left alone
  // It is YAML: up and down, each a list of {from|to, do}.
  auto parsed = relc::parse_yaml_term(text, "relup");
  INFO(parsed.error);
  REQUIRE(parsed.ok);
  REQUIRE(parsed.value.find("up"));
  CHECK(parsed.value.find("up")->as_list().size() == 1);
  CHECK(parsed.value.find("down")->as_list().size() == 1);
  // The appup travels with its app's version in the release.
  CHECK(fs::exists(f.dir / "out" / "x" / "lib" / "a-1.1.0" / "a.appup"));
  // The tarball carries it, and the relup reads back as a release_files.
  auto tar = release_files::open(f.out + "/x-1.1.0.tar.gz");
  REQUIRE(tar);
  CHECK(tar->read("releases/1.1.0/relup") == text);
}

TEST_CASE("a changed app without an appup restarts, relc relup writes into "
          "the built release from a release directory", "[release][relup]") {
  fixture f;
  { auto v1 = f.build("v1.rel"); INFO(v1.err); REQUIRE(v1.exit_code == 0); }
  // Keep 1.0.0's directory: the next build replaces out/x.
  fs::copy(f.dir / "out" / "x", f.dir / "old", fs::copy_options::recursive);
  f.add_a2("");
  REQUIRE(f.build("v2.rel").exit_code == 0);
  CHECK_FALSE(fs::exists(f.dir / "out" / "x" / "releases" / "1.1.0" / "relup"));
  auto r = run_relc_in_process({"relup", (f.dir / "v2.rel").string(), "--from",
                                (f.dir / "old").string(), "--lib-dir",
                                f.libs.str(), "--out", f.out});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("up from 1.0.0") != std::string::npos);
  auto text = f.relup_text();
  INFO(text);
  CHECK(text.find("- restart_application: {app: a, from: \"1.0.0\", to: \"1.1.0\"}")
        != std::string::npos);
  CHECK(text.find("- restart_application: {app: a, from: \"1.1.0\", to: \"1.0.0\"}")
        != std::string::npos);
}

TEST_CASE("the relup checks report every problem in one line each and "
          "write nothing", "[release][relup]") {
  fixture f;
  { auto v1 = f.build("v1.rel"); INFO(v1.err); REQUIRE(v1.exit_code == 0); }
  f.add_a2("up:\n"
           "  - from: \"1.0.0\"\n"
           "    do:\n"
           "      - update: beta\n"        // no handoff in the library
           "      - load_module: gamma\n"  // not exported
           "      - apply: {call: nobody.f}\n"
           "down:\n"
           "  - to: \"0.9.*\"\n"           // nothing down to 1.0.0
           "    do: [restart_application]\n");
  auto r = f.build("v2.rel", {"--upfrom", "1.0.0", "--upfrom", "0.5.0"});
  CHECK(r.exit_code == 1);
  INFO(r.err);
  CHECK(r.err.find("update beta: the library of a 1.1.0 does not export "
                   "relc_code_change__beta (an actor type that declares no "
                   "handoff cannot be updated")
        != std::string::npos);
  CHECK(r.err.find("load_module gamma: the library of a 1.1.0 does not "
                   "export relc_module__gamma")
        != std::string::npos);
  CHECK(r.err.find("apply nobody.f: no app nobody") != std::string::npos);
  CHECK(r.err.find("a 1.1.0: no 'down' entry to 1.0.0") != std::string::npos);
  CHECK(r.err.find("no earlier release 0.5.0") != std::string::npos);
  CHECK(r.err.find("nothing written") != std::string::npos);
  // The earlier build is untouched.
  CHECK(fs::exists(f.dir / "out" / "x" / "releases" / "1.0.0" / "x.boot"));
  CHECK_FALSE(fs::exists(f.dir / "out" / "x" / "releases" / "1.1.0"));
  // The same version, and another release, are refused.
  auto same = f.build("v1.rel", {"--upfrom", "1.0.0"});
  CHECK(same.exit_code == 1);
  CHECK(same.err.find("the version being built") != std::string::npos);
  // A file that is not a release.
  write_file(f.dir / "junk.tar.gz", "not gzip");
  auto junk = f.build("v2.rel", {"--upfrom", (f.dir / "junk.tar.gz").string()});
  CHECK(junk.exit_code == 1);
  CHECK(junk.err.find("not a release tarball") != std::string::npos);
}

TEST_CASE("a library that changed under the same version is refused",
          "[release][relup]") {
  fixture f;
  { auto v1 = f.build("v1.rel"); INFO(v1.err); REQUIRE(v1.exit_code == 0); }
  // b 1.0.0 rebuilt with other code, its version not bumped.
  f.libs.add_app("b", "1.0.0", manifest("b", "1.0.0"),
                 std::string{RELC_TEST_PROBE_APP}, "libb.so");
  f.add_a2(update_alpha);
  auto r = f.build("v2.rel", {"--upfrom", "1.0.0"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("b 1.0.0: its library differs from the one in 1.0.0 but "
                   "its version does not")
        != std::string::npos);
}

TEST_CASE("a new runtime version makes the upgrade restart the node first",
          "[release][relup]") {
  fixture f;
  { auto v1 = f.build("v1.rel"); INFO(v1.err); REQUIRE(v1.exit_code == 0); }
  // The same 1.0.0, as if built for an older runtime.
  fs::copy(f.dir / "out" / "x", f.dir / "old", fs::copy_options::recursive);
  write_file(f.dir / "old" / "releases" / "start.data", "0.0.9 1.0.0\n");
  f.add_a2(update_alpha);
  auto r = f.build("v2.rel", {"--upfrom", (f.dir / "old").string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("runtime 0.0.9 -> " RELC_TEST_RUNTIME_VERSION
                   ": the upgrade restarts the node (restart_node)")
        != std::string::npos);
  auto text = f.relup_text();
  INFO(text);
  // restart_node comes first, before any load, in both directions.
  auto up = text.find("from: \"1.0.0\"");
  auto down = text.find("to: \"1.0.0\"");
  REQUIRE(up != std::string::npos);
  REQUIRE(down != std::string::npos);
  CHECK(text.find("- restart_node", up) < text.find("- load:", up));
  CHECK(text.find("- restart_node", down) < text.find("- load:", down));
}
