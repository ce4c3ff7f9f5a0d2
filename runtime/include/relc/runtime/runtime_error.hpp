#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>

namespace relc {

/// Error codes of the runtime library (category atom `relc_rt`).
enum class runtime_errc : uint8_t {
  /// A boot file could not be decoded.
  bad_boot_file = 1,
  /// A library could not be loaded or does not match its checksum.
  bad_library,
};

/// Builds a runtime error carrying a one-line, human-readable message.
inline caf::error make_error(runtime_errc code, std::string text) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("relc_rt"),
                    caf::make_message(std::move(text))};
}

} // namespace relc
