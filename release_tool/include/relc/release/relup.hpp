#pragma once

// The release upgrade script `releases/<vsn>/relup` (docs/formats.md,
// "Relup"): for each earlier version, the steps up from it and down to it,
// each one concrete action on one app, computed from the two releases and
// the new apps' appups, and checked (docs/commands.md, `relc relup`).

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "relc/release/appup.hpp"
#include "relc/release/diagnostics.hpp"
#include "relc/release/library_scan.hpp"
#include "relc/release/resolver.hpp"
#include "relc/runtime/term.hpp"

namespace relc::release {

/// The files of a built release, from its directory or its tarball.
class release_files {
public:
  /// Opens a release directory, or reads a release tarball (`.tar.gz`);
  /// a path that is neither is an error saying what was found.
  static caf::expected<release_files> open(const std::string& path);

  /// File `relative` (`releases/start.data`), or nothing.
  std::optional<std::string> read(const std::string& relative) const;

  /// The path it was opened from.
  const std::string& source() const { return source_; }

private:
  std::string source_;
  std::string dir_; ///< empty for a tarball
  std::map<std::string, std::string> entries_; ///< a tarball's files
};

/// What a relup compares of a release: the earlier ones read from their
/// files, the new one from its resolved spec.
struct release_summary {
  std::string name;
  std::string vsn;
  std::string runtime_vsn;
  struct app {
    std::string name;
    std::string vsn;
    std::string sha256;
    term env = term::map{};
    std::set<std::string> exports; ///< of its library; empty when none
  };
  std::vector<app> apps; ///< in start order
  /// Its sys.config as a term (an empty map when it has none; the apps'
  /// env does not include it).
  term sys_config = term::map{};
  std::string source;

  const app* find(const std::string& name) const;
};

/// Reads the release's boot file, sys.config and libraries' exports.
[[nodiscard]] caf::expected<release_summary>
read_release_summary(const release_files& files);

/// One step of a relup script: an action on an app (or on the node).
struct relup_step {
  std::string action; ///< load, point_of_no_return, stop, unload, start, ...
  term args = term::map{}; ///< {app: ..., ...}
};

struct relup_script {
  std::string vsn; ///< the earlier version (`from` up, `to` down)
  std::vector<relup_step> steps;
};

struct relup {
  std::string name;
  std::string vsn;
  std::vector<relup_script> up;
  std::vector<relup_script> down;
};

/// The new release's appups, read from beside each changed app's manifest
/// (`<app>-<vsn>/<app>.appup`); apps without one are left out.
std::map<std::string, appup>
load_appups(const resolved_release& next, diagnostics& diags);

/// What the relup is made from.
struct relup_inputs {
  const resolved_release* next = nullptr;
  const std::map<std::string, app_library>* libraries = nullptr;
  const std::map<std::string, appup>* appups = nullptr;
  std::string runtime_vsn; ///< the new release's runtime
  /// The new release's sys.config as a term (an empty map when none).
  term sys_config = term::map{};
};

/// Computes the up and down scripts for every earlier release and runs the
/// relup checks; every problem goes to `diags` (one line each, all of
/// them). Nothing when any is an error.
std::optional<relup> make_relup(const relup_inputs& in,
                                const std::vector<release_summary>& from,
                                diagnostics& diags);

/// The relup as YAML (docs/formats.md).
std::string render_relup(const relup& x);

} // namespace relc::release
