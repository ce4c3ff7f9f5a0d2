#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "relc/release/diagnostics.hpp"
#include "relc/release/version.hpp"

namespace relc::release {

/// An application directory `<app>-<vsn>/` found in a lib dir.
struct app_location {
  std::string name;
  version vsn;
  std::string dir;      ///< path of `<app>-<vsn>/`
  size_t lib_dir_index; ///< position of its lib dir in the search order
};

/// The app directories of the lib dirs, searched in order (docs/commands.md). Only
/// directory names are read here; manifests are loaded when needed.
class app_index {
public:
  /// Scans `lib_dirs` in order; a lib dir that does not exist is an error.
  static app_index scan(const std::vector<std::string>& lib_dirs,
                        diagnostics& diags);

  /// The app `name` at `vsn`, or at its highest version when none is given.
  /// For equal versions the earliest lib dir wins.
  const app_location* find(const std::string& name,
                           const std::optional<version>& vsn) const;

  /// Every version of `name` found, highest first.
  std::vector<const app_location*> versions_of(const std::string& name) const;

  /// A known app name close to `name` (for "did you mean"), or "".
  std::string closest_name(const std::string& name) const;

  const std::vector<std::string>& lib_dirs() const { return lib_dirs_; }

private:
  std::vector<std::string> lib_dirs_;
  std::map<std::string, std::vector<app_location>> apps_;
};

/// The lib dirs for a run: `--lib-dir` values in order, then RELC_LIB_DIRS
/// (colon separated), then the built-in dir that holds `kernel`.
std::vector<std::string> effective_lib_dirs(
  const std::vector<std::string>& cli_dirs, const std::string& builtin_dir);

} // namespace relc::release
