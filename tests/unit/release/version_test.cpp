#include <catch2/catch.hpp>

#include "relc/release/version.hpp"

using relc::release::version;

namespace {
version v(const std::string& s) {
  auto x = version::parse(s);
  REQUIRE(x);
  return *x;
}
} // namespace

TEST_CASE("versions compare part by part as integers", "[release][version]") {
  CHECK(v("1.10") > v("1.9"));
  CHECK(v("17.1.3.1") > v("17.1.3"));
  CHECK(v("2.0") < v("10.0"));
  CHECK(v("0.1") < v("1"));
}

TEST_CASE("trailing zero parts do not change a version", "[release][version]") {
  CHECK(v("17.1.0") == v("17.1"));
  CHECK(v("1.0.0.0") == v("1"));
  CHECK(v("1.0.0").text() == "1.0.0"); // the text stays as written
}

TEST_CASE("a pre-release sorts before its release", "[release][version]") {
  CHECK(v("2.0.0-rc1") < v("2.0.0"));
  CHECK(v("2.0.0-rc1") > v("1.9"));
  CHECK(v("2.0-rc2") < v("2.0-rc10"));
  CHECK(v("2.0-alpha") < v("2.0-beta"));
}

TEST_CASE("malformed versions are rejected", "[release][version]") {
  for (auto bad : {"", "a", "1.", ".1", "1..2", "1.x", "1.0-", "-rc1", "1.0-r c",
                   "1.2.3a"})
    CHECK_FALSE(version::parse(bad));
}
