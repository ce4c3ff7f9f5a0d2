#include <catch2/catch.hpp>

#include "relc/runtime/term.hpp"

using relc::term;

TEST_CASE("terms hold typed values and render as YAML flow", "[runtime][term]") {
  term m = term::map{{"port", 8080}, {"name", "shop: main"}, {"on", true},
                     {"r", 0.5}, {"l", term::list{1, "2", term{}}}};
  CHECK(m.find("port")->as_integer() == 8080);
  CHECK(m.find("missing") == nullptr);
  CHECK(m.to_string()
        == "{port: 8080, name: \"shop: main\", on: true, r: 0.5, l: [1, \"2\", null]}");
  m.set("port", 9090);
  CHECK(m.find("port")->as_integer() == 9090);
  term fresh;
  fresh.set("a", 1);
  CHECK(fresh.is_map());
  CHECK(term{2.0}.to_string() == "2.0"); // stays a real when read back
  CHECK(term{"true"}.to_string() == "\"true\"");
}
