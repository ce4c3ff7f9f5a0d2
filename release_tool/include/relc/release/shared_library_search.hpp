#pragma once

#include <optional>
#include <string>
#include <vector>

namespace relc::release {

/// Where the dynamic loader looks on this (the base) system: the dirs of
/// /etc/ld.so.conf (with its includes), then the default trusted dirs.
const std::vector<std::string>& system_library_dirs();

/// Which runpath entries a search honours.
enum class runpath_entries {
  /// Only $ORIGIN-relative ones: what a release still has on its target,
  /// where absolute build-machine paths do not exist.
  origin_relative,
  /// All of them: for finding files on this machine.
  all,
};

/// Finds `soname` the way ld.so would for a library in `origin_dir` with
/// `runpath`, then in the system dirs.
std::optional<std::string> find_shared_library(
  const std::string& soname, const std::vector<std::string>& runpath,
  const std::string& origin_dir, runpath_entries entries);

/// Expands `$ORIGIN` / `${ORIGIN}` in a runpath entry; nullopt when the entry
/// is not relative to $ORIGIN.
std::optional<std::string> expand_origin(const std::string& entry,
                                         const std::string& origin_dir);

} // namespace relc::release
