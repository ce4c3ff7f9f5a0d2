#include <catch2/catch.hpp>

#include <cstdlib>

#include "relc/release/app_index.hpp"
#include "relc/release/resolver.hpp"
#include "test_support.hpp"

using namespace relc::release;
using namespace relc::test;

namespace {

// Code-free apps: enough to exercise resolution and ordering.
std::string app(const std::string& name, const std::string& vsn,
                const std::string& extra = "") {
  return manifest(name, vsn, "library: none\n" + extra);
}

struct fixture {
  temp_dir dir;
  lib_dir libs{dir / "lib"};

  struct result {
    std::optional<resolved_release> rel;
    diagnostics diags;
    std::vector<std::string> order() const {
      std::vector<std::string> names;
      if (rel)
        for (auto& a : rel->apps)
          names.push_back(a.name());
      return names;
    }
  };

  result resolve(const std::string& spec_text,
                 std::vector<std::string> lib_dirs = {},
                 bool with_kernel = true) {
    write_file(dir / "x.rel", spec_text);
    result r;
    auto spec = load_release_spec((dir / "x.rel").string(), r.diags);
    REQUIRE(spec);
    if (lib_dirs.empty())
      lib_dirs.push_back(libs.str());
    if (with_kernel)
      lib_dirs.push_back(RELC_TEST_KERNEL_DIR);
    auto index = app_index::scan(lib_dirs, r.diags);
    auto resolved = resolve_release(*spec, index, r.diags);
    if (!r.diags.has_errors())
      r.rel = std::move(resolved);
    return r;
  }
};

std::string rel(const std::string& apps) {
  return "release: x\nvsn: \"1\"\napplications: " + apps + "\n";
}

} // namespace

TEST_CASE("start order: kernel first, then each listed app after its deps",
          "[release][resolver]") {
  fixture f;
  f.libs.add_app("a", "1", app("a", "1", "applications: [c, b]\n"));
  f.libs.add_app("b", "1", app("b", "1", "applications: [d]\n"));
  f.libs.add_app("c", "1", app("c", "1"));
  f.libs.add_app("d", "1", app("d", "1"));
  f.libs.add_app("e", "1", app("e", "1", "applications: [d]\n"));
  auto r = f.resolve(rel("[e, a]"));
  REQUIRE(r.rel);
  // e needs d; a needs c then b (b needs d, already placed).
  CHECK(r.order() == std::vector<std::string>{"kernel", "d", "e", "c", "b", "a"});
}

TEST_CASE("dependencies the spec omits are added as permanent and reported",
          "[release][resolver]") {
  fixture f;
  f.libs.add_app("a", "1", app("a", "1", "applications: [b]\n"));
  f.libs.add_app("b", "1", app("b", "1"));
  auto r = f.resolve(rel("[kernel, a]"));
  REQUIRE(r.rel);
  auto* b = r.rel->find("b");
  REQUIRE(b);
  CHECK(b->type == app_type::permanent);
  CHECK_FALSE(b->listed);
  CHECK(has_diagnostic(r.diags, {"note", "added 'b' 1 (needed by 'a')"}));
}

TEST_CASE("the highest version wins when the spec names none",
          "[release][resolver]") {
  fixture f;
  f.libs.add_app("a", "1.9", app("a", "1.9"));
  f.libs.add_app("a", "1.10", app("a", "1.10"));
  f.libs.add_app("a", "2.0-rc1", app("a", "2.0-rc1"));
  auto r = f.resolve(rel("[a]"));
  REQUIRE(r.rel);
  CHECK(r.rel->find("a")->manifest.vsn.text() == "2.0-rc1");
  auto pinned = f.resolve(rel("[{name: a, vsn: \"1.9\"}]"));
  REQUIRE(pinned.rel);
  CHECK(pinned.rel->find("a")->manifest.vsn.text() == "1.9");
}

TEST_CASE("lib dirs are searched in order and RELC_LIB_DIRS comes after --lib-dir",
          "[release][resolver]") {
  fixture f;
  lib_dir first{f.dir / "first"};
  lib_dir second{f.dir / "second"};
  first.add_app("a", "1", app("a", "1", "description: first\n"));
  second.add_app("a", "1", app("a", "1", "description: second\n"));
  auto r = f.resolve(rel("[a]"), {first.str(), second.str()});
  REQUIRE(r.rel);
  CHECK(r.rel->find("a")->manifest.description == "first");
  setenv("RELC_LIB_DIRS", (second.str() + ":" + first.str()).c_str(), 1);
  auto dirs = effective_lib_dirs({"/cli"}, "/builtin");
  unsetenv("RELC_LIB_DIRS");
  CHECK(dirs == std::vector<std::string>{"/cli", second.str(), first.str(),
                                         "/builtin"});
}

TEST_CASE("a missing app is reported with a hint", "[release][resolver]") {
  fixture f;
  f.libs.add_app("payment", "1", app("payment", "1"));
  auto r = f.resolve(rel("[pyment]"));
  CHECK_FALSE(r.rel);
  CHECK(has_diagnostic(r.diags, {"x.rel:3:16", "application 'pyment' not found",
                                 "did you mean 'payment'?"}));
}

TEST_CASE("a missing version lists the versions found", "[release][resolver]") {
  fixture f;
  f.libs.add_app("a", "1.0", app("a", "1.0"));
  f.libs.add_app("a", "1.1", app("a", "1.1"));
  auto r = f.resolve(rel("[{name: a, vsn: \"2.0\"}]"));
  CHECK(has_diagnostic(r.diags, {"'a' version 2.0 not found", "1.1, 1.0"}));
}

TEST_CASE("a missing dependency names who needs it", "[release][resolver]") {
  fixture f;
  f.libs.add_app("a", "1", app("a", "1", "applications: [ghost]\n"));
  auto r = f.resolve(rel("[a]"));
  CHECK(has_diagnostic(r.diags, {"a.app:4:", "'ghost' not found", "needed by 'a'"}));
}

TEST_CASE("a dependency cycle is reported with its path", "[release][resolver]") {
  fixture f;
  f.libs.add_app("a", "1", app("a", "1", "applications: [b]\n"));
  f.libs.add_app("b", "1", app("b", "1", "applications: [c]\n"));
  f.libs.add_app("c", "1", app("c", "1", "applications: [a]\n"));
  auto r = f.resolve(rel("[a]"));
  CHECK_FALSE(r.rel);
  CHECK(has_diagnostic(r.diags, {"dependency cycle: a -> b -> c -> a"}));
}

TEST_CASE("manifest name and version must match the directory",
          "[release][resolver]") {
  fixture f;
  f.libs.add_app("a", "1", app("b", "1"));
  f.libs.add_app("c", "2", app("c", "3"));
  auto r = f.resolve(rel("[a, c]"));
  CHECK(has_diagnostic(r.diags, {"names application 'b'", "directory says 'a'"}));
  CHECK(has_diagnostic(r.diags, {"vsn 3", "directory says 2"}));
}

TEST_CASE("optional apps are ordered first when present, ignored otherwise",
          "[release][resolver]") {
  fixture f;
  f.libs.add_app("core", "1", app("core", "1", "optional_applications: [x, y]\n"));
  f.libs.add_app("x", "1", app("x", "1"));
  f.libs.add_app("y", "1", app("y", "1"));
  auto r = f.resolve(rel("[core, x]"));
  REQUIRE(r.rel);
  CHECK(r.order() == std::vector<std::string>{"kernel", "x", "core"});
  CHECK(r.rel->find("core")->present_optional == std::vector<std::string>{"x"});
}

TEST_CASE("included apps are loaded (type load), not started",
          "[release][resolver]") {
  fixture f;
  f.libs.add_app("top", "1", app("top", "1", "included_applications: [inc]\n"));
  f.libs.add_app("inc", "1", app("inc", "1"));
  auto r = f.resolve(rel("[top]"));
  REQUIRE(r.rel);
  auto* inc = r.rel->find("inc");
  REQUIRE(inc);
  CHECK(inc->type == app_type::load);
  CHECK(inc->included_by == std::optional<std::string>{"top"});
  CHECK(r.order() == std::vector<std::string>{"kernel", "inc", "top"});
}

TEST_CASE("an app included by two apps is an error naming both",
          "[release][resolver]") {
  fixture f;
  f.libs.add_app("p", "1", app("p", "1", "included_applications: [inc]\n"));
  f.libs.add_app("q", "1", app("q", "1", "included_applications: [inc]\n"));
  f.libs.add_app("inc", "1", app("inc", "1"));
  auto r = f.resolve(rel("[p, q]"));
  CHECK(has_diagnostic(r.diags, {"'inc' is included by both 'p' and 'q'"}));
}

TEST_CASE("the spec's included list must be a subset of the manifest's",
          "[release][resolver]") {
  fixture f;
  f.libs.add_app("p", "1", app("p", "1", "included_applications: [inc]\n"));
  f.libs.add_app("inc", "1", app("inc", "1"));
  f.libs.add_app("other", "1", app("other", "1"));
  auto r = f.resolve(rel("[{name: p, included: [other]}]"));
  CHECK(has_diagnostic(r.diags, {"included 'other' is not in its manifest"}));
}

TEST_CASE("a release whose lib dirs have no kernel fails in one line, "
          "without a crash", "[release][resolver]") {
  // relc finds its built-in kernel beside itself (share/relc/lib); a copy
  // of relc without it once threw std::out_of_range from the start order.
  fixture f;
  f.libs.add_app("a", "1", app("a", "1"));
  auto r = f.resolve(rel("[a]"), {}, false);
  CHECK_FALSE(r.rel);
  REQUIRE(r.diags.error_count() == 1);
  for (auto& d : r.diags.items())
    if (d.level == severity::error)
      CHECK(d.message == "application 'kernel' not found in the lib dirs, "
                         "needed by every application");
}
