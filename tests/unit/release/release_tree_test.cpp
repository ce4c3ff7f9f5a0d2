#include <catch2/catch.hpp>

#include "relc/release/release_error.hpp"
#include "relc/release/release_tree.hpp"
#include "test_support.hpp"

using namespace relc::release;
using namespace relc::test;

TEST_CASE("paths that would leave the release root are refused",
          "[release][tree]") {
  release_tree tree;
  for (auto bad : {"../evil", "bin/../../evil", "/etc/passwd", "", "a//b",
                   "./x"}) {
    auto err = tree.add_content(bad, "x", 0644);
    INFO(bad);
    CHECK(err);
  }
  auto err = tree.add_content("etc/../../x", "x", 0644);
  CHECK(message_of(err).find("contains '..'") != std::string::npos);
  CHECK(message_of(err).find("outside the release root") != std::string::npos);
  CHECK(tree.entries().empty());
}

TEST_CASE("symlinks must point inside the tree", "[release][tree]") {
  release_tree tree;
  CHECK_FALSE(tree.add_symlink("lib/a/priv/data", "../../b/priv/data"));
  CHECK(tree.add_symlink("lib/a/priv/up", "../../../../outside"));
  CHECK(tree.add_symlink("lib/a/priv/abs", "/etc"));
}

TEST_CASE("nothing is written through a symlink", "[release][tree]") {
  release_tree tree;
  REQUIRE_FALSE(tree.add_symlink("etc", "lib"));
  auto err = tree.add_content("etc/passwd", "x", 0644);
  CHECK(message_of(err).find("goes through the symlink 'etc'")
        != std::string::npos);
}

TEST_CASE("a directory copy refuses symlinks that leave the tree",
          "[release][tree]") {
  temp_dir dir;
  write_file(dir / "priv" / "ok.txt", "fine");
  fs::create_symlink("/etc/passwd", dir / "priv" / "passwd");
  release_tree tree;
  auto err = tree.add_directory_copy("lib/a-1/priv", (dir / "priv").string());
  REQUIRE(err);
  CHECK(message_of(err).find("priv/passwd") != std::string::npos);
  CHECK(message_of(err).find("absolute path '/etc/passwd'") != std::string::npos);
}

TEST_CASE("parents are implied and entries come out sorted", "[release][tree]") {
  release_tree tree;
  REQUIRE_FALSE(tree.add_content("z/file", "1", 0644));
  REQUIRE_FALSE(tree.add_content("a/b/c", "2", 0755));
  std::vector<std::string> paths;
  for (auto& [path, entry] : tree.entries())
    paths.push_back(path);
  CHECK(paths == std::vector<std::string>{"a", "a/b", "a/b/c", "z", "z/file"});
  CHECK(tree.entries().at("a").type == tree_entry::kind::directory);
}
