#include <catch2/catch.hpp>

#include "placement.hpp"

using namespace relc;

TEST_CASE("a distributed app runs on the first live node of its list, and "
          "stays within a group of equal priority", "[dist][placement]") {
  dist_app app;
  app.name = "p";
  app.groups = {{"n1"}, {"n2", "n3"}};
  CHECK(preferred_node(app, {"n1", "n2", "n3"}, "") == "n1");
  CHECK(preferred_node(app, {"n2", "n3"}, "") == "n2");
  CHECK(preferred_node(app, {"n3"}, "") == "n3");
  // n3 runs it: n2 is of equal priority, no move; n1 is higher: takeover.
  CHECK(preferred_node(app, {"n2", "n3"}, "n3") == "n3");
  CHECK(preferred_node(app, {"n1", "n2", "n3"}, "n3") == "n1");
  CHECK(preferred_node(app, {"n4"}, "") == "");
  CHECK(app.priority("n1") == 0);
  CHECK(app.priority("n3") == 1);
  CHECK(app.priority("n4") == -1);
}
