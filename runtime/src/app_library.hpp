#pragma once

#include <string>

#include <caf/expected.hpp>

namespace relc {

/// Checks the SHA-256 of the library at `path` against `sha256` (safe on
/// any thread). The error says what is wrong: missing, unreadable, or
/// changed since relc build.
[[nodiscard]] caf::error verify_app_library(const std::string& path,
                                            const std::string& sha256);

/// Loads a verified library (RTLD_NOW | RTLD_LOCAL; unloaded only by the
/// library_reaper, after an upgrade replaced it); the error is dlerror's
/// (e.g. a foreign architecture).
[[nodiscard]] caf::expected<void*> open_app_library(const std::string& path);

/// Looks up `symbol` in a loaded library; null when absent.
void* find_symbol(void* library, const std::string& symbol);

} // namespace relc
