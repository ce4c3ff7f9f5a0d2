#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "relc/release/release_writer.hpp"
#include "test_support.hpp"

using namespace relc::release;
using namespace relc::test;

namespace {

release_tree sample(const std::string& text) {
  release_tree tree;
  REQUIRE_FALSE(tree.add_content("bin/run", "#!/bin/sh\n" + text, 0755));
  REQUIRE_FALSE(tree.add_content("releases/1/x.txt", text, 0644));
  REQUIRE_FALSE(tree.add_symlink("current", "releases/1"));
  return tree;
}

publish_options options(const temp_dir& dir) {
  publish_options o;
  o.out_dir = (dir / "out").string();
  o.rel_name = "x";
  o.tarball = "x-1.tar.gz";
  return o;
}

bool has_leftovers(const fs::path& out) {
  for (auto& e : fs::directory_iterator{out})
    if (e.path().filename().string().find(".building-") != std::string::npos)
      return true;
  return false;
}

} // namespace

TEST_CASE("a release is written with the modes of the plan",
          "[release][writer]") {
  temp_dir dir;
  REQUIRE_FALSE(publish_release(sample("one"), options(dir)));
  auto root = dir / "out" / "x";
  CHECK(read_file(root / "releases/1/x.txt") == "one");
  struct stat st;
  REQUIRE(stat((root / "bin/run").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0755);
  CHECK(fs::read_symlink(root / "current") == "releases/1");
  CHECK(fs::exists(dir / "out" / "x-1.tar.gz"));
  CHECK_FALSE(has_leftovers(dir / "out"));
}

TEST_CASE("a rebuild replaces the previous release whole", "[release][writer]") {
  temp_dir dir;
  REQUIRE_FALSE(publish_release(sample("one"), options(dir)));
  write_file(dir / "out" / "x" / "stale", "from an older build");
  REQUIRE_FALSE(publish_release(sample("two"), options(dir)));
  CHECK(read_file(dir / "out" / "x" / "releases/1/x.txt") == "two");
  CHECK_FALSE(fs::exists(dir / "out" / "x" / "stale"));
  CHECK_FALSE(has_leftovers(dir / "out"));
}

TEST_CASE("a cancelled build leaves the previous release and no temporaries",
          "[release][writer]") {
  temp_dir dir;
  REQUIRE_FALSE(publish_release(sample("one"), options(dir)));
  auto tarball = dir / "out" / "x-1.tar.gz";
  auto digest = file_digest(tarball);
  std::atomic<bool> cancelled{true};
  auto o = options(dir);
  o.cancelled = &cancelled;
  auto err = publish_release(sample("two"), o);
  CHECK(err);
  CHECK(read_file(dir / "out" / "x" / "releases/1/x.txt") == "one");
  CHECK(file_digest(tarball) == digest);
  CHECK_FALSE(has_leftovers(dir / "out"));
}

TEST_CASE("a failing write (unreadable source) leaves nothing behind",
          "[release][writer]") {
  temp_dir dir;
  REQUIRE_FALSE(publish_release(sample("one"), options(dir)));
  auto digest = file_digest(dir / "out" / "x-1.tar.gz");
  release_tree tree = sample("two");
  REQUIRE_FALSE(tree.add_file("lib/gone.so", (dir / "missing.so").string(), 0644));
  auto err = publish_release(tree, options(dir));
  CHECK(err);
  CHECK(read_file(dir / "out" / "x" / "releases/1/x.txt") == "one");
  CHECK(file_digest(dir / "out" / "x-1.tar.gz") == digest);
  CHECK_FALSE(has_leftovers(dir / "out"));
}

TEST_CASE("leftovers of a killed build are removed by the next one",
          "[release][writer]") {
  temp_dir dir;
  // pid 999999999 cannot exist: its build is dead.
  fs::create_directories(dir / "out" / ".x.building-999999999" / "bin");
  write_file(dir / "out" / ".x-1.tar.gz.building-999999999", "partial");
  REQUIRE_FALSE(publish_release(sample("one"), options(dir)));
  CHECK_FALSE(has_leftovers(dir / "out"));
}
