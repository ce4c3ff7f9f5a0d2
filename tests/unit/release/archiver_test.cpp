#include <catch2/catch.hpp>

#include <cstdlib>

#include "relc/release/archiver.hpp"
#include "test_support.hpp"

using namespace relc::release;
using namespace relc::test;

namespace {

release_tree sample(const temp_dir& dir) {
  write_file(dir / "src.bin", std::string(100000, 'x') + "tail");
  release_tree tree;
  REQUIRE_FALSE(tree.add_file("lib/a-1/lib/liba.so", (dir / "src.bin").string(), 0644));
  REQUIRE_FALSE(tree.add_content("bin/a", "#!/bin/sh\n", 0755));
  REQUIRE_FALSE(tree.add_symlink("lib/a-1/priv", "../a-1/lib"));
  REQUIRE_FALSE(tree.add_content(std::string(120, 'p') + "/long", "x", 0644));
  return tree;
}

} // namespace

TEST_CASE("archives of the same tree are byte-identical", "[release][archive]") {
  temp_dir dir;
  auto tree = sample(dir);
  REQUIRE_FALSE(write_archive(tree, (dir / "1.tar.gz").string(), 0));
  fs::last_write_time(dir / "src.bin", fs::file_time_type::clock::now());
  REQUIRE_FALSE(write_archive(tree, (dir / "2.tar.gz").string(), 0));
  CHECK(read_file(dir / "1.tar.gz") == read_file(dir / "2.tar.gz"));
  auto bytes = read_file(dir / "1.tar.gz");
  // gzip header: magic, deflate, and a zero MTIME field (bytes 4..7).
  REQUIRE(bytes.size() > 10);
  CHECK(static_cast<unsigned char>(bytes[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(bytes[1]) == 0x8b);
  CHECK(bytes.substr(4, 4) == std::string(4, '\0'));
}

TEST_CASE("the archive lists sorted entries owned by root with fixed times",
          "[release][archive]") {
  temp_dir dir;
  REQUIRE_FALSE(write_archive(sample(dir), (dir / "a.tar.gz").string(), 1234567890));
  auto r = run_process({"/bin/tar", "--numeric-owner", "--full-time", "-tvzf",
                        (dir / "a.tar.gz").string()},
                       {"TZ=UTC"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("0/0") != std::string::npos);
  CHECK(r.out.find("2009-02-13 23:31:30") != std::string::npos);
  CHECK(r.out.find("lib/a-1/priv -> ../a-1/lib") != std::string::npos);
  CHECK(r.out.find("-rwxr-xr-x 0/0") != std::string::npos);
  CHECK(r.out.find(std::string(120, 'p') + "/long") != std::string::npos);
  auto bin = r.out.find("bin/a");
  auto lib = r.out.find("lib/a-1/lib/liba.so");
  CHECK(bin < lib);
}

TEST_CASE("SOURCE_DATE_EPOCH sets the archive time", "[release][archive]") {
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  CHECK(archive_mtime() == 1700000000);
  setenv("SOURCE_DATE_EPOCH", "garbage", 1);
  CHECK(archive_mtime() == 0);
  unsetenv("SOURCE_DATE_EPOCH");
  CHECK(archive_mtime() == 0);
}
