#include <catch2/catch.hpp>

#include "relc/runtime/boot_file.hpp"
#include "relc/runtime/runtime_error.hpp"

using relc::term;

TEST_CASE("boot files round-trip every kind of term", "[runtime][boot_file]") {
  term t = term::map{{"i", int64_t{-1234567890123}}, {"r", -0.125},
                     {"s", std::string("a\0b", 3)}, {"b", false}, {"n", term{}},
                     {"l", term::list{term::list{}, term::map{}, 0}}};
  auto bytes = relc::encode_boot_file(t);
  CHECK(bytes.substr(0, 8) == "RELCBOOT");
  auto back = relc::decode_boot_file(bytes);
  REQUIRE(back);
  CHECK(*back == t);
}

TEST_CASE("corrupt boot files are errors with a byte offset",
          "[runtime][boot_file]") {
  term t = term::map{{"apps", term::list{"a", "b"}}};
  auto bytes = relc::encode_boot_file(t);
  CHECK_FALSE(relc::decode_boot_file("garbage"));
  auto wrong_format = bytes;
  wrong_format[8] = 9;
  auto e1 = relc::decode_boot_file(wrong_format);
  REQUIRE_FALSE(e1);
  CHECK(relc::describe_error(e1.error()).find("format 9") != std::string::npos);
  for (size_t cut = 12; cut < bytes.size(); ++cut)
    CHECK_FALSE(relc::decode_boot_file(bytes.substr(0, cut)));
  auto e2 = relc::decode_boot_file(bytes + "x");
  REQUIRE_FALSE(e2);
  CHECK(relc::describe_error(e2.error()).find("trailing data at byte")
        != std::string::npos);
  auto huge = bytes.substr(0, 12) + "\x06\xff\xff\xff\xff\x0f";
  CHECK_FALSE(relc::decode_boot_file(huge)); // no giant allocation
}
