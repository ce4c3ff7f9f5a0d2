#pragma once

// Extracts a release tarball (.tar.gz, ustar or pax as relc build writes
// it) into a directory. Small on purpose: the node bundles zlib, not
// libarchive and its dependencies. Rejects absolute paths, `..`, and
// links that leave the directory. Blocking file I/O.

#include <string>

#include <caf/error.hpp>

namespace relc {

/// Extracts `tarball` under `dest` (which must exist). Regular files,
/// directories and symbolic links; other entries are an error. The error
/// is one line naming the tarball and the entry.
[[nodiscard]] caf::error extract_tarball(const std::string& tarball,
                                         const std::string& dest);

} // namespace relc
