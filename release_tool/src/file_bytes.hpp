#pragma once

// Reading a whole file into memory (private to the release tool).

#include <optional>
#include <string>

namespace relc::release {

/// The bytes of regular file `path`, or nothing when it is missing, not a
/// regular file or unreadable.
std::optional<std::string> read_file_bytes(const std::string& path);

} // namespace relc::release
