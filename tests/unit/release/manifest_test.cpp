#include <catch2/catch.hpp>

#include "relc/release/manifest.hpp"
#include "test_support.hpp"

using namespace relc::release;
using namespace relc::test;

namespace {

struct loaded {
  caf::expected<app_manifest> manifest{caf::error{}};
  diagnostics diags;
};

loaded load(const std::string& text) {
  static temp_dir dir;
  auto path = dir / "app.app";
  write_file(path, text);
  loaded result;
  result.manifest = load_app_manifest(path.string(), result.diags);
  return result;
}

} // namespace

TEST_CASE("a full manifest loads with every key", "[release][manifest]") {
  auto r = load(R"(application: shop
vsn: "2.1.0-rc1"
description: a shop
id: SHOP
modules: [cart, till]
registered: [shop_srv]
applications: [db]
optional_applications: [metrics]
included_applications: [payment]
env: {port: 8080, ratio: 0.5, name: "x", flags: [a, b], on: true}
mod: {module: shop_app, args: [1, two]}
start_phases:
  - init: {verbose: true}
  - go
library: libshop_impl.so
)");
  REQUIRE(r.manifest);
  auto& m = *r.manifest;
  CHECK(m.name == "shop");
  CHECK(m.vsn.text() == "2.1.0-rc1");
  CHECK(m.modules == std::vector<std::string>{"cart", "till"});
  CHECK(m.included_applications == std::vector<std::string>{"payment"});
  CHECK(m.env.find("port")->as_integer() == 8080);
  CHECK(m.env.find("ratio")->as_real() == 0.5);
  CHECK(m.env.find("name")->as_string() == "x");
  CHECK(m.env.find("on")->as_bool());
  REQUIRE(m.mod);
  CHECK(m.mod->module == "shop_app");
  REQUIRE(m.start_phases);
  CHECK(m.start_phases->size() == 2);
  CHECK((*m.start_phases)[0].name == "init");
  CHECK((*m.start_phases)[1].name == "go");
  CHECK(m.library == std::optional<std::string>{"libshop_impl.so"});
  CHECK(r.diags.items().empty());
}

TEST_CASE("manifest defaults: lib<app>.so, empty lists, no callback",
          "[release][manifest]") {
  auto r = load("application: tiny\nvsn: \"1\"\n");
  REQUIRE(r.manifest);
  CHECK(r.manifest->library == std::optional<std::string>{"libtiny.so"});
  CHECK(r.manifest->modules.empty());
  CHECK_FALSE(r.manifest->mod);
  CHECK_FALSE(r.manifest->start_phases);
  auto none = load("application: tiny\nvsn: \"1\"\nlibrary: none\n");
  REQUIRE(none.manifest);
  CHECK_FALSE(none.manifest->library);
}

TEST_CASE("manifest errors name file, line, column, key, expected and found",
          "[release][manifest]") {
  SECTION("missing required key") {
    auto r = load("application: x\n");
    CHECK_FALSE(r.manifest);
    CHECK(has_diagnostic(r.diags, {"app.app:1:1", "missing required key 'vsn'"}));
  }
  SECTION("wrong type") {
    auto r = load("application: x\nvsn: \"1\"\nmodules: {a: 1}\n");
    CHECK_FALSE(r.manifest);
    CHECK(has_diagnostic(r.diags, {"app.app:3:10", "key 'modules'",
                                   "expected a list of names",
                                   "found a mapping"}));
  }
  SECTION("bad name") {
    auto r = load("application: Shop-1\nvsn: \"1\"\n");
    CHECK(has_diagnostic(r.diags, {"app.app:1:14", "key 'application'",
                                   "[a-z][a-z0-9_]*", "found 'Shop-1'"}));
  }
  SECTION("bad version") {
    auto r = load("application: x\nvsn: one\n");
    CHECK(has_diagnostic(r.diags, {"app.app:2:6", "key 'vsn'",
                                   "expected a version", "found 'one'"}));
  }
  SECTION("env must be a mapping") {
    auto r = load("application: x\nvsn: \"1\"\nenv: [1]\n");
    CHECK(has_diagnostic(r.diags, {"app.app:3:6", "key 'env'", "a list"}));
  }
  SECTION("mod needs a module") {
    auto r = load("application: x\nvsn: \"1\"\nmod: {args: 1}\n");
    CHECK(has_diagnostic(r.diags, {"'mod'", "missing required key 'module'"}));
  }
  SECTION("start_phases entries are one-key mappings") {
    auto r = load("application: x\nvsn: \"1\"\nstart_phases:\n  - {a: 1, b: 2}\n");
    CHECK(has_diagnostic(r.diags, {"app.app:4:5", "key 'start_phases'",
                                   "one-key mappings"}));
  }
  SECTION("duplicate phase") {
    auto r = load("application: x\nvsn: \"1\"\nstart_phases: [go, go]\n");
    CHECK(has_diagnostic(r.diags, {"phase 'go' is listed twice"}));
  }
  SECTION("library must stay under lib/") {
    auto r = load("application: x\nvsn: \"1\"\nlibrary: ../../evil.so\n");
    CHECK(has_diagnostic(r.diags, {"app.app:3:10", "key 'library'", "no '/'"}));
  }
  SECTION("invalid YAML") {
    auto r = load("application: [x\nvsn: 1\n");
    CHECK_FALSE(r.manifest);
    CHECK(has_diagnostic(r.diags, {"app.app:", "invalid YAML"}));
  }
  SECTION("every problem is reported in one run") {
    auto r = load("application: X\nvsn: bad\nmodules: 3\nregistered: {}\n");
    CHECK(r.diags.error_count() == 4);
  }
}

TEST_CASE("unknown manifest keys warn and do not fail", "[release][manifest]") {
  auto r = load("application: x\nvsn: \"1\"\nmaintainer: me\n");
  REQUIRE(r.manifest);
  CHECK(r.diags.warning_count() == 1);
  CHECK(has_diagnostic(r.diags, {"app.app:3:1", "unknown key 'maintainer'"}));
}

TEST_CASE("a missing manifest file is an error naming it", "[release][manifest]") {
  diagnostics diags;
  auto m = load_app_manifest("/nonexistent/x.app", diags);
  CHECK_FALSE(m);
  CHECK(has_diagnostic(diags, {"/nonexistent/x.app", "cannot read file"}));
}

TEST_CASE("a key written twice is an error at its second place",
          "[release][manifest]") {
  auto r = load("application: x\nvsn: \"1\"\nmodules: [a]\nmodules: [b]\n");
  CHECK_FALSE(r.manifest);
  CHECK(has_diagnostic(r.diags, {"app.app:4:1", "key 'modules' appears twice"}));
}
