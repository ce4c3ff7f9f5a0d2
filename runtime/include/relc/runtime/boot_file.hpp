#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "relc/runtime/term.hpp"

namespace relc {

/// Version of the compact `<rel>.boot` encoding. A runtime refuses boot files
/// of a newer format instead of misreading them.
constexpr uint32_t boot_format_version = 1;

/// Encodes a boot script term into the compact `<rel>.boot` form:
/// the magic `RELCBOOT`, a little-endian u32 format version, then the term in
/// a tagged binary encoding (varint lengths, zigzag integers).
std::string encode_boot_file(const term& script);

/// Decodes `<rel>.boot` bytes; a bad magic, a newer format, truncated or
/// trailing data are errors naming the byte offset.
[[nodiscard]] caf::expected<term> decode_boot_file(std::string_view bytes);

} // namespace relc
