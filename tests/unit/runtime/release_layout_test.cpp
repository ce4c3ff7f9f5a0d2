// RELEASES' text: what relc writes, the YAML parser reads the same, and
// the quick scan a boot uses reads the states of exactly that shape and
// gives up on anything else (so the YAML parser reads it).
#include <catch2/catch.hpp>

#include "relc/runtime/release_layout.hpp"
#include "relc/runtime/term.hpp"

using namespace relc;
using namespace relc::layout;

namespace {

std::vector<release_row> two_releases() {
  return {{"bsc", "1.0.0", "0.1.0", release_state::permanent,
           {"kernel-0.1.0", "bsc-1.0.0"}},
          {"bsc", "1.1.0-rc.1+build.7", "0.2.0", release_state::current,
           {"kernel-0.1.0", "bsc-1.1.0"}}};
}

using states = std::vector<std::pair<std::string, std::string>>;

} // namespace

TEST_CASE("relc's RELEASES text reads the same as YAML and through the scan",
          "[release_layout]") {
  auto text = releases_text(two_releases());
  auto parsed = parse_yaml_term(text, "RELEASES");
  REQUIRE(parsed.ok);
  REQUIRE(parsed.value.as_list().size() == 2);
  auto& second = parsed.value.as_list()[1];
  CHECK(second.find("vsn")->as_string() == "1.1.0-rc.1+build.7");
  CHECK(second.find("runtime")->as_string() == "0.2.0");
  CHECK(second.find("state")->as_string() == "current");
  CHECK(second.find("apps")->as_list().size() == 2);
  auto scanned = scan_release_states(text);
  REQUIRE(scanned);
  CHECK(*scanned == states{{"1.0.0", "permanent"}, {"1.1.0-rc.1+build.7", "current"}});
}

TEST_CASE("the scan gives up on any other shape of RELEASES", "[release_layout]") {
  auto text = releases_text(two_releases());
  auto replaced = [&](const std::string& from, const std::string& to) {
    auto s = text;
    auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
  };
  // Flow style, keys in another order, an escape in a quoted vsn, a
  // state relc does not know, a line too many or too few, an empty file.
  CHECK_FALSE(scan_release_states(
    "- {state: current, vsn: 1.0.0, name: bsc, runtime: 0.1.0, apps: []}\n"));
  CHECK_FALSE(scan_release_states(replaced("  vsn: \"1.0.0\"\n  runtime: \"0.1.0\"\n",
                                           "  runtime: \"0.1.0\"\n  vsn: \"1.0.0\"\n")));
  CHECK_FALSE(scan_release_states(replaced("\"1.0.0\"", "\"1.0\\u0030\"")));
  CHECK_FALSE(scan_release_states(replaced("\"1.0.0\"", "1.0.0")));
  CHECK_FALSE(scan_release_states(replaced("\"1.0.0\"", "\"\"")));
  CHECK_FALSE(scan_release_states(replaced("state: current", "state: Current")));
  CHECK_FALSE(scan_release_states(text + "  extra: 1\n"));
  CHECK_FALSE(scan_release_states(replaced("  state: permanent\n", "")));
  CHECK_FALSE(scan_release_states(replaced("bsc-1.0.0]", "bsc-1.0.0,\n  bsc-2]")));
  CHECK_FALSE(scan_release_states(""));
  CHECK_FALSE(scan_release_states("# only a comment\n"));
}
