#include <catch2/catch.hpp>

#include <elf.h>

#include "relc/release/elf_file.hpp"
#include "test_support.hpp"

using namespace relc::release;
using namespace relc::test;

TEST_CASE("ELF reading finds exports, needed libraries and runpath",
          "[release][elf]") {
  auto info = parse_elf(read_file(RELC_TEST_USES_VENDORED));
  REQUIRE(info);
  CHECK(info->is_shared_object);
  CHECK(info->machine == host_elf_machine());
  CHECK(info->exports.count("relc_module__user") == 1);
  CHECK(info->exports.count("vendored_answer") == 0); // undefined here
  CHECK(std::find(info->needed.begin(), info->needed.end(), "libvendored.so")
        != info->needed.end());
  CHECK(std::find(info->runpath.begin(), info->runpath.end(), "$ORIGIN")
        != info->runpath.end());
}

TEST_CASE("hidden symbols are not exports", "[release][elf]") {
  auto info = parse_elf(read_file(RELC_TEST_FIXTURE_APP));
  REQUIRE(info);
  CHECK(info->exports.count("relc_module__alpha") == 1);
  CHECK(info->exports.count("relc_application__fixture_app") == 1);
  for (auto& name : info->exports)
    CHECK(name.find("make_worker") == std::string::npos);
}

TEST_CASE("truncated or garbage input is an error, never a crash",
          "[release][elf]") {
  auto bytes = read_file(RELC_TEST_FIXTURE_APP);
  CHECK_FALSE(parse_elf(""));
  CHECK_FALSE(parse_elf("not an elf file at all"));
  for (size_t cut : {size_t{16}, size_t{63}, size_t{64}, bytes.size() / 2,
                     bytes.size() - 1}) {
    auto r = parse_elf(bytes.substr(0, cut));
    // A prefix either fails cleanly or, if it still holds every table the
    // reader needs, parses; it must never read out of bounds (ASan-clean).
    (void) r;
  }
  auto corrupt = bytes;
  // Point the section header table past the end of the file.
  corrupt[0x28] = static_cast<char>(0xff);
  corrupt[0x29] = static_cast<char>(0xff);
  corrupt[0x2a] = static_cast<char>(0xff);
  CHECK_FALSE(parse_elf(corrupt));
}
