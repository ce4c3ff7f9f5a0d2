#include <catch2/catch.hpp>

#include "relc/runtime/sha256.hpp"

TEST_CASE("sha256 matches the FIPS 180-4 test vectors", "[runtime][sha256]") {
  CHECK(relc::sha256::of("")
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(relc::sha256::of("abc")
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(relc::sha256::of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  relc::sha256 h;
  for (int i = 0; i < 1000; ++i)
    h.update(std::string(1000, 'a'));
  CHECK(h.hex_digest()
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
