#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>

#include "relc/release/release_tree.hpp"

namespace relc::release {

/// Writes `tree` as a gzip-compressed tar to `path`, reproducibly: entries in
/// sorted order, every time set to `mtime`, owner root:root (0:0), the modes
/// of the tree, and a gzip header without a timestamp or file name. Paths
/// are relative (extract into the directory the release should live in).
[[nodiscard]] caf::error write_archive(const release_tree& tree,
                                       const std::string& path,
                                       int64_t mtime);

/// The time stamped into archives: SOURCE_DATE_EPOCH when set, else 0.
int64_t archive_mtime();

} // namespace relc::release
