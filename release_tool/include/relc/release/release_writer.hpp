#pragma once

#include <atomic>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "relc/release/release_tree.hpp"

namespace relc::release {

/// Whether a build packs the tarball next to the release directory.
enum class tarball_output { write, skip };

/// Where and how a planned release is written.
struct publish_options {
  std::string out_dir;     ///< `--out`
  std::string rel_name;    ///< the directory `<out>/<rel>`
  std::string tarball;     ///< file name `<rel>-<vsn>.tar.gz`
  tarball_output tarball_mode = tarball_output::write;
  int64_t mtime = 0;       ///< archive time stamp
  /// Set (e.g. by a signal handler) to abandon the build between files.
  const std::atomic<bool>* cancelled = nullptr;
  /// Filled with one line per node that runs from the release replaced
  /// (`node bsc (pid 123)`): its files change under it.
  std::vector<std::string>* running_nodes = nullptr;
  /// Replace a release that nodes run from (else that is an error, and
  /// nothing is written).
  bool replace_running = false;
  /// When set: a release directory that already holds exactly this tree
  /// (and its tarball, when one is asked for) is left alone, and this is
  /// set to true.
  bool* unchanged = nullptr;
};

/// Writes the release atomically: into temporary names under `out_dir`,
/// renamed into place only when everything is written, so a failed or
/// interrupted build leaves no partial output and the previous release and
/// tarball untouched. Leftovers of a killed build are removed first. What
/// nodes write under the release it replaces (run/, log/, var/: sockets,
/// locks, logs, state) moves into the new one, so a node running from it
/// stays reachable.
[[nodiscard]] caf::error publish_release(const release_tree& tree,
                                         const publish_options& options);

/// Materialises `tree` under the (new, empty) directory `dir`.
[[nodiscard]] caf::error write_tree(const release_tree& tree,
                                    const std::string& dir,
                                    const std::atomic<bool>* cancelled);

} // namespace relc::release
