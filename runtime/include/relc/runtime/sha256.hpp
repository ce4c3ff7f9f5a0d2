#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace relc {

/// SHA-256 (FIPS 180-4), for the library checksums in the boot script.
class sha256 {
public:
  sha256();

  void update(std::string_view data);

  /// The digest as 64 lowercase hex digits; the object is spent afterwards.
  std::string hex_digest();

  /// One-shot helper.
  static std::string of(std::string_view data);

private:
  void compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;
};

} // namespace relc
