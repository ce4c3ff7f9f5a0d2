#pragma once

#include <string>

#include <caf/expected.hpp>

namespace relc {

/// Verifies the SHA-256 of the library at `path` against `sha256` and loads
/// it (RTLD_NOW | RTLD_LOCAL; never unloaded while the node runs). The error
/// says what is wrong with the file: missing, corrupt (checksum), foreign
/// (wrong architecture) or unloadable (dlerror).
[[nodiscard]] caf::expected<void*> load_app_library(const std::string& path,
                                                    const std::string& sha256);

/// The two halves of load_app_library: the checksum (safe on any thread)
/// and the dlopen.
[[nodiscard]] caf::error verify_app_library(const std::string& path,
                                            const std::string& sha256);
[[nodiscard]] caf::expected<void*> open_app_library(const std::string& path);

/// Looks up `symbol` in a loaded library; null when absent.
void* find_symbol(void* library, const std::string& symbol);

} // namespace relc
