#include <cstring>
// End to end: the real relc executable builds the example releases from
// apps/ and rel/, as a user would run it.
#include <catch2/catch.hpp>

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "relc/release/elf_file.hpp"
#include "relc/runtime/application.hpp"
#include "test_support.hpp"

using namespace relc::test;

namespace {

const std::string relc_exe = RELC_TEST_RELC_EXE;

// A copy of the example lib dir and the rel/ directory under `root`, with
// fresh file times: what another checkout on another day looks like.
void stage_inputs(const fs::path& root) {
  fs::copy(RELC_TEST_EXAMPLE_LIB_DIR, root / "lib",
           fs::copy_options::recursive);
  fs::copy(fs::path{RELC_TEST_SOURCE_DIR} / "rel", root / "rel",
           fs::copy_options::recursive);
}

run_result build(const fs::path& root, const std::string& rel,
                 const std::string& out = "out") {
  return run_process({relc_exe, "build", (root / "rel" / (rel + ".rel")).string(),
                      "--lib-dir", (root / "lib").string(), "--out",
                      (root / out).string()});
}

std::set<std::string> leftovers(const fs::path& out) {
  std::set<std::string> result;
  for (auto& e : fs::directory_iterator{out})
    if (e.path().filename().string().find(".building-") != std::string::npos)
      result.insert(e.path().filename().string());
  return result;
}

std::set<std::string> tree_listing(const fs::path& root) {
  std::set<std::string> result;
  for (auto& e : fs::recursive_directory_iterator{root})
    result.insert(fs::relative(e.path(), root).string());
  return result;
}

} // namespace

TEST_CASE("every example release builds byte-identically in two places at two times",
          "[e2e][build]") {
  for (auto rel : {"bsc", "bsc_safe", "top", "rvi"}) {
    INFO(rel);
    temp_dir first;
    temp_dir second;
    stage_inputs(first.path());
    auto a = build(first.path(), rel);
    INFO(a.err);
    REQUIRE(a.exit_code == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    stage_inputs(second.path());
    auto b = build(second.path(), rel, "elsewhere/out");
    REQUIRE(b.exit_code == 0);
    auto vsn = std::string{rel} == "rvi" ? "0.3.0" : "1.0.0";
    auto tarball = std::string{rel} + "-" + vsn + ".tar.gz";
    auto ta = read_file(first / "out" / tarball);
    auto tb = read_file(second / "elsewhere/out" / tarball);
    REQUIRE(ta.size() > 1000);
    CHECK(ta == tb);
  }
}

TEST_CASE("the tarball holds the release directory and a working start script",
          "[e2e][build]") {
  temp_dir dir;
  stage_inputs(dir.path());
  REQUIRE(build(dir.path(), "bsc").exit_code == 0);
  auto unpacked = dir / "unpacked";
  fs::create_directories(unpacked);
  auto tar = run_process({"/bin/tar", "-xzf", (dir / "out/bsc-1.0.0.tar.gz").string(),
                          "-C", unpacked.string()});
  REQUIRE(tar.exit_code == 0);
  CHECK(tree_listing(unpacked) == tree_listing(dir / "out" / "bsc"));
  for (auto path : {"bin/bsc", "bin/relc", "lib/bsc-1.0.0/lib/libbsc.so",
                    "lib/bsc-1.0.0/bsc.app", "lib/kernel-" RELC_TEST_RUNTIME_VERSION "/kernel.app",
                    "releases/1.0.0/bsc.boot", "releases/1.0.0/bsc.script",
                    "releases/1.0.0/bsc.rel", "releases/1.0.0/sys.config",
                    "releases/1.0.0/node.args", "releases/start.data",
                    "releases/RELEASES"}) {
    INFO(path);
    CHECK(fs::is_regular_file(unpacked / path));
  }
  // The runtime's own libraries (CAF included) travel with the release.
  CHECK(fs::exists(unpacked / ("runtime-" RELC_TEST_RUNTIME_VERSION)
                   / "lib" / "libcaf_core.so.0.17.6"));
  CHECK(fs::exists(unpacked / ("runtime-" RELC_TEST_RUNTIME_VERSION)
                   / "lib" / "librelc_runtime.so.0.1"));
  CHECK(read_file(unpacked / "releases/start.data")
        == RELC_TEST_RUNTIME_VERSION " 1.0.0\n");
  // The start script is POSIX sh: run it with dash.
  auto versions = run_process({"/bin/dash", (unpacked / "bin/bsc").string(),
                               "versions"});
  CHECK(versions.exit_code == 0);
  CHECK(versions.out == "bsc 1.0.0 permanent\n");
  auto usage = run_process({"/bin/dash", (unpacked / "bin/bsc").string(), "bogus"});
  CHECK(usage.exit_code == 2);
  // The bundled runtime resolves every library from the release or the base
  // system, without relc's build tree.
  // No LD_LIBRARY_PATH: it finds them through its own RUNPATH.
  auto ldd = run_process({"/usr/bin/ldd", (unpacked / "bin/relc").string()});
  CHECK(ldd.out.find("not found") == std::string::npos);
  auto bundled = (unpacked / ("runtime-" RELC_TEST_RUNTIME_VERSION)).string();
  for (auto lib : {"librelc_runtime.so.0.1 => ", "libcaf_core.so.0.17.6 => ",
                   "libyaml-cpp.so.0.7 => "}) {
    INFO(lib << " in\n" << ldd.out);
    auto at = ldd.out.find(lib);
    REQUIRE(at != std::string::npos);
    auto from = at + strlen(lib);
    auto path = ldd.out.substr(from, ldd.out.find(" (", from) - from);
    CHECK(fs::canonical(path).string().rfind(fs::canonical(bundled).string(), 0) == 0);
  }
  // docs/formats.md: no shipped ELF file names a build-machine path or has an
  // empty RUNPATH entry (which would load libraries from the working dir).
  int elf_files = 0;
  for (auto& e : fs::recursive_directory_iterator(unpacked)) {
    if (!e.is_regular_file() || e.is_symlink())
      continue;
    auto bytes = read_file(e.path());
    if (bytes.compare(0, 4, "\x7f" "ELF") != 0)
      continue;
    ++elf_files;
    auto info = relc::release::parse_elf(bytes);
    REQUIRE(info);
    INFO(e.path() << ": RUNPATH '" << info->runpath_text << "'");
    CHECK(info->runpath_text.find("::") == std::string::npos);
    CHECK((info->runpath_text.empty()
           || (info->runpath_text.front() != ':'
               && info->runpath_text.back() != ':')));
    for (auto& entry : info->runpath)
      CHECK(entry.rfind("$ORIGIN", 0) == 0);
    CHECK(bytes.find(RELC_TEST_SOURCE_DIR) == std::string::npos);
  }
  CHECK(elf_files >= 4);
  auto relc_elf = relc::release::parse_elf(read_file(unpacked / "bin/relc"));
  REQUIRE(relc_elf);
  CHECK(relc_elf->runpath_text
        == "$ORIGIN/../runtime-" RELC_TEST_RUNTIME_VERSION "/lib");
}

TEST_CASE("the rvi overlay template is filled at build time", "[e2e][build]") {
  temp_dir dir;
  stage_inputs(dir.path());
  REQUIRE(build(dir.path(), "rvi").exit_code == 0);
  auto conf = read_file(dir / "out/rvi/etc/rvi.conf");
  CHECK(conf.find("for rvi 0.3.0 (runtime " RELC_TEST_RUNTIME_VERSION ")")
        != std::string::npos);
  CHECK(conf.find("node_name = rvi") != std::string::npos);
}

TEST_CASE("a build that fails leaves the previous release and tarball untouched",
          "[e2e][build]") {
  temp_dir dir;
  stage_inputs(dir.path());
  REQUIRE(build(dir.path(), "bsc").exit_code == 0);
  auto tarball = dir / "out/bsc-1.0.0.tar.gz";
  auto digest = file_digest(tarball);
  auto listing = tree_listing(dir / "out/bsc");
  SECTION("an unreadable library") {
    auto lib = dir / "lib/bsc-1.0.0/lib/libbsc.so";
    fs::remove(lib);
    fs::create_symlink(dir / "nowhere.so", lib); // dangling: cannot be read
    auto r = build(dir.path(), "bsc");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("application 'bsc': cannot read") != std::string::npos);
    CHECK(r.err.find("build failed, nothing written") != std::string::npos);
  }
  SECTION("a failing check") {
    write_file(dir / "lib/bsc-1.0.0/bsc.app",
               read_file(dir / "lib/bsc-1.0.0/bsc.app") + "\nmodules: [ghost]\n");
    auto r = build(dir.path(), "bsc");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("bsc.app:") != std::string::npos);
    CHECK(r.err.find("key 'modules' appears twice") != std::string::npos);
  }
  CHECK(file_digest(tarball) == digest);
  CHECK(tree_listing(dir / "out/bsc") == listing);
  CHECK(leftovers(dir / "out").empty());
}

TEST_CASE("overlays cannot write outside the release", "[e2e][build]") {
  temp_dir dir;
  stage_inputs(dir.path());
  write_file(dir / "rel/motd", "hello\n");
  auto spec = [&](const std::string& overlay) {
    write_file(dir / "rel/esc.rel",
               "release: esc\nvsn: \"1\"\ninclude_runtime: false\n"
               "applications: [kernel]\noverlays:\n  - " + overlay + "\n");
  };
  auto attempt = [&] { return build(dir.path(), "esc"); };
  SECTION("a destination with ..") {
    spec("{copy: motd, to: ../../escaped}");
    auto r = attempt();
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("esc.rel:6:5") != std::string::npos);
    CHECK(r.err.find("contains '..'") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "escaped"));
  }
  SECTION("an absolute destination") {
    spec("{copy: motd, to: " + (dir / "abs-escape").string() + "}");
    auto r = attempt();
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("is absolute") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "abs-escape"));
  }
  SECTION("a copied directory with a symlink out of the release") {
    fs::create_directories(dir / "rel/files");
    fs::create_symlink("/etc/passwd", dir / "rel/files/passwd");
    spec("{copy: files, to: etc/files}");
    auto r = attempt();
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("/etc/passwd") != std::string::npos);
  }
  SECTION("a template with an unknown variable") {
    write_file(dir / "rel/t.in", "line one\nport = ${NO_SUCH_VARIABLE_X}\n");
    spec("{template: t.in, to: etc/t}");
    auto r = attempt();
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("t.in:2") != std::string::npos);
    CHECK(r.err.find("${NO_SUCH_VARIABLE_X}") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(dir / "out" / "esc"));
  CHECK((!fs::exists(dir / "out") || leftovers(dir / "out").empty()));
}

TEST_CASE("relc check passes on the examples and fails a broken spec with one line per problem",
          "[e2e][build]") {
  temp_dir dir;
  stage_inputs(dir.path());
  for (auto rel : {"bsc", "bsc_safe", "top", "rvi"}) {
    auto r = run_process({relc_exe, "check", (dir / "rel" / (std::string{rel} + ".rel")).string(),
                          "--lib-dir", (dir / "lib").string(), "--strict"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
  }
  write_file(dir / "rel/bad.rel",
             "release: bad\nvsn: \"1\"\napplications: [kernel, bsc, ghost]\nruntime: \"9\"\n");
  auto r = run_process({relc_exe, "check", (dir / "rel/bad.rel").string(),
                        "--lib-dir", (dir / "lib").string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("bad.rel:3:29: application 'ghost' not found") != std::string::npos);
  CHECK(r.err.find("bad.rel:4:10: release needs runtime 9") != std::string::npos);
  CHECK(r.err.find("2 error(s)") != std::string::npos);
}

TEST_CASE("bsc 1.1.0 builds beside 1.0.0 with a relup from it, and its "
          "frequency handoff keeps every frequency both ways", "[e2e][build]") {
  temp_dir dir;
  stage_inputs(dir.path());
  auto v1 = build(dir.path(), "bsc");
  INFO(v1.err);
  REQUIRE(v1.exit_code == 0);
  // The upgrade from the 1.0.0 tarball the first build left in out/.
  auto v2 = run_process({relc_exe, "build", (dir / "rel/bsc-1.1.0.rel").string(),
                         "--lib-dir", (dir / "lib").string(), "--out",
                         (dir / "out").string(), "--upfrom", "1.0.0"});
  INFO(v2.err);
  REQUIRE(v2.exit_code == 0);
  CHECK(fs::exists(dir / "out/bsc-1.0.0.tar.gz"));
  auto relup = read_file(dir / "out/bsc/releases/1.1.0/relup");
  INFO(relup);
  CHECK(relup.find("- from: \"1.0.0\"") != std::string::npos);
  CHECK(relup.find("- update: {app: bsc, module: frequency, change: {advanced: "
                   "[blocked]}, timeout: 5000, from: \"1.0.0\", to: \"1.1.0\"}")
        != std::string::npos);
  CHECK(relup.find("- update: {app: bsc, module: frequency, change: {advanced: "
                   "[blocked]}, timeout: 5000, from: \"1.1.0\", to: \"1.0.0\"}")
        != std::string::npos);
  CHECK(fs::is_regular_file(dir / "out/bsc/lib/bsc-1.1.0/bsc.appup"));
  // The handoff the relup relies on, called as an upgrade would call it.
  auto lib = dir / "out/bsc/lib/bsc-1.1.0/lib/libbsc.so";
  auto elf = relc::release::parse_elf(read_file(lib));
  REQUIRE(elf);
  CHECK(elf->exports.count("relc_code_change__frequency") == 1);
  auto old_elf = relc::release::parse_elf(
    read_file(dir / "lib/bsc-1.0.0/lib/libbsc.so"));
  REQUIRE(old_elf);
  CHECK(old_elf->exports.count("relc_code_change__frequency") == 0);
  auto* handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  REQUIRE(handle);
  auto change = reinterpret_cast<relc::code_change_fn>(
    dlsym(handle, "relc_code_change__frequency"));
  REQUIRE(change);
  relc::term v10{relc::term::map{{"free", relc::term::list{relc::term{12}}},
                                 {"allocated", relc::term::list{relc::term{10},
                                                                relc::term{11}}}}};
  auto up = change({false, "1.0.0", relc::term::list{relc::term{"blocked"}}}, v10);
  REQUIRE(up);
  CHECK(up->find("allocated")->as_list().size() == 2);
  CHECK(up->find("blocked")->as_list().empty());
  relc::term v11{relc::term::map{{"free", relc::term::list{}},
                                 {"allocated", relc::term::list{relc::term{10}}},
                                 {"blocked", relc::term::list{relc::term{12}}}}};
  auto down = change({true, "1.0.0", {}}, v11);
  REQUIRE(down);
  CHECK(down->find("blocked") == nullptr);
  CHECK(down->find("free")->as_list() == relc::term::list{relc::term{12}});
  CHECK(down->find("allocated")->as_list() == relc::term::list{relc::term{10}});
  CHECK_FALSE(change({false, "1.0.0", {}}, relc::term{"not a state"}));
  dlclose(handle);
}

TEST_CASE("relc build --runtime builds for another runtime: its version from "
          "the executable, a relup that restarts the node, and one line for a "
          "file that is no runtime", "[e2e][build]") {
  temp_dir dir;
  stage_inputs(dir.path());
  REQUIRE(build(dir.path(), "bsc").exit_code == 0);
  std::string next = RELC_TEST_NEXT_RUNTIME_VERSION;
  auto v2 = run_process({relc_exe, "build", (dir / "rel/bsc-1.1.0.rel").string(),
                         "--lib-dir", (dir / "lib").string(), "--out",
                         (dir / "out").string(), "--upfrom", "1.0.0", "--runtime",
                         RELC_TEST_NEXT_NODE_EXE});
  INFO(v2.err);
  REQUIRE(v2.exit_code == 0);
  CHECK(read_file(dir / "out/bsc/releases/start.data") == next + " 1.1.0\n");
  auto relup = read_file(dir / "out/bsc/releases/1.1.0/relup");
  CHECK(relup.find("do:\n      - restart_node\n") != std::string::npos);
  // Both copies of the executable find the bundled libraries by $ORIGIN.
  auto in_bin = relc::release::parse_elf(read_file(dir / "out/bsc/bin/relc"));
  auto in_runtime = relc::release::parse_elf(
    read_file(dir / "out/bsc" / ("runtime-" + next) / "bin/relc"));
  REQUIRE(in_bin);
  REQUIRE(in_runtime);
  CHECK(in_bin->runpath_text == "$ORIGIN/../runtime-" + next + "/lib");
  CHECK(in_runtime->runpath_text == "$ORIGIN/../lib");
  CHECK(in_runtime->relc_runtime == next);
  auto ver = run_process({(dir / "out/bsc" / ("runtime-" + next) / "bin/relc").string(),
                          "releases", (dir / "out/bsc").string()});
  CHECK(ver.exit_code == 0);
  // A file that is no relc node executable: one line, nothing written.
  auto bad = run_process({relc_exe, "build", (dir / "rel/bsc.rel").string(),
                          "--lib-dir", (dir / "lib").string(), "--out",
                          (dir / "out2").string(), "--runtime", "/bin/true"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("/bin/true: not a relc node executable") != std::string::npos);
  CHECK(lines_with(bad.err, "not a relc node executable") == 1);
  CHECK(!fs::exists(dir / "out2/bsc"));
}
