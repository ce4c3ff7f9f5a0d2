#include <catch2/catch.hpp>

#include "relc/release/release_spec.hpp"
#include "test_support.hpp"

using namespace relc::release;
using namespace relc::test;

namespace {

struct loaded {
  caf::expected<release_spec> spec{caf::error{}};
  diagnostics diags;
};

loaded load(const std::string& text) {
  static temp_dir dir;
  auto path = dir / "shop.rel";
  write_file(path, text);
  loaded result;
  result.spec = load_release_spec(path.string(), result.diags);
  return result;
}

} // namespace

TEST_CASE("a release spec loads with every key", "[release][spec]") {
  auto r = load(R"(release: shop
vsn: "1.2"
runtime: "0.1.0"
applications:
  - kernel
  - {name: db, vsn: "2.0", type: transient}
  - {name: web, type: temporary, included: [static]}
  - {name: tools, type: load}
sys_config: config/sys.config
node_args: config/node.args
include_runtime: false
boot:
  init: [net, {call: fw_hooks.mark_booted, args: [1]}]
  main: web
  handler: {module: restart_handler}
  shutdown_timer: 1000
  restart_limit: {max: 4, period: 2000, exceeded: give_up}
  recovery_after: 5
overlays:
  - {copy: files/motd, to: etc/motd}
  - {template: files/vm.args.in, to: etc/vm.args}
)");
  REQUIRE(r.spec);
  auto& s = *r.spec;
  CHECK(s.name == "shop");
  CHECK(s.apps.size() == 4);
  CHECK(s.apps[1].vsn->text() == "2.0");
  CHECK(s.apps[1].type == app_type::transient);
  CHECK(s.apps[2].included == std::optional<std::vector<std::string>>{{"static"}});
  CHECK(s.apps[3].type == app_type::load);
  CHECK_FALSE(s.include_runtime);
  CHECK(s.sys_config->find("config/sys.config") != std::string::npos);
  REQUIRE(s.boot);
  CHECK(s.boot->init.size() == 2);
  CHECK(s.boot->init[1].app == "fw_hooks");
  CHECK(s.boot->init[1].function == "mark_booted");
  CHECK(s.boot->main == std::optional<std::string>{"web"});
  CHECK(s.boot->shutdown_timer == 1000);
  CHECK(s.boot->max_restarts == 4);
  CHECK(s.boot->restart_period == 2000);
  CHECK(s.boot->give_up);
  CHECK(s.boot->recovery_after == 5);
  REQUIRE(s.overlays.size() == 2);
  CHECK(s.overlays[1].action == overlay::kind::template_file);
  CHECK(s.overlays[0].destination == "etc/motd");
}

TEST_CASE("release spec errors name the place and the culprit",
          "[release][spec]") {
  SECTION("missing applications") {
    auto r = load("release: shop\nvsn: \"1\"\n");
    CHECK(has_diagnostic(r.diags, {"shop.rel:1:1", "'applications'"}));
  }
  SECTION("unknown type") {
    auto r = load("release: shop\nvsn: \"1\"\napplications:\n  - {name: a, type: forever}\n");
    CHECK(has_diagnostic(r.diags, {"shop.rel:4:21", "key 'type'",
                                   "permanent, transient", "found 'forever'"}));
  }
  SECTION("application listed twice") {
    auto r = load("release: shop\nvsn: \"1\"\napplications: [a, b, a]\n");
    CHECK(has_diagnostic(r.diags, {"application 'a' is listed twice"}));
  }
  SECTION("overlay with both actions") {
    auto r = load("release: s\nvsn: \"1\"\napplications: [a]\noverlays:\n  - {copy: x, template: y, to: z}\n");
    CHECK(has_diagnostic(r.diags, {"shop.rel:5:5", "exactly one of 'copy' or 'template'"}));
  }
  SECTION("boot call must be APP.FUNCTION") {
    auto r = load("release: s\nvsn: \"1\"\napplications: [a]\nboot:\n  init: [{call: nodot}]\n");
    CHECK(has_diagnostic(r.diags, {"key 'call'", "APP.FUNCTION", "found 'nodot'"}));
  }
  SECTION("shutdown_timer must be positive") {
    auto r = load("release: s\nvsn: \"1\"\napplications: [a]\nboot: {shutdown_timer: -5}\n");
    CHECK(has_diagnostic(r.diags, {"key 'shutdown_timer'", "positive"}));
  }
  SECTION("restart_limit's exceeded is halt or give_up") {
    auto r = load("release: s\nvsn: \"1\"\napplications: [a]\n"
                  "boot: {restart_limit: {max: 2, exceeded: retry}}\n");
    CHECK(has_diagnostic(r.diags, {"shop.rel:4:42", "key 'exceeded'",
                                   "halt or give_up", "found 'retry'"}));
  }
  SECTION("recovery_after is a count") {
    auto r = load("release: s\nvsn: \"1\"\napplications: [a]\nboot: {recovery_after: -1}\n");
    CHECK(has_diagnostic(r.diags, {"key 'recovery_after'", "failed boots"}));
  }
  SECTION("include_runtime must be a boolean") {
    auto r = load("release: s\nvsn: \"1\"\napplications: [a]\ninclude_runtime: maybe\n");
    CHECK(has_diagnostic(r.diags, {"shop.rel:4:18", "true or false", "found 'maybe'"}));
  }
}

TEST_CASE("unknown release keys warn", "[release][spec]") {
  auto r = load("release: s\nvsn: \"1\"\napplications: [a]\nerts: yes\n");
  REQUIRE(r.spec);
  CHECK(has_diagnostic(r.diags, {"warning", "unknown key 'erts'"}));
}

TEST_CASE("start: is sequential or parallel", "[release]") {
  relc::test::temp_dir dir;
  for (auto [value, ok, parallel] :
       std::vector<std::tuple<std::string, bool, bool>>{
         {"sequential", true, false}, {"parallel", true, true}, {"fast", false, false}}) {
    INFO(value);
    relc::test::write_file(dir / "x.rel", "release: x\nvsn: \"1\"\napplications: [kernel]\n"
                                          "start: " + value + "\n");
    relc::release::diagnostics diags;
    auto spec = relc::release::load_release_spec((dir / "x.rel").string(), diags);
    CHECK(static_cast<bool>(spec) == ok);
    if (spec)
      CHECK(spec->parallel_start == parallel);
    else
      CHECK(relc::test::has_diagnostic(diags, {"x.rel:4:8", "start", "sequential or parallel", "'fast'"}));
  }
}
