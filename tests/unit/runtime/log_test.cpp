// A report is one line: control characters in its text are escaped, all
// else (UTF-8 included) stays as it is.
#include <catch2/catch.hpp>

#include "relc/runtime/log.hpp"

TEST_CASE("one_line escapes control characters and keeps the rest",
          "[log]") {
  using relc::one_line;
  CHECK(one_line("") == "");
  CHECK(one_line("plain text, ünïcode ✓") == "plain text, ünïcode ✓");
  CHECK(one_line("a\nb\tc\rd") == "a\\nb\\tc\\rd");
  CHECK(one_line(std::string{"\x01x\x1f\x7f", 4}) == "\\x01x\\x1f\\x7f");
  CHECK(one_line(std::string{"\0", 1}) == "\\x00");
  CHECK(one_line("\n\n") == "\\n\\n");
  CHECK(one_line("end\n") == "end\\n");
  CHECK(one_line("\tstart") == "\\tstart");
}

TEST_CASE("one_line finds a control character at any place of a long text",
          "[log]") {
  // The scan takes 8 bytes at a time: every offset, and bytes from 0x80
  // up (UTF-8) beside the ones that need an escape.
  for (unsigned char bad : {0x00, 0x01, 0x0a, 0x1f, 0x7f}) {
    for (size_t at = 0; at < 40; ++at) {
      std::string text(40, '\xc3');
      text[at] = static_cast<char>(bad);
      static const char* hex = "0123456789abcdef";
      std::string escaped = bad == 0x0a ? std::string{"\\n"}
                                        : std::string{"\\x"} + hex[bad >> 4]
                                            + hex[bad & 0xf];
      auto expected = std::string(at, '\xc3') + escaped
                      + std::string(40 - at - 1, '\xc3');
      INFO("byte " << int{bad} << " at " << at);
      CHECK(relc::one_line(text) == expected);
    }
  }
  CHECK(relc::one_line(std::string(41, ' ')) == std::string(41, ' '));
  CHECK(relc::one_line(std::string(40, '\x7e')) == std::string(40, '\x7e'));
  CHECK(relc::one_line(std::string(40, '\x20')) == std::string(40, '\x20'));
}
