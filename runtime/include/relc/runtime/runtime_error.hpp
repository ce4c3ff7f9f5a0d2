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
  /// A supervisor child (or an application) failed to start.
  start_failed,
  /// A supervisor's children restarted more often than its intensity allows.
  reached_max_restart_intensity,
  /// A child id that the supervisor already has.
  already_present,
  /// No child (or app, or name) with that id.
  not_found,
  /// The operation needs a stopped child.
  running,
  /// The operation is not valid for this supervisor's strategy.
  wrong_strategy,
  /// A registry name is taken, or an await ran past its deadline.
  name_taken,
  await_timeout,
  /// A stop was requested while the node was booting.
  interrupted,
  /// An application could not be started (its error names the step).
  boot_failed,
  /// A release handler step failed (unpack, install, make_permanent...).
  release_handling,
  /// A distribution setting is wrong, or a node could not be reached.
  distribution,
  /// A blocking helper was called where blocking can never work (inside an
  /// actor, on a CAF scheduler thread): relc/runtime/blocking.hpp.
  would_block,
  /// A blocking call's deadline passed (the error names the request).
  call_timeout,
};

/// Text of an error: the message of a relc error, CAF's rendering otherwise.
std::string describe_error(const caf::error& err);

/// Builds a runtime error carrying a one-line, human-readable message.
inline caf::error make_error(runtime_errc code, std::string text = {}) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("relc_rt"),
                    caf::make_message(std::move(text))};
}

} // namespace relc
