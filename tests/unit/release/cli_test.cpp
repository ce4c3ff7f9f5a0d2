#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace relc::test;

namespace {

struct fixture {
  temp_dir dir;
  lib_dir libs{dir / "lib"};
  fixture() {
    libs.add_app("a", "1", manifest("a", "1", "modules: [alpha, beta]\n"),
                 RELC_TEST_FIXTURE_APP);
    write_file(dir / "x.rel", "release: x\nvsn: \"1\"\ninclude_runtime: false\n"
                              "applications: [kernel, a]\n");
  }
  std::string spec() const { return (dir / "x.rel").string(); }
};

} // namespace

TEST_CASE("a wrong command line exits 2 with one line", "[release][cli]") {
  auto none = run_relc_in_process({});
  CHECK(none.exit_code == 2);
  auto unknown = run_relc_in_process({"frobnicate"});
  CHECK(unknown.exit_code == 2);
  auto missing = run_relc_in_process({"build"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("spec") != std::string::npos);
  auto bad_format = run_relc_in_process({"deps", "x.rel", "--format", "svg"});
  CHECK(bad_format.exit_code == 2);
  auto help = run_relc_in_process({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("build") != std::string::npos);
}

TEST_CASE("relc check writes nothing and exits 0 or 1", "[release][cli]") {
  fixture f;
  auto ok = run_relc_in_process({"check", f.spec(), "--lib-dir", f.libs.str()});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("all checks passed") != std::string::npos);
  CHECK_FALSE(fs::exists(f.dir / "_rel"));
  auto bad = run_relc_in_process({"check", f.spec()}); // no lib dir for a
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("application 'a' not found") != std::string::npos);
  auto strict = run_relc_in_process(
    {"check", f.spec(), "--lib-dir", f.libs.str(), "--strict"});
  CHECK(strict.exit_code == 0); // no warnings: both modules listed
}

TEST_CASE("relc build writes the release and the tarball", "[release][cli]") {
  fixture f;
  auto out = (f.dir / "out").string();
  auto r = run_relc_in_process(
    {"build", f.spec(), "--lib-dir", f.libs.str(), "--out", out});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::exists(f.dir / "out" / "x" / "releases" / "1" / "x.boot"));
  CHECK(fs::exists(f.dir / "out" / "x-1.tar.gz"));
  auto no_tar = run_relc_in_process(
    {"build", f.spec(), "--lib-dir", f.libs.str(), "--out",
     (f.dir / "out2").string(), "--no-tar"});
  CHECK(no_tar.exit_code == 0);
  CHECK(fs::exists(f.dir / "out2" / "x"));
  CHECK_FALSE(fs::exists(f.dir / "out2" / "x-1.tar.gz"));
}

TEST_CASE("relc deps prints the start order as tree, dot and json",
          "[release][cli]") {
  fixture f;
  auto tree = run_relc_in_process({"deps", f.spec(), "--lib-dir", f.libs.str()});
  CHECK(tree.exit_code == 0);
  CHECK(tree.out.find("1. kernel") != std::string::npos);
  CHECK(tree.out.find("2. a 1 (permanent)") != std::string::npos);
  auto dot = run_relc_in_process(
    {"deps", f.spec(), "--lib-dir", f.libs.str(), "--format", "dot"});
  CHECK(dot.out.find("digraph \"x\"") != std::string::npos);
  auto json = run_relc_in_process(
    {"deps", f.spec(), "--lib-dir", f.libs.str(), "--format", "json"});
  CHECK(json.out.find("\"start_order\"") != std::string::npos);
  CHECK(json.out.find("{\"name\": \"a\"") != std::string::npos);
}
