#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>

namespace relc::release {

/// Error codes of the release library (category atom `relc_rel`). The
/// context of each error is one string: the line a person reads.
enum class release_errc : uint8_t {
  /// An input file could not be read or parsed.
  bad_input = 1,
  /// One or more checks failed; the details are in the diagnostics.
  check_failed,
  /// Writing the release directory or tarball failed.
  write_failed,
};

/// Builds a release error carrying a one-line message.
inline caf::error make_error(release_errc code, std::string text) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("relc_rel"),
                    caf::make_message(std::move(text))};
}

/// The message of an error made by make_error (or CAF's rendering otherwise).
std::string message_of(const caf::error& err);

} // namespace relc::release
