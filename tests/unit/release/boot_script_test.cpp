#include <catch2/catch.hpp>

#include "relc/release/boot_script.hpp"
#include "relc/release/pipeline.hpp"
#include "relc/runtime/boot_file.hpp"
#include "relc/runtime/sha256.hpp"
#include "test_support.hpp"
#include "yaml_document.hpp"

using namespace relc::release;
using namespace relc::test;

namespace {

checked_release example(temp_dir& dir, lib_dir& libs) {
  libs.add_app("a", "1.2",
               manifest("a", "1.2",
                        "modules: [alpha, beta]\nmod: {module: fixture_app, args: [x]}\n"
                        "included_applications: [b]\n"
                        "start_phases: [{init: {n: 1}}, go]\n"
                        "env: {port: 80, name: \"shop: main\", r: 0.25, l: [1, \"2\"]}\n"),
               RELC_TEST_FIXTURE_APP);
  libs.add_app("b", "1", manifest("b", "1", "library: none\n"));
  write_file(dir / "x.rel", "release: x\nvsn: \"3\"\napplications: [kernel, a]\n");
  diagnostics diags;
  auto checked = check_release_spec((dir / "x.rel").string(),
                                    test_toolchain({libs.str()}),
                                    warning_policy::allow, diags);
  INFO(dump(diags));
  REQUIRE(checked);
  return std::move(*checked);
}

} // namespace

TEST_CASE("the boot script carries apps in order with everything to boot",
          "[release][boot_script]") {
  temp_dir dir;
  lib_dir libs{dir / "lib"};
  auto checked = example(dir, libs);
  auto script = make_boot_script(checked.rel, checked.libraries, "0.1.0");
  auto& apps = script.find("apps")->as_list();
  REQUIRE(apps.size() == 3);
  CHECK(apps[0].find("name")->as_string() == "kernel");
  CHECK(apps[1].find("name")->as_string() == "b");
  CHECK(apps[1].find("type")->as_string() == "load");
  CHECK(apps[1].find("included_by")->as_string() == "a");
  auto& a = apps[2];
  CHECK(a.find("type")->as_string() == "permanent");
  auto* lib = a.find("library");
  REQUIRE(lib);
  CHECK(lib->find("path")->as_string() == "lib/a-1.2/lib/liba.so");
  CHECK(lib->find("sha256")->as_string()
        == relc::sha256::of(read_file(RELC_TEST_FIXTURE_APP)));
  CHECK(a.find("env")->find("port")->as_integer() == 80);
  CHECK(a.find("start_phases")->as_list().size() == 2);
  CHECK(a.find("included_applications")->as_list().size() == 1);
  CHECK(a.find("mod")->find("module")->as_string() == "fixture_app");
}

TEST_CASE("the .boot file decodes to the same script", "[release][boot_script]") {
  temp_dir dir;
  lib_dir libs{dir / "lib"};
  auto checked = example(dir, libs);
  auto script = make_boot_script(checked.rel, checked.libraries, "0.1.0");
  auto decoded = relc::decode_boot_file(relc::encode_boot_file(script));
  REQUIRE(decoded);
  CHECK(*decoded == script);
}

TEST_CASE("the readable .script parses back to the same script",
          "[release][boot_script]") {
  temp_dir dir;
  lib_dir libs{dir / "lib"};
  auto checked = example(dir, libs);
  auto script = make_boot_script(checked.rel, checked.libraries, "0.1.0");
  auto text = render_script(script);
  INFO(text);
  auto node = YAML::Load(text);
  CHECK(to_term(node) == script);
}
