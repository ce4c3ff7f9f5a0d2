#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include "global_table.hpp"

using namespace relc;

namespace {

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::vector<caf::actor> actors;
  caf::actor spawn_idle() {
    actors.push_back(
      sys.spawn([]() -> caf::behavior { return {[](int x) { return x; }}; }));
    return actors.back();
  }
  ~fixture() {
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::kill);
  }
};

} // namespace

TEST_CASE("a name held twice keeps the holder on the node that sorts first, "
          "whichever announcement comes first", "[dist][global]") {
  fixture f;
  auto on_a = f.spawn_idle(), on_b = f.spawn_idle();
  SECTION("b's own holder, then a's announcement") {
    global_table t{"b"};
    CHECK(t.add("svc", {on_b, "b"}).added);
    auto r = t.add("svc", {on_a, "a"});
    CHECK(r.added);
    CHECK(r.conflict);
    CHECK(r.loser.node == "b");
    CHECK(r.loser.actor == on_b);
    CHECK(t.find("svc")->actor == on_a);
    CHECK(t.owned().empty());
  }
  SECTION("a's own holder, then b's announcement") {
    global_table t{"a"};
    CHECK(t.add("svc", {on_a, "a"}).added);
    auto r = t.add("svc", {on_b, "b"});
    CHECK_FALSE(r.added);
    CHECK(r.conflict);
    CHECK(r.loser.node == "b");
    CHECK(t.find("svc")->actor == on_a);
    CHECK(t.owned().size() == 1);
  }
  SECTION("the same holder announced again is no conflict") {
    global_table t{"c"};
    t.add("svc", {on_a, "a"});
    auto r = t.add("svc", {on_a, "a"});
    CHECK(r.added);
    CHECK_FALSE(r.conflict);
  }
}

TEST_CASE("names go with their actor or their node", "[dist][global]") {
  fixture f;
  auto mine = f.spawn_idle(), theirs = f.spawn_idle();
  global_table t{"a"};
  t.add("x", {mine, "a"});
  t.add("y", {mine, "a"});
  t.add("z", {theirs, "b"});
  CHECK(t.render() == "x a\ny a\nz b\n");
  // Only this node's names go with a local actor's down message.
  CHECK(t.remove_actor(theirs.address()).empty());
  CHECK(t.remove_actor(mine.address()) == std::vector<std::string>{"x", "y"});
  CHECK(t.render() == "z b\n");
  // A removal names its owner: another node cannot take it away.
  CHECK_FALSE(t.remove("z", "c"));
  t.add("w", {theirs, "b"});
  t.remove_node("b");
  CHECK(t.render().empty());
}
