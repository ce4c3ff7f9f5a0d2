#include <catch2/catch.hpp>

#include "relc/release/app_index.hpp"
#include "test_support.hpp"

using namespace relc::release;
using namespace relc::test;

TEST_CASE("the app index reads <app>-<vsn> directories and skips the rest",
          "[release][app_index]") {
  temp_dir dir;
  lib_dir libs{dir / "lib"};
  libs.add_app("a", "1.0", manifest("a", "1.0"));
  libs.add_app("a", "1.2", manifest("a", "1.2"));
  fs::create_directories(dir / "lib" / "notes");
  fs::create_directories(dir / "lib" / "b-latest");
  write_file(dir / "lib" / "c-1.0", "a file, not an app dir");
  diagnostics diags;
  auto index = app_index::scan({libs.str()}, diags);
  CHECK(diags.items().empty());
  REQUIRE(index.versions_of("a").size() == 2);
  CHECK(index.find("a", std::nullopt)->vsn.text() == "1.2");
  CHECK(index.versions_of("b").empty());
  CHECK(index.versions_of("c").empty());
}

TEST_CASE("a lib dir that does not exist is an error naming it",
          "[release][app_index]") {
  diagnostics diags;
  auto index = app_index::scan({"/nonexistent/libs"}, diags);
  CHECK(has_diagnostic(diags, {"/nonexistent/libs", "cannot read lib dir"}));
}
