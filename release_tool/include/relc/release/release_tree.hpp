#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <caf/error.hpp>

namespace relc::release {

/// One entry of a release tree.
struct tree_entry {
  enum class kind { directory, file, symlink };
  kind type = kind::file;
  uint32_t mode = 0644;
  /// For a file: a file on disk to copy, or ...
  std::string source;
  /// ... the generated content.
  std::shared_ptr<const std::string> content;
  /// For a symlink: its target, relative and inside the tree.
  std::string link_target;
};

/// The release as a plan in memory: every path, what it holds and its mode.
/// Nothing is written until the plan is complete, so a bad input loses
/// nothing. Paths are relative, '/'-separated, and can never leave the root:
/// no absolute paths, no '..', no writing through a symlink, no symlink whose
/// target is outside the tree.
class release_tree {
public:
  /// Adds (or replaces) a file copied from `source`.
  [[nodiscard]] caf::error add_file(const std::string& path,
                                    const std::string& source, uint32_t mode);

  /// Adds (or replaces) a file with generated `content`.
  [[nodiscard]] caf::error add_content(const std::string& path,
                                       std::string content, uint32_t mode);

  /// Adds a symlink; its target must stay inside the tree.
  [[nodiscard]] caf::error add_symlink(const std::string& path,
                                       const std::string& target);

  /// Adds the files, directories and symlinks under the directory `source`
  /// at `path`, in sorted order.
  [[nodiscard]] caf::error add_directory_copy(const std::string& path,
                                              const std::string& source);

  /// Entries sorted by path (parents before children).
  const std::map<std::string, tree_entry>& entries() const { return entries_; }

  /// Resolves every symlink through the others; an error when one leads
  /// outside the root or into a loop. Run once the tree is complete.
  [[nodiscard]] caf::error check_links() const;

  /// Checks that `path` is a clean relative path inside the root.
  [[nodiscard]] static caf::error validate_path(const std::string& path);

private:
  caf::error add(const std::string& path, tree_entry entry);
  caf::error make_parents(const std::string& path);

  std::map<std::string, tree_entry> entries_;
};

} // namespace relc::release
